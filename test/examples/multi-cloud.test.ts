import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { Accelerator, ClusterProfile } from '../../lib';
import { resources } from '../tf-helpers';

describe('multi-cloud example', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-example-'));
  const app = new App({ outdir });
  const stacks = buildMultiCloud(app);
  app.synth();
  const stackJson = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));

  test('writes one stack per cloud, each with only its own provider', () => {
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['ml-aks', 'ml-eks', 'ml-gke']);
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
    expect(gke.gpuCapacity(Accelerator.NVIDIA_L4)).toBe(4 + 8);
    expect(stacks.aks.cluster.profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(12);
    expect(stacks.eks.cluster.profile.capabilities.devicePluginRequired).toBe(true);
  });

  test('each stack outputs the command that fetches its kubeconfig', () => {
    expect(stackJson('ml-gke').output['credentials-command'].value).toContain('gcloud container clusters get-credentials ml-gke');
    expect(stackJson('ml-aks').output['credentials-command'].value).toContain('az aks get-credentials');
  });
});
