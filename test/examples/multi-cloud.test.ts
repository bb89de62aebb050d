import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildFromProfiles, buildMultiCloud } from '../../examples/multi-cloud/main';
import { Accelerator, ClusterProfile, synthPlatform } from '../../lib';
import { inventory, platformMarkdown, summaryText } from '../../lib/report';
import { schemaErrors } from '../k8s/schema';
import { resources } from '../tf-helpers';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const readDir = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

/** The default example, synthesized as `npm run synth` does. */
function synthExample() {
  const outdir = tmp('mlpc-example-');
  const k8sOutdir = tmp('mlpc-example-k8s-');
  const terraform = new App({ outdir });
  const kubernetes = new K8sApp({ outdir: k8sOutdir });
  const stacks = buildMultiCloud(terraform, kubernetes);
  const { warnings } = synthPlatform({ terraform, kubernetes });
  return { outdir, k8sOutdir, stacks, warnings, terraform, kubernetes };
}

describe('multi-cloud example (the default)', () => {
  const { outdir, k8sOutdir, stacks, warnings, terraform, kubernetes } = synthExample();
  const manifests = (file: string) => parseAllDocuments(fs.readFileSync(path.join(k8sOutdir, file), 'utf8')).map((d) => d.toJS());
  const clusterDocs = (cluster: string) => fs.readdirSync(k8sOutdir).filter((f) => f.startsWith(`${cluster}-`)).flatMap(manifests);
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

  test('profiles are written as JSON and give GPU capacity per accelerator', () => {
    const gke = ClusterProfile.fromFile(path.join(outdir, 'profiles', 'ml-gke.json'));
    expect(gke.toJson()).toEqual(stacks.gke.cluster.profile.toJson());
    expect(gke.gpuCapacity(Accelerator.NVIDIA_L4)).toBe(8 + 8);
    expect(stacks.aks.cluster.profile.gpuCapacity(Accelerator.NVIDIA_T4)).toBe(16);
  });

  test('each stack outputs the command that fetches its kubeconfig', () => {
    expect(stackJson('ml-gke').output['credentials-command'].value).toContain('gcloud container clusters get-credentials ml-gke');
    expect(stackJson('ml-aks').output['credentials-command'].value).toContain('az aks get-credentials');
  });

  test('one Kubernetes file per cluster and tenant, with the cloud in the name, all passing the schemas', () => {
    expect(fs.readdirSync(k8sOutdir).sort()).toEqual(['aks', 'eks', 'gke'].flatMap((c) => [`ml-${c}-platform.k8s.yaml`, `ml-${c}-team-nlp.k8s.yaml`, `ml-${c}-team-vision.k8s.yaml`]));
    expect(schemaErrors(fs.readdirSync(k8sOutdir).flatMap(manifests))).toEqual([]);
    expect(manifests('ml-eks-team-nlp.k8s.yaml').every((d) => d.metadata.namespace === 'team-nlp' || ['Namespace', 'ClusterQueue'].includes(d.kind))).toBe(true);
  });

  test('each cluster\'s training job and serving stack are placed on that cluster\'s GPU pool', () => {
    const pod = (cluster: string, kind: string) => clusterDocs(cluster).find((d) => d.kind === kind).spec.template.spec;
    const worker = (cluster: string) => clusterDocs(cluster).find((d) => d.kind === 'JobSet').spec.replicatedJobs[0].template.spec.template.spec;
    expect(pod('ml-eks', 'Deployment').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
    expect(worker('ml-gke').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
    expect(worker('ml-aks').nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-t4' });
    // AKS has no ExtendedResourceToleration: the GPU toleration must be explicit.
    expect(worker('ml-aks').tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' });
    // On-demand first, then spot: spot is tolerated, on-demand preferred, and Kueue picks one flavor for the whole job.
    expect(worker('ml-aks').tolerations).toContainEqual({ key: 'ml-platform.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    expect(worker('ml-aks').affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions).toEqual([{ key: 'ml-platform.io/capacity', operator: 'In', values: ['on-demand'] }]);
  });

  test('a re-synth of unchanged input is byte-identical', () => {
    const again = synthExample();
    expect(readDir(again.k8sOutdir)).toEqual(readDir(k8sOutdir));
    for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
      const file = (dir: string) => fs.readFileSync(path.join(dir, 'stacks', stack, 'cdk.tf.json'), 'utf8').replaceAll(dir, '<outdir>');
      expect(file(again.outdir)).toEqual(file(outdir));
    }
  });

  test('a Kubernetes-only run from the profile files writes the same manifests', () => {
    const k8sOnly = tmp('mlpc-k8s-only-');
    const app = new K8sApp({ outdir: k8sOnly });
    buildFromProfiles(app, path.join(outdir, 'profiles'));
    synthPlatform({ kubernetes: app });
    expect(readDir(k8sOnly)).toEqual(readDir(k8sOutdir));
  });

  test('the summary and PLATFORM.md show pools, GPU capacity, tenants, jobs, endpoints and warnings', () => {
    const built = inventory({ terraform, kubernetes });
    const text = summaryText(built, warnings);
    expect(text).toContain('Cluster ml-eks (eks, Kubernetes 1.33)');
    expect(text).toMatch(/gpu\s+g6\.xlarge\s+0–8 nodes × 1 L4\s+8 L4\s+no/);
    // 8 GPUs of its own and up to 8 borrowed through the queue: the ResourceQuota lets both in.
    expect(text).toMatch(/team-vision\s+64\s+256Gi\s+16/);
    expect(text).toMatch(/resnet\s+team-vision\s+jobset\s+MultiWorkerMirroredStrategy\s+worker 4\s+4 × nvidia-l4/);
    expect(text).toMatch(/resnet-serving\s+team-vision\s+resnet\s+grpc 8500, http 8501\s+ingress models\.ml-eks\.internal\.acme\.dev/);
    expect(text).toContain('Warnings: none');
    const markdown = platformMarkdown(built, warnings);
    expect(markdown).toContain('```mermaid\ngraph LR');
    expect(markdown).toContain('c_ml_gke --> p_ml_gke_gpuspot["gpuspot: 0–8 nodes × 1 L4, spot"]');
    expect(markdown).toContain('t_ml_aks_team_vision --> j_ml_aks_team_vision_resnet[/"train resnet"/]');
    expect(markdown).toContain('j_ml_aks_team_vision_resnet -.-> p_ml_aks_gpu');
    expect(markdown).not.toContain('j_ml_aks_team_vision_resnet -.-> p_ml_aks_gpuspot');
    expect(markdown).toContain('| gpu | g6.xlarge | 0–8 nodes × 1 L4 | 8 L4 | no |');
  });
});
