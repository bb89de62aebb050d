import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { Accelerator, ClusterProfile } from '../../lib';
import { parseAllDocuments } from 'yaml';
import { schemaErrors } from '../k8s/schema';
import { resources } from '../tf-helpers';

describe('multi-cloud example', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-example-'));
  const k8sOutdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-example-k8s-'));
  const app = new App({ outdir });
  const k8s = new K8sApp({ outdir: k8sOutdir });
  const stacks = buildMultiCloud(app, k8s);
  app.synth();
  k8s.synth();
  const manifests = (file: string) => parseAllDocuments(fs.readFileSync(path.join(k8sOutdir, file), 'utf8')).map((d) => d.toJS());
  const stackJson = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));

  test('writes one cluster stack and one add-ons stack per cloud, each cluster stack with only its own provider', () => {
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['ml-aks', 'ml-aks-addons', 'ml-eks', 'ml-eks-addons', 'ml-gke', 'ml-gke-addons']);
    expect(Object.keys(stackJson('ml-gke').provider)).toEqual(['google']);
    expect(Object.keys(stackJson('ml-eks').provider)).toEqual(['aws']);
    expect(Object.keys(stackJson('ml-aks').provider)).toEqual(['azurerm']);
  });

  test('every cluster has a CPU pool, an on-demand GPU pool and a spot GPU pool', () => {
    for (const { cluster } of Object.values(stacks)) {
      const pools = cluster.profile.pools.map((p) => [p.name, p.gpusPerNode > 0, p.spot]);
      expect(pools).toEqual([['cpu', false, false], ['gpu', true, false], ['gpuspot', true, true]]);
    }
    expect(resources(stackJson('ml-gke'), 'google_container_node_pool')).toHaveLength(3);
    expect(resources(stackJson('ml-aks'), 'azurerm_kubernetes_cluster_node_pool')).toHaveLength(3);
  });

  test('profiles survive JSON and give GPU capacity per accelerator', () => {
    const gke = ClusterProfile.fromJson(JSON.parse(JSON.stringify(stacks.gke.cluster.profile.toJson())));
    expect(gke.gpuCapacity(Accelerator.NVIDIA_L4)).toBe(8 + 8);
    expect(stacks.aks.cluster.profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(16);
    expect(stacks.eks.cluster.profile.capabilities.devicePluginRequired).toBe(true);
  });

  test('each stack outputs the command that fetches its kubeconfig', () => {
    expect(stackJson('ml-gke').output['credentials-command'].value).toContain('gcloud container clusters get-credentials ml-gke');
    expect(stackJson('ml-aks').output['credentials-command'].value).toContain('az aks get-credentials');
  });

  test('writes one Kubernetes file per cluster, whose manifests pass the schemas', () => {
    expect(fs.readdirSync(k8sOutdir).sort()).toEqual(['ml-aks-platform.k8s.yaml', 'ml-eks-platform.k8s.yaml', 'ml-gke-platform.k8s.yaml']);
    const all = fs.readdirSync(k8sOutdir).flatMap(manifests);
    expect(schemaErrors(all)).toEqual([]);
  });

  test('each cluster\'s training job and serving stack are placed on that cluster\'s GPU pool', () => {
    const worker = (file: string) => manifests(file).find((d) => d.kind === 'Job').spec.template.spec;
    const serving = (file: string) => manifests(file).find((d) => d.kind === 'Deployment').spec.template.spec;
    expect(serving('ml-eks-platform.k8s.yaml').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
    expect(worker('ml-gke-platform.k8s.yaml').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
    expect(worker('ml-aks-platform.k8s.yaml').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-t4' });
    // AKS has no ExtendedResourceToleration: the GPU toleration must be explicit.
    expect(worker('ml-aks-platform.k8s.yaml').tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' });
  });
});
