import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { synthPlatform } from '../../lib';
import { cloudStorageClasses, manifestStorageClasses, releaseStorageClasses, unboundClaims } from '../k8s/storage-classes';

/** Every claim of the default example names a StorageClass that the cloud, the add-ons or the manifests create. */
describe('storage classes of the default example', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-sc-'));
  const k8sOutdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-sc-k8s-'));
  const terraform = new App({ outdir });
  const kubernetes = new K8sApp({ outdir: k8sOutdir });
  const stacks = buildMultiCloud(terraform, kubernetes);
  synthPlatform({ terraform, kubernetes });
  const stackJson = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  const docs = (cluster: string) => fs.readdirSync(k8sOutdir).filter((f) => f.startsWith(`${cluster}-`))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(k8sOutdir, f), 'utf8')).map((d) => d.toJS()));
  const available = (cloud: string, cluster: string) => [
    ...cloudStorageClasses(cloud, stackJson(cluster)),
    ...releaseStorageClasses(stackJson(`${cluster}-addons`)),
    ...manifestStorageClasses(docs(cluster)),
  ];

  test.each(['gke', 'eks', 'aks'] as const)('every claim on %s names a class that exists', (cloud) => {
    const { clusterName } = stacks[cloud].cluster;
    expect(unboundClaims(docs(clusterName), available(cloud, clusterName))).toEqual([]);
  });

  test('the training checkpoints claim exists on EKS and AKS, on a ReadWriteMany class', () => {
    for (const cloud of ['eks', 'aks'] as const) {
      const claim = docs(stacks[cloud].cluster.clusterName).find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'checkpoints');
      expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
      expect(available(cloud, stacks[cloud].cluster.clusterName)).toContain(claim.spec.storageClassName);
    }
  });

  test('the model notices a class nobody creates: AKS without its Azure Files driver', () => {
    const aks = stackJson('ml-aks');
    const cluster = Object.values(aks.resource.azurerm_kubernetes_cluster)[0] as any;
    cluster.storage_profile = { ...cluster.storage_profile, file_driver_enabled: false };
    const classes = [...cloudStorageClasses('aks', aks), ...releaseStorageClasses(stackJson('ml-aks-addons'))];
    expect(unboundClaims(docs('ml-aks'), classes)).toEqual(['team-vision/checkpoints names StorageClass "azurefile-csi"']);
  });
});
