import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Accelerator, Cloud, ClusterCharts, ClusterProfile, ClusterProfileData, collectValidationErrors, GENERIC_CLOUD_FACTS, MlPlatform, NodeLabels, SPOT_TOLERATION, ValidationError } from '../../lib';
import { PROBLEM_LINE } from '../property-helpers';

const DATA: ClusterProfileData = {
  cloud: Cloud.EKS,
  name: 'existing',
  kubernetesVersion: '1.32',
  capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [
    { name: 'cpu', machineType: 'm6i.xlarge', gpusPerNode: 0, minNodes: 1, maxNodes: 5, spot: false, labels: {}, taints: [], devicePluginRequired: false },
    {
      name: 'l4', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: 3, spot: false,
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }], devicePluginRequired: true,
    },
    {
      name: 'l4-spot', machineType: 'g6.xlarge', accelerator: 'nvidia-l4', gpusPerNode: 1, minNodes: 0, maxNodes: 10, spot: true,
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' },
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }, { key: 'ml-platform.io/spot', value: 'true', effect: 'NoSchedule' }],
      devicePluginRequired: true,
    },
  ],
};

describe('ClusterProfile', () => {
  test('round-trips through JSON text', () => {
    const profile = ClusterProfile.fromJson(JSON.parse(JSON.stringify(new ClusterProfile(DATA).toJson())));
    expect(profile.toJson()).toEqual(DATA);
    expect(profile.cloud).toBe(Cloud.EKS);
  });

  test('GPU capacity sums max nodes × GPUs over the pools with that accelerator', () => {
    const profile = new ClusterProfile(DATA);
    expect(profile.gpuCapacity(Accelerator.NVIDIA_L4)).toBe(3 * 4 + 10 * 1);
    expect(profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(0);
  });

  test('placement selects the accelerator label and tolerates the pools\' taints; spot only when allowed', () => {
    const profile = new ClusterProfile(DATA);
    const onDemand = profile.placementFor(Accelerator.NVIDIA_L4)!;
    expect(onDemand.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
    expect(onDemand.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    const spot = profile.placementFor(Accelerator.NVIDIA_L4, { allowSpot: true })!;
    expect(spot.tolerations).toContainEqual(SPOT_TOLERATION);
    expect(spot.tolerations).toHaveLength(2);
    expect(profile.placementFor(Accelerator.NVIDIA_H100_80GB)).toBeUndefined();
  });

  test('a hand-written profile of an on-premises cluster is accepted, with generic facts unless it states its own', () => {
    const onPrem = ClusterProfile.fromJson({ ...DATA, cloud: 'on-prem' });
    expect(onPrem.facts.workloadIdentity).toBeUndefined();
    expect(onPrem.facts.objectStores).toEqual([]);
    expect(onPrem.facts.metadata.blockedCidrs).toEqual(['169.254.169.254/32']);
    const minio = { scheme: 's3', csiDriver: 'ru.yandex.s3.csi' };
    const withFacts = ClusterProfile.fromJson({ ...DATA, cloud: 'on-prem', facts: { ...onPrem.facts, objectStores: [minio] } });
    expect(withFacts.objectStore('s3')).toEqual(minio);
    expect(ClusterProfile.fromJson(withFacts.toJson()).facts).toEqual(withFacts.facts);
  });

  describe('fails when', () => {
    const problemsOf = (json: unknown) => {
      try {
        ClusterProfile.fromJson(json);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).errors;
      }
      throw new Error('fromJson accepted the profile');
    };

    // [case, JSON, code, JSON path, received as written in the problem]
    test.each<[string, unknown, string, string, string]>([
      ['a pool entry is null', { ...DATA, pools: [null] }, 'PROFILE_POOL_INVALID', 'profile.pools[0]', 'null'],
      ['a taint effect is misspelled', { ...DATA, pools: [{ ...DATA.pools[1], taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoScheduleX' }] }] }, 'PROFILE_TAINT_INVALID', 'profile.pools[0].taints[0].effect', '"NoScheduleX"'],
      ['a taint key is not label syntax', { ...DATA, pools: [{ ...DATA.pools[1], taints: [{ key: 'bad key', effect: 'NoSchedule' }] }] }, 'PROFILE_TAINT_INVALID', 'profile.pools[0].taints[0].key', '"bad key"'],
      ['a label key is not label syntax', { ...DATA, pools: [{ ...DATA.pools[0], labels: { 'a b': 'x' } }] }, 'PROFILE_LABEL_INVALID', 'profile.pools[0].labels["a b"]', '"x"'],
      ['a label value is too long', { ...DATA, pools: [{ ...DATA.pools[0], labels: { pool: 'x'.repeat(64) } }] }, 'PROFILE_LABEL_INVALID', 'profile.pools[0].labels["pool"]', `"${'x'.repeat(64)}"`],
      ['the Kubernetes version is not a minor version', { ...DATA, kubernetesVersion: 'latest' }, 'PROFILE_VERSION_INVALID', 'profile.kubernetesVersion', '"latest"'],
      ['capabilities are missing a flag', { ...DATA, capabilities: { devicePluginRequired: true } }, 'PROFILE_CAPABILITIES_INVALID', 'profile.capabilities.managedGpuDrivers', '(not set)'],
      ['two pools share a name', { ...DATA, pools: [DATA.pools[0], DATA.pools[0]] }, 'PROFILE_POOL_NAME_DUPLICATE', 'profile.pools[1].name', '"cpu"'],
      ['a pool name is not a label value (workloads select pools by it)', { ...DATA, pools: [{ ...DATA.pools[0], name: 'CPU pool' }] }, 'PROFILE_POOL_NAME_INVALID', 'profile.pools[0].name', '"CPU pool"'],
      ['min exceeds max', { ...DATA, pools: [{ ...DATA.pools[0], minNodes: 3, maxNodes: 1 }] }, 'PROFILE_POOL_SIZE_INVALID', 'profile.pools[0].minNodes', '{"minNodes":3,"maxNodes":1}'],
      ['a GPU pool has no GPUs per node', { ...DATA, pools: [{ ...DATA.pools[1], gpusPerNode: 0 }] }, 'PROFILE_ACCELERATOR_INVALID', 'profile.pools[0]', '{"accelerator":"nvidia-l4","gpusPerNode":0}'],
      ['the whole profile is an array', [], 'PROFILE_INVALID', 'profile', '[]'],
      ['a misspelt optional field (would silently mean the default facts)', { ...DATA, facs: {} }, 'PROFILE_FIELD_UNKNOWN', 'profile.facs', '"facs"'],
      ['a misspelt pool field', { ...DATA, pools: [{ ...DATA.pools[0], gpuPerNode: 0 }] }, 'PROFILE_FIELD_UNKNOWN', 'profile.pools[0].gpuPerNode', '"gpuPerNode"'],
      ['a blocked metadata CIDR that is not a CIDR (written into every tenant\'s egress policy)', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, metadata: { blockedCidrs: ['169.254.169.254'], identityEndpoints: [] } } }, 'PROFILE_FACTS_INVALID', 'profile.facts.metadata.blockedCidrs[0]', '"169.254.169.254"'],
      ['an identity endpoint port of 0', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, metadata: { blockedCidrs: [], identityEndpoints: [{ cidr: '169.254.169.252/32', port: 0 }] } } }, 'PROFILE_FACTS_INVALID', 'profile.facts.metadata.identityEndpoints[0].port', '0'],
      ['a load-balancer annotation key with a space', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, loadBalancer: { internalAnnotations: { 'lb type': 'internal' }, externalAnnotations: {} } } }, 'PROFILE_FACTS_INVALID', 'profile.facts.loadBalancer.internalAnnotations["lb type"]', '"internal"'],
      ['one object store scheme twice (only the first would be read)', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, objectStores: [{ scheme: 's3' }, { scheme: 's3', csiDriver: 'x.csi' }] } }, 'PROFILE_FACTS_INVALID', 'profile.facts.objectStores[1].scheme', '"s3"'],
      ['a CSI driver name with "/" (the API server refuses the pod\'s volume)', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, objectStores: [{ scheme: 's3', csiDriver: 'example.com/s3fs' }] } }, 'PROFILE_FACTS_INVALID', 'profile.facts.objectStores[0].csiDriver', '"example.com/s3fs"'],
      ['an object store scheme with "://"', { ...DATA, facts: { ...GENERIC_CLOUD_FACTS, objectStores: [{ scheme: 's3://' }] } }, 'PROFILE_FACTS_INVALID', 'profile.facts.objectStores[0].scheme', '"s3://"'],
    ])('%s', (_, json, code, at, received) => {
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(problemsOf(json)).toContainEqual(expect.stringMatching(new RegExp(`^\\[ClusterProfile\\.fromJson\\] ${code}: ${escape(at)} .+ Received: ${escape(received)}\\. Fix: .+`)));
    });

    test('the JSON is malformed, listing every problem', () => {
      const bad = { ...DATA, cloud: 'Open Stack', pools: [{ ...DATA.pools[1], accelerator: 'nvidia-b300', maxNodes: -1 }] };
      const problems = problemsOf(bad);
      expect(problems).toEqual([
        expect.stringMatching(/^\[ClusterProfile\.fromJson\] PROFILE_CLOUD_INVALID: profile\.cloud must be a lower-case name such as gke, eks, aks or on-prem\. Received: "Open Stack"\. Fix: /),
        expect.stringMatching(/^\[ClusterProfile\.fromJson\] PROFILE_ACCELERATOR_INVALID: profile\.pools\[0\]\.accelerator must be an accelerator catalogue id\. Received: "nvidia-b300"\. Fix: use one of nvidia-/),
        expect.stringMatching(/^\[ClusterProfile\.fromJson\] PROFILE_POOL_SIZE_INVALID: profile\.pools\[0\]\.maxNodes must be a non-negative integer\. Received: -1\. Fix: /),
      ]);
    });

    test('every problem is a listed one: code, JSON path, received and fix', () => {
      const everythingWrong = { cloud: 1, name: 'A B', kubernetesVersion: 1.33, capabilities: [], pools: [{ name: '', machineType: ' ', gpusPerNode: 0.5, minNodes: NaN, maxNodes: Infinity, spot: 'no', labels: null, taints: [null] }], facts: { metadata: null, objectStores: {} } };
      const problems = problemsOf(everythingWrong);
      expect(problems.length).toBeGreaterThanOrEqual(14);
      expect(problems.filter((p) => !PROBLEM_LINE.test(p))).toEqual([]);
      expect(problems.join('\n')).toContain('Received: NaN.');
    });

    test('a profile written in code meets the same rules when ClusterCharts reads it, listed at synth', () => {
      const app = Testing.app();
      const profile = new ClusterProfile({ ...DATA, pools: [{ ...DATA.pools[1], name: 'L4 pool' }], facts: { ...GENERIC_CLOUD_FACTS, metadata: { blockedCidrs: ['169.254.169.254'], identityEndpoints: [] } } });
      new MlPlatform(new ClusterCharts(app, profile).platform, 'platform');
      const errors = collectValidationErrors(app);
      expect(errors).toContainEqual(expect.stringMatching(/^\[eks-existing-platform\] PROFILE_POOL_NAME_INVALID: profile\.pools\[0\]\.name .* Received: "L4 pool"\. Fix: /));
      expect(errors).toContainEqual(expect.stringMatching(/^\[eks-existing-platform\] PROFILE_FACTS_INVALID: profile\.facts\.metadata\.blockedCidrs\[0\] .* Received: "169\.254\.169\.254"\. Fix: /));
    });

    test('the JSON is not an object', () => {
      expect(() => ClusterProfile.fromJson('gke')).toThrow(/PROFILE_INVALID: profile must be an object\. Received: "gke"\. Fix: pass the JSON object of a profile/);
    });

    test('a profile file that is not JSON names the file, with what was received and the fix', () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'profile-')), 'ml.json');
      fs.writeFileSync(file, '{ "cloud": ');
      expect(() => ClusterProfile.fromFile(file)).toThrow(ValidationError);
      let errors: readonly string[] = [];
      try { ClusterProfile.fromFile(file); } catch (e) { errors = (e as ValidationError).errors; }
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^\\[${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] PROFILE_UNREADABLE: .+ Received: ".+ml\\.json"\\. Fix: run cdktf synth first`))]);
    });
  });
});
