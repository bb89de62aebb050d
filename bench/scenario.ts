/**
 * The platform the benchmark scales: N serving stacks, N/5 tenants and N/5 training jobs, spread
 * over a GKE, an EKS and an AKS cluster, one chart per cluster.
 */
import { App as K8sApp, Chart } from 'cdk8s';
import {
  Accelerator, Cloud, ClusterProfile, MlPlatform, ModelVersionPolicy, NodePoolProfile, ServingExposure, Tenant, TfServing, TfStrategy, TfTrainingJob,
} from '../lib';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

function profile(cloud: Cloud, accelerator: Accelerator): ClusterProfile {
  const pools: NodePoolProfile[] = [
    { name: 'cpu', machineType: 'cpu-large', gpusPerNode: 0, minNodes: 3, maxNodes: 500, spot: false, labels: {}, taints: [], devicePluginRequired: false },
    {
      name: 'gpu', machineType: 'gpu-large', accelerator: accelerator.id, gpusPerNode: 8, minNodes: 0, maxNodes: 4000, spot: false,
      labels: { 'ml-platform.io/accelerator': accelerator.id }, taints: [GPU_TAINT], devicePluginRequired: cloud !== Cloud.GKE,
    },
  ];
  return new ClusterProfile({
    cloud,
    name: `bench-${cloud}`,
    kubernetesVersion: '1.33',
    capabilities: { devicePluginRequired: cloud !== Cloud.GKE, managedGpuDrivers: true, extendedResourceToleration: cloud === Cloud.GKE, networkPolicyEnforced: true, workloadIdentity: true },
    pools,
  });
}

/** Each cluster's own model store: a bucket of another cloud is not readable with this cloud's identity. */
const MODEL_STORE: Record<string, string> = { [Cloud.GKE]: 'gs://bench-models', [Cloud.EKS]: 's3://bench-models', [Cloud.AKS]: 'az://benchmodels/models' };

export const BENCH_CLUSTERS = [profile(Cloud.GKE, Accelerator.NVIDIA_L4), profile(Cloud.EKS, Accelerator.NVIDIA_L4), profile(Cloud.AKS, Accelerator.NVIDIA_T4)];

/** Builds the scaled platform into `app`; returns the number of constructs it asked for. */
export function buildScaledPlatform(app: K8sApp, servingStacks: number): { tenants: number; trainingJobs: number; servingStacks: number } {
  const tenantCount = Math.max(1, Math.floor(servingStacks / 5));
  const charts = BENCH_CLUSTERS.map((cluster) => {
    const chart = new Chart(app, cluster.name);
    new MlPlatform(chart, 'platform', { cluster });
    return { chart, cluster };
  });
  const tenants = Array.from({ length: tenantCount }, (_, i) => {
    const { chart, cluster } = charts[i % charts.length];
    const name = `team-${i}`;
    new Tenant(chart, name, { name, cluster, quota: { gpus: 16 }, editorGroups: [`${name}-devs`], identities: { trainer: `trainer-${i}` } });
    return { chart, cluster, name };
  });
  for (let i = 0; i < tenantCount; i++) {
    const { chart, cluster, name } = tenants[i];
    new TfTrainingJob(chart, `train-${i}`, {
      namespace: name,
      image: 'tensorflow/tensorflow:2.21.0-gpu',
      strategy: TfStrategy.MULTI_WORKER_MIRRORED,
      workers: { replicas: 4, gpus: 1, accelerator: Accelerator.fromId(cluster.pools[1].accelerator!)! },
      cluster,
      serviceAccountName: 'trainer',
    });
  }
  for (let i = 0; i < servingStacks; i++) {
    const { chart, cluster, name } = tenants[i % tenantCount];
    new TfServing(chart, `model-${i}`, {
      namespace: name,
      models: [{ name: `model-${i}`, basePath: `${MODEL_STORE[cluster.cloud]}/model-${i}`, versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
      cluster,
      cloudIdentity: `serving-${i}`,
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
      // A weighted canary needs the Ingress router; held at 0 it keeps the two-track shape behind ClusterIP Services.
      canary: { weight: 0, version: 2 },
      expose: ServingExposure.clusterInternal(),
      prometheusOperator: true,
    });
  }
  return { tenants: tenantCount, trainingJobs: tenantCount, servingStacks };
}
