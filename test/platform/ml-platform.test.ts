import { ClusterProfile, collectWarnings, MlPlatform, NVIDIA_DEVICE_PLUGIN_IMAGE, PriorityClasses, Tenant } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { schemaErrors } from '../k8s/schema';

const GKE_PROFILE = ClusterProfile.fromJson({
  ...EKS_PROFILE.toJson(),
  cloud: 'gke',
  capabilities: { ...EKS_PROFILE.capabilities, devicePluginRequired: false, extendedResourceToleration: true },
  pools: EKS_PROFILE.pools.map((p) => ({ ...p, devicePluginRequired: false })),
});

describe('MlPlatform', () => {
  const docs = synthManifests((chart) => new MlPlatform(chart, 'platform', { cluster: EKS_PROFILE }));

  test('priority classes: serving above training-high above preemptible training, which never preempts', () => {
    const classes = byKind(docs, 'PriorityClass').map((c) => [c.metadata.name, c.value, c.preemptionPolicy]);
    expect(classes).toEqual([
      [PriorityClasses.SERVING_CRITICAL, 100000, 'PreemptLowerPriority'],
      [PriorityClasses.TRAINING_HIGH, 10000, 'PreemptLowerPriority'],
      [PriorityClasses.TRAINING_PREEMPTIBLE, 1000, 'Never'],
    ]);
  });

  test('device plugin: pinned, privileged system namespace, GPU nodes of the pools that need it only', () => {
    const [daemonSet] = byKind(docs, 'DaemonSet');
    const pod = daemonSet.spec.template.spec;
    expect(pod.containers[0].image).toBe(NVIDIA_DEVICE_PLUGIN_IMAGE);
    expect(daemonSet.metadata.namespace).toBe('nvidia-device-plugin');
    expect(byKind(docs, 'Namespace')[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'ml-platform.io/accelerator', operator: 'Exists' },
      { key: 'ml-platform.io/pool', operator: 'In', values: ['l4', 'l4spot'] },
    ]);
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      { key: 'ml-platform.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(pod.priorityClassName).toBe('system-node-critical');
  });

  test('no device plugin where the cloud brings its own (GKE)', () => {
    const gke = synthManifests((chart) => new MlPlatform(chart, 'platform', { cluster: GKE_PROFILE }));
    expect(byKind(gke, 'DaemonSet')).toEqual([]);
    expect(byKind(gke, 'Namespace')).toEqual([]);
  });

  test('monitoring: DCGM PodMonitor and Grafana dashboards for GPUs and serving', () => {
    expect(byKind(docs, 'PodMonitor')[0].spec.podMetricsEndpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
    const dashboards = byKind(docs, 'ConfigMap');
    expect(dashboards.map((d) => d.metadata.labels)).toEqual([{ grafana_dashboard: '1' }, { grafana_dashboard: '1' }]);
    const gpu = JSON.parse(dashboards[0].data['ml-platform-gpu.json']);
    expect(gpu.panels.map((p: any) => p.targets[0].expr).join()).toMatch(/DCGM_FI_DEV_GPU_UTIL[\s\S]*DCGM_FI_DEV_FB_USED/);
    const serving = JSON.parse(dashboards[1].data['ml-platform-serving.json']);
    expect(serving.panels.map((p: any) => p.title)).toEqual(['Requests per second', 'Error ratio', 'p99 latency', 'p50 latency']);
  });

  test('every manifest passes the Kubernetes and prometheus-operator schemas', () => {
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('warns when tenants are promised more GPUs than the pools hold, with the figures', () => {
    let platform!: MlPlatform;
    synthManifests((chart) => {
      platform = new MlPlatform(chart, 'platform', { cluster: EKS_PROFILE });
      new Tenant(chart, 'a', { name: 'a', cluster: EKS_PROFILE, quota: { gpus: 10 } });
      new Tenant(chart, 'b', { name: 'b', cluster: EKS_PROFILE, quota: { gpus: 8 } });
    });
    expect(collectWarnings(platform)).toEqual([expect.stringContaining('GPU_QUOTA_OVERCOMMITTED: Tenants of cluster "ml-eks" may request 18 GPUs (a: 10, b: 8), but its pools hold at most 16 (l4: 2 × 4, l4spot: 8 × 1)')]);
  });

  test('fails when the device plugin image is not pinned', () => {
    expect(synthManifestsError((chart) => new MlPlatform(chart, 'platform', { cluster: EKS_PROFILE, devicePluginImage: 'nvcr.io/nvidia/k8s-device-plugin' }))).toContain('[test/platform] IMAGE_NOT_PINNED');
  });
});
