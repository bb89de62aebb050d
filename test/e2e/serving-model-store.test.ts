import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterProfile, ModelVersionPolicy, TENSORFLOW_NATIVE_SCHEMES, TfServing } from '../../lib';
import { parseBucketUri } from '../../lib/core/object-store';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests } from '../k8s-helpers';
import { modelConfigs } from '../k8s/routing';
import { ensureTensorflowPython } from './tensorflow-tools';

/**
 * Real TensorFlow against the model store: a SavedModel saved into the bucket layout a trainer
 * uploads (`<bucket>/<prefix>/<version>/`) loads with `tf.saved_model.load` from the base_path the
 * serving pod reads, once the CSI mount puts the bucket at its mount path; and plain TensorFlow
 * refuses `s3://` and `az://`, which is why the library mounts those stores instead.
 */
const SCRIPTS = path.join(__dirname, 'serving');
const IDENTITY: Record<string, string> = { gke: 'm@acme.iam.gserviceaccount.com', eks: 'arn:aws:iam::111122223333:role/m', aks: '00000000-0000-0000-0000-00000000000a' };
const URI: Record<string, string> = { gke: 'gs://acme-models/vision/resnet', eks: 's3://acme-models/vision/resnet', aks: 'az://acmemodels/models/vision/resnet' };

/** The bucket a pod volume mounts: the CSI volume's attributes, or the PersistentVolume its claim binds. */
function bucketOf(volume: any, docs: any[]): string | undefined {
  const attributes = volume.csi?.volumeAttributes
    ?? byKind(docs, 'PersistentVolume').find((pv) => pv.spec.claimRef.name === volume.persistentVolumeClaim?.claimName)?.spec.csi.volumeAttributes;
  if (!attributes) return undefined;
  return attributes.storageAccount ? `${attributes.storageAccount}/${attributes.containerName}` : attributes.bucketName;
}

const REFUSED = ['s3://acme-models/resnet/1', 'az://acmemodels/models/resnet/1', 'abfss://models@acme.dfs.core.windows.net/resnet/1'];

/** What the serving pod of `cloud` mounts and reads: its volume mount, and where the trainer's upload and TF Serving's load go in `root`. */
function storeOf(cloud: string, root: string) {
  const cluster = ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), cloud });
  const docs = synthManifests((chart) => new TfServing(chart, 'resnet', {
    namespace: 'team-a', cluster, cloudIdentity: IDENTITY[cloud],
    models: [{ name: 'resnet', basePath: URI[cloud], versions: ModelVersionPolicy.specific(1, 2) }],
  }));
  const pod = byKind(docs, 'Deployment')[0].spec.template.spec;
  const [config] = modelConfigs(byKind(docs, 'ConfigMap')[0].data['models.config']);
  // The CSI mount shows the bucket's root at the mount path; the trainer wrote below <bucket>/<prefix>.
  const uri = parseBucketUri(URI[cloud]) as { bucket: string; account?: string; prefix: string };
  const volume = pod.volumes.find((v: any) => bucketOf(v, docs) === (uri.account ? `${uri.account}/${uri.bucket}` : uri.bucket));
  const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
  return {
    mount,
    basePath: config.basePath as string,
    upload: { dir: path.join(root, cloud, mount.mountPath, uri.prefix), versions: [1, 2] },
    load: { dir: path.join(root, cloud, config.basePath), versions: [1, 2] },
  };
}

describe('a SavedModel in the cluster\'s store loads from the path the serving pod sees', () => {
  let stores: Array<ReturnType<typeof storeOf>>;
  let result: any;
  // One TensorFlow process for both tests: importing it is most of the cost.
  beforeAll(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-store-'));
    stores = ['gke', 'eks', 'aks'].map((cloud) => storeOf(cloud, root));
    const python = ensureTensorflowPython();
    const spec = { uploads: stores.map((s) => s.upload), loads: stores.map((s) => s.load), refuse: REFUSED };
    const run = spawnSync(python, [path.join(SCRIPTS, 'model_store.py')], { input: JSON.stringify(spec), encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, timeout: 5 * 60_000 });
    if (run.status !== 0) throw new Error(run.stderr);
    result = JSON.parse(run.stdout);
  }, 20 * 60_000);

  test('on GKE, EKS and AKS: trainer layout in, TF Serving base_path out', () => {
    for (const { mount, basePath, load } of stores) {
      expect(mount.readOnly).toBe(true);
      expect(basePath.startsWith(`${mount.mountPath}/`)).toBe(true);
      expect(result.loaded[path.join(load.dir, '1')]).toEqual({ y: [3], versions_found: [1, 2] });
      expect(result.loaded[path.join(load.dir, '2')]).toEqual({ y: [6], versions_found: [1, 2] });
    }
  });

  test('plain TensorFlow 2.21 refuses s3:// and az:// (and abfss://): only gs:// and local paths are file systems', () => {
    expect(result.refused).toEqual({
      's3://acme-models/resnet/1': "UnimplementedError: File system scheme 's3' not implemented (file: 's3://acme-models/resnet/1/saved_model.pb')",
      'az://acmemodels/models/resnet/1': "UnimplementedError: File system scheme 'az' not implemented (file: 'az://acmemodels/models/resnet/1/saved_model.pb')",
      'abfss://models@acme.dfs.core.windows.net/resnet/1': "UnimplementedError: File system scheme 'abfss' not implemented (file: 'abfss://models@acme.dfs.core.windows.net/resnet/1/saved_model.pb')",
    });
    // The library's list of what TensorFlow opens itself is TensorFlow's own, less local files and memory.
    expect(result.schemes.filter((s: string) => !['', 'file', 'ram'].includes(s))).toEqual([...TENSORFLOW_NATIVE_SCHEMES]);
  });
});
