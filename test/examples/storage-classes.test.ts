import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { synthPlatform } from '../../lib';
import {
  cloudStorageClasses, manifestClaims, manifestStorageClasses, releaseClaims, releaseStorageClasses, StorageClassInfo, unboundClaims,
} from '../k8s/storage-classes';

/** Every claim of the default example, ours and the add-ons', binds to a StorageClass that exists on its cluster. */
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
  const available = (cloud: string, cluster: string, addons = stackJson(`${cluster}-addons`)): StorageClassInfo[] => [
    ...cloudStorageClasses(cloud, stackJson(cluster)),
    ...releaseStorageClasses(addons),
    ...manifestStorageClasses(docs(cluster)),
  ];
  const names = (classes: StorageClassInfo[]) => classes.map((c) => c.name);

  test.each(['gke', 'eks', 'aks'] as const)('every claim on %s, the Helm releases\' included, binds to a class that exists', (cloud) => {
    const { clusterName } = stacks[cloud].cluster;
    const claims = [...manifestClaims(docs(clusterName)), ...releaseClaims(stackJson(`${clusterName}-addons`))];
    // Prometheus's claim names no class: it needs the cluster default.
    expect(claims.map((c) => c.at)).toContain('monitoring/kube-prometheus-stack/prometheus');
    expect(unboundClaims(claims, available(cloud, clusterName))).toEqual([]);
  });

  test.each(['gke', 'eks', 'aks'] as const)('%s has exactly one default StorageClass', (cloud) => {
    const { clusterName } = stacks[cloud].cluster;
    expect(available(cloud, clusterName).filter((c) => c.isDefault)).toHaveLength(1);
  });

  test('the EKS default class is the EBS CSI driver\'s encrypted gp3 class', () => {
    const release = Object.values(stackJson('ml-eks-addons').resource.helm_release).find((r: any) => r.chart === 'aws-ebs-csi-driver') as any;
    const [storageClass] = parseAllDocuments(release.values[0])[0].toJS().storageClasses;
    expect(storageClass).toMatchObject({ name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' }, parameters: { type: 'gp3', encrypted: 'true' } });
  });

  test('the training checkpoints claim exists on EKS and AKS, on a ReadWriteMany class', () => {
    for (const cloud of ['eks', 'aks'] as const) {
      const claim = docs(stacks[cloud].cluster.clusterName).find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'checkpoints');
      expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
      expect(names(available(cloud, stacks[cloud].cluster.clusterName))).toContain(claim.spec.storageClassName);
    }
  });

  test('the model notices a class nobody creates: AKS without its Azure Files driver', () => {
    const aks = stackJson('ml-aks');
    const cluster = Object.values(aks.resource.azurerm_kubernetes_cluster)[0] as any;
    cluster.storage_profile = { ...cluster.storage_profile, file_driver_enabled: false };
    const classes = [...cloudStorageClasses('aks', aks), ...releaseStorageClasses(stackJson('ml-aks-addons'))];
    expect(unboundClaims(manifestClaims(docs('ml-aks')), classes)).toEqual(['team-vision/checkpoints names StorageClass "azurefile-csi"']);
  });

  test('the model notices a claim with no class and no default: EKS without the EBS CSI driver', () => {
    const addons = stackJson('ml-eks-addons');
    addons.resource.helm_release = Object.fromEntries(Object.entries(addons.resource.helm_release).filter(([, r]: [string, any]) => r.chart !== 'aws-ebs-csi-driver'));
    const claims = [...manifestClaims(docs('ml-eks')), ...releaseClaims(addons)];
    expect(unboundClaims(claims, available('eks', 'ml-eks', addons))).toEqual(['monitoring/kube-prometheus-stack/prometheus names no StorageClass and no class is the default']);
  });
});
