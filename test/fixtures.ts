import { Cloud, ClusterProfile, NodeLabels } from '../lib';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

/** An EKS cluster with a CPU pool, an on-demand L4 pool (2 × 4 GPUs) and a spot L4 pool (8 × 1). */
export const EKS_PROFILE = new ClusterProfile({
  cloud: Cloud.EKS,
  name: 'ml-eks',
  kubernetesVersion: '1.33',
  capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [
    { name: 'cpu', machineType: 'm6i.2xlarge', gpusPerNode: 0, minNodes: 1, maxNodes: 6, spot: false, labels: {}, taints: [], devicePluginRequired: false },
    { name: 'l4', machineType: 'g6.12xlarge', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: 2, spot: false, labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' }, taints: [GPU_TAINT], devicePluginRequired: true },
    {
      name: 'l4spot', machineType: 'g6.xlarge', accelerator: 'nvidia-l4', gpusPerNode: 1, minNodes: 0, maxNodes: 8, spot: true,
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-l4' }, taints: [GPU_TAINT, { key: 'ml-platform.io/spot', value: 'true', effect: 'NoSchedule' }], devicePluginRequired: true,
    },
  ],
});
