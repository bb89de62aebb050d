import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as os from 'os';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { ClusterProfile, ModelDelivery, ModelVersionPolicy, TfServing, TfServingProps } from '../../lib';
import { podSecurityFindings } from '../../lib/policy/kubernetes-checks';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { allowed } from '../k8s/network-policy';
import { schemaErrors } from '../k8s/schema';

/** The same cluster on another cloud, with that cloud's facts (stores, identity) from the profile. */
const on = (cloud: string, facts?: object) => ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), cloud, ...(facts ? { facts } : {}) });
const IDENTITY: Record<string, string> = {
  gke: 'resnet@acme.iam.gserviceaccount.com',
  eks: 'arn:aws:iam::111122223333:role/resnet',
  aks: '00000000-0000-0000-0000-00000000000a',
};
const model = (basePath: string, name = 'resnet') => ({ name, basePath, versions: ModelVersionPolicy.specific(1) });
const props = (cloud: string, ...basePaths: string[]): TfServingProps => ({
  namespace: 'team-a',
  cluster: on(cloud),
  cloudIdentity: IDENTITY[cloud],
  models: basePaths.map((p, i) => model(p, `m${i}`)),
});
const synth = (p: TfServingProps) => synthManifests((chart) => new TfServing(chart, 'resnet', p));
const pod = (docs: any[]) => byKind(docs, 'Deployment')[0].spec.template;
const basePaths = (docs: any[]) => [...byKind(docs, 'ConfigMap')[0].data['models.config'].matchAll(/base_path: "([^"]+)"/g)].map((m) => m[1]);

describe('models load from the cluster\'s own store, mounted read-only with the stack\'s identity', () => {
  test('GKE: a Cloud Storage FUSE ephemeral volume, the sidecar annotation, base_path inside the mount', () => {
    const docs = synth(props('gke', 'gs://acme-models/vision/resnet'));
    expect(pod(docs).metadata.annotations['gke-gcsfuse/volumes']).toBe('true');
    expect(pod(docs).spec.volumes).toContainEqual({
      name: 'store-2ee120cc52',
      csi: { driver: 'gcsfuse.csi.storage.gke.io', readOnly: true, volumeAttributes: { bucketName: 'acme-models', mountOptions: 'implicit-dirs' } },
    });
    expect(pod(docs).spec.containers[0].volumeMounts).toContainEqual({ name: 'store-2ee120cc52', mountPath: '/model-stores/acme-models', readOnly: true });
    expect(basePaths(docs)).toEqual(['/model-stores/acme-models/vision/resnet']);
    expect(schemaErrors(docs)).toEqual([]);
    expect(podSecurityFindings(pod(docs).spec)).toEqual([]);
  });

  test('EKS: a static Mountpoint for S3 volume with pod-level credentials, claimed by the stack alone', () => {
    // Objects are named after the bucket (a PersistentVolume's source is immutable): another bucket is another PV.
    const docs = synth(props('eks', 's3://acme-models/resnet'));
    const [volume] = byKind(docs, 'PersistentVolume');
    const [claim] = byKind(docs, 'PersistentVolumeClaim');
    expect(volume.metadata).toEqual({ name: 'team-a-resnet-store-eb5611d9bb' });
    expect(volume.spec.csi).toEqual({ driver: 's3.csi.aws.com', volumeHandle: 'team-a-resnet-store-eb5611d9bb', volumeAttributes: { bucketName: 'acme-models', authenticationSource: 'pod' } });
    expect(volume.spec.mountOptions).toContain('read-only');
    expect(volume.spec.claimRef).toEqual({ namespace: 'team-a', name: 'resnet-store-eb5611d9bb' });
    expect(claim.spec).toMatchObject({ volumeName: 'team-a-resnet-store-eb5611d9bb', storageClassName: '', accessModes: ['ReadOnlyMany'] });
    expect(pod(docs).spec.volumes).toContainEqual({ name: 'store-eb5611d9bb', persistentVolumeClaim: { claimName: 'resnet-store-eb5611d9bb', readOnly: true } });
    expect(basePaths(docs)).toEqual(['/model-stores/acme-models/resnet']);
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('AKS: an inline Azure Blob volume mounted with the workload identity token', () => {
    const docs = synth(props('aks', 'az://acmemodels/models/resnet'));
    expect(pod(docs).spec.volumes).toContainEqual({
      name: 'store-036d0fe861',
      csi: {
        driver: 'blob.csi.azure.com',
        readOnly: true,
        volumeAttributes: {
          protocol: 'fuse2', storageAccount: 'acmemodels', containerName: 'models', clientID: IDENTITY.aks,
          mountWithWorkloadIdentityToken: 'true', mountOptions: '-o allow_other',
        },
      },
    });
    expect(basePaths(docs)).toEqual(['/model-stores/acmemodels-models/resnet']);
    expect(pod(docs).metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('day 2: another prefix keeps the PersistentVolume; another bucket is a new one, never an in-place edit', () => {
    const pvName = (uri: string) => byKind(synth(props('eks', uri)), 'PersistentVolume')[0].metadata.name;
    expect(pvName('s3://acme-models/resnet/v2')).toBe(pvName('s3://acme-models/resnet'));
    expect(pvName('s3://acme-models-next/resnet')).not.toBe(pvName('s3://acme-models/resnet'));
  });

  test('one mount per bucket, whatever the number of models in it', () => {
    const docs = synth(props('gke', 'gs://acme-models/a', 'gs://acme-models/b', 'gs://acme-other/c'));
    expect(pod(docs).spec.volumes.filter((v: any) => v.csi).map((v: any) => [v.name, v.csi.volumeAttributes.bucketName])).toEqual([['store-2ee120cc52', 'acme-models'], ['store-373337e001', 'acme-other']]);
    expect(basePaths(docs)).toEqual(['/model-stores/acme-models/a', '/model-stores/acme-models/b', '/model-stores/acme-other/c']);
  });

  test('a profile that lists gs:// without a CSI driver: stock TF Serving reads Cloud Storage itself', () => {
    const facts = { ...on('gke').facts, objectStores: [{ scheme: 'gs' }] };
    const docs = synth({ ...props('gke', 'gs://acme-models/resnet'), cluster: on('gke', facts) });
    expect(basePaths(docs)).toEqual(['gs://acme-models/resnet']);
    expect(pod(docs).spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'config']);
  });

  test('ModelDelivery.imageReads: an image built to read s3:// keeps the URI and gets no mount', () => {
    const docs = synth({ ...props('eks', 's3://acme-models/resnet'), image: 'acme/tf-serving-s3:2.18.0', modelDelivery: ModelDelivery.imageReads('s3') });
    expect(basePaths(docs)).toEqual(['s3://acme-models/resnet']);
    expect(byKind(docs, 'PersistentVolume')).toEqual([]);
  });

  describe('fails when', () => {
    const fail = (p: TfServingProps) => synthManifestsError((chart) => new TfServing(chart, 'resnet', p));
    test.each<[string, TfServingProps, string, string]>([
      ['the bucket is another cloud\'s store', props('eks', 'gs://acme-models/resnet'), 'MODEL_STORE_NOT_READABLE', 'Model "m0" is in a gs:// bucket, which pods of cluster "ml-eks" cannot read with their identity (its profile lists s3://)'],
      ['a bucket model has no identity to read it with', { ...props('eks', 's3://acme-models/resnet'), cloudIdentity: undefined }, 'BUCKET_WITHOUT_IDENTITY', 'Model "m0" is read from a bucket, but the stack has no cloud identity'],
      ['the scheme is not a model store', props('aks', 'abfss://models@acme.dfs.core.windows.net/resnet'), 'MODEL_PATH_INVALID', 'Model "m0": "abfss://" is not an object store the library reads'],
      ['an az:// URI does not start with a storage account', props('aks', 'az://Models/resnet'), 'MODEL_PATH_INVALID', 'Model "m0": "az://Models/resnet" does not start with a storage account: az://<account>/<container>/<path>'],
      ['the store has no CSI driver and TF Serving cannot open it', { ...props('eks', 's3://acme-models/resnet'), cluster: on('eks', { ...on('eks').facts, objectStores: [{ scheme: 's3' }] }) }, 'MODEL_STORE_NOT_READABLE', 'Model "m0": TF Serving cannot open s3:// itself'],
      ['the profile names a CSI driver the library cannot write volumes for', { ...props('eks', 's3://acme-models/resnet'), cluster: on('eks', { ...on('eks').facts, objectStores: [{ scheme: 's3', csiDriver: 'csi.s3fs.example.com' }] }) }, 'MODEL_STORE_NOT_READABLE', 'Model "m0": the profile names CSI driver "csi.s3fs.example.com"'],
    ])('%s', (_, p, code, text) => {
      const message = fail(p);
      expect(message).toContain(`[test/resnet] ${code}: ${text}`);
      expect(message).toMatch(/Received: .+\. Fix: .+/);
    });

    test('the fix for an unreadable scheme names the opt-out for a custom image', () => {
      const message = fail({ ...props('eks', 's3://acme-models/resnet'), cluster: on('eks', { ...on('eks').facts, objectStores: [{ scheme: 's3' }] }) });
      expect(message).toContain('ModelDelivery.imageReads(\'s3\')');
    });
  });
});

describe('the GKE mount sidecar can reach Cloud Storage and its identity through the tenant\'s NetworkPolicies', () => {
  // The sidecar shares the serving pod's network namespace, so the pod's egress policies apply to it.
  const kubernetes = new K8sApp({ outdir: os.tmpdir() });
  buildMultiCloud(new App({ outdir: os.tmpdir() }), kubernetes);
  const docs = kubernetes.charts.filter((c) => c.node.id.startsWith('ml-gke-')).flatMap((c) => c.toJson());
  const servingPods = docs.filter((d) => d.kind === 'Deployment' && d.spec.template.metadata.annotations?.['gke-gcsfuse/volumes'] === 'true');

  test.each([['storage.googleapis.com', '142.250.1.207', 443], ['the GKE metadata server', '169.254.169.252', 988]])('%s', (_, ip, port) => {
    expect(servingPods.length).toBeGreaterThan(0);
    for (const pod of servingPods) {
      const policies = docs.filter((d) => d.kind === 'NetworkPolicy' && d.metadata.namespace === pod.metadata.namespace);
      expect(policies.length).toBeGreaterThan(0);
      expect(allowed(policies, {}, { namespace: pod.metadata.namespace, labels: pod.spec.template.metadata.labels }, { ip }, { port })).toBe(true);
    }
  });
});
