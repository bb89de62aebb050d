/**
 * Model hosting on GKE: a CPU pool, a spot L4 pool for batch work and an on-demand T4 pool for
 * serving; three tenants; ten models served with autoscaling, scraped by Prometheus with alerts.
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import {
  Accelerator, ClusterAddons, ClusterCharts, GkeCluster, MlPlatform, ModelVersionPolicy, PriorityClasses, ServingExposure, synthPlatformOrExit,
  Tenant, TfServing,
} from '../../lib';

const PROJECT = 'acme-hosting';
const TEAMS = ['search', 'ads', 'vision'] as const;

export function buildModelHosting(terraform: App, kubernetes: K8sApp) {
  const stack = new TerraformStack(terraform, 'hosting-gke');
  new GoogleProvider(stack, 'google', { project: PROJECT, region: 'us-central1' });
  const cluster = new GkeCluster(stack, 'cluster', {
    name: 'hosting',
    project: PROJECT,
    location: 'us-central1',
    network: 'hosting-vpc',
    subnetwork: 'hosting-nodes',
    nodeCidr: '10.20.0.0/20',
    secretsEncryptionKey: `projects/${PROJECT}/locations/us-central1/keyRings/gke/cryptoKeys/secrets`,
    rbacSecurityGroup: 'gke-security-groups@acme.example',
  });
  cluster.addNodePool('cpu', { machineType: 'e2-standard-8', minNodes: 3, maxNodes: 20 });
  cluster.addGpuPool('l4spot', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 8, spot: true, zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] });
  cluster.addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, machineType: 'n1-standard-8', maxNodes: 12, zones: ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'] });
  new ClusterAddons(new TerraformStack(terraform, 'hosting-gke-addons'), 'addons', { cluster });

  const charts = new ClusterCharts(kubernetes, cluster.profile);
  new MlPlatform(charts.platform, 'platform', { cluster: cluster.profile });
  for (const team of TEAMS) {
    new Tenant(charts.tenant(team), 'tenant', { name: team, cluster: cluster.profile, quota: { cpu: '48', memory: '192Gi', gpus: 4 }, editorGroups: [`${team}@acme.dev`] });
  }
  // Ten models: the vision team's two image models on T4s, the rest on CPU.
  const models = [
    ['search', 'query-embedder', 0], ['search', 'reranker', 0], ['search', 'spell', 0], ['search', 'intent', 0],
    ['ads', 'ctr', 0], ['ads', 'bid-shading', 0], ['ads', 'fraud', 0], ['ads', 'creative-tagger', 0],
    ['vision', 'resnet', 1], ['vision', 'detector', 1],
  ] as const;
  const stacks = models.map(([team, model, gpus]) => new TfServing(charts.tenant(team), model, {
    namespace: team,
    models: [{ name: model, basePath: `gs://acme-models/${team}/${model}`, versions: ModelVersionPolicy.latest(1) }],
    cluster: cluster.profile,
    gpus,
    accelerator: gpus ? Accelerator.NVIDIA_T4 : undefined,
    cloudIdentity: `${team}-serving@${PROJECT}.iam.gserviceaccount.com`,
    autoscaling: { minReplicas: 2, maxReplicas: gpus ? 4 : 10, targetCpuUtilization: 65 },
    expose: ServingExposure.clusterInternal(),
    priorityClassName: PriorityClasses.SERVING_CRITICAL,
    prometheusOperator: true,
    alerts: { p99LatencyMs: gpus ? 150 : 50 },
  }));
  return { cluster, stacks };
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildModelHosting(terraform, kubernetes);
  synthPlatformOrExit({ terraform, kubernetes });
}
