import { App, TerraformStack } from 'cdktf';
import { ClusterProfile, EksCluster, Tenant, TenantProps } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';

/** The profile names the cluster's ReadWriteMany StorageClass, so claims for shared volumes name no cloud. */
const TENANT: TenantProps = { name: 'team-a', cluster: EKS_PROFILE, quota: { gpus: 4 }, editorGroups: ['team-a-devs'], viewerGroups: ['auditors'] };
const withFacts = (facts: Record<string, unknown>) => ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), facts: { ...EKS_PROFILE.facts, ...facts } });
const claim = (cluster: ClusterProfile, options: { storageClassName?: string; readWriteMany?: boolean }) =>
  byKind(synthManifests((chart) => new Tenant(chart, 'tenant', { ...TENANT, cluster }).addVolumeClaim('checkpoints', { storage: '10Gi', ...options })), 'PersistentVolumeClaim')[0];
const eks = (props: Partial<ConstructorParameters<typeof EksCluster>[2]> = {}) =>
  new EksCluster(new TerraformStack(new App(), 's'), 'c', { name: 'c', region: 'r', subnetIds: ['a', 'b'], admins: ['x'], ...props }).profile;

describe('the ReadWriteMany StorageClass in the profile', () => {
  test('an EKS cluster records the class of its shared file system, and none without one', () => {
    expect(eks().facts.readWriteManyStorageClass).toBe('efs');
    expect(eks({ sharedFileSystem: { storageClassName: 'shared' } }).facts.readWriteManyStorageClass).toBe('shared');
    expect(eks({ sharedFileSystem: false }).facts.readWriteManyStorageClass).toBeUndefined();
  });

  test('it survives the JSON round trip, and a hand-written profile states its own', () => {
    expect(ClusterProfile.fromJson(eks({ sharedFileSystem: { storageClassName: 'shared' } }).toJson()).facts.readWriteManyStorageClass).toBe('shared');
    expect(claim(withFacts({ readWriteManyStorageClass: 'nfs-client' }), { readWriteMany: true }).spec.storageClassName).toBe('nfs-client');
  });

  test('a ReadWriteMany claim that names no class gets it; a ReadWriteOnce claim keeps the cluster default; a named class wins', () => {
    expect(claim(EKS_PROFILE, { readWriteMany: true }).spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs' });
    expect(claim(EKS_PROFILE, {}).spec.storageClassName).toBeUndefined();
    expect(claim(EKS_PROFILE, { readWriteMany: true, storageClassName: 'fast-nfs' }).spec.storageClassName).toBe('fast-nfs');
  });

  test('fails when a ReadWriteMany claim names no class and the cluster has none', () => {
    const noShared = eks({ sharedFileSystem: false });
    const error = synthManifestsError((chart) => new Tenant(chart, 'tenant', { ...TENANT, cluster: noShared }).addVolumeClaim('checkpoints', { storage: '10Gi', readWriteMany: true }));
    expect(error).toContain('PVC_NO_READ_WRITE_MANY_CLASS: Claim "checkpoints" asks for ReadWriteMany, and cluster "c" has no ReadWriteMany StorageClass');
    expect(error).toContain('facts.readWriteManyStorageClass');
  });

  test('fails when a hand-written profile names a class that is not a StorageClass name', () => {
    expect(() => withFacts({ readWriteManyStorageClass: 'Azure Files' })).toThrow(/PROFILE_FACTS_INVALID: profile\.facts\.readWriteManyStorageClass must be a StorageClass name .* Received: "Azure Files"\. Fix: /);
    expect(() => withFacts({ readWriteManyStorageClass: 7 })).toThrow(/PROFILE_FACTS_INVALID: profile\.facts\.readWriteManyStorageClass .* Received: 7\. Fix: /);
  });
});
