import { ApiObject } from 'cdk8s';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { ClusterProfile } from '../core/cluster-profile';
import { isPinnedImage } from '../core/pod-security';
import { NodeLabels, tolerationFor } from '../core/scheduling';
import { Problems } from '../core/validation';
import { gpuOvercommitWarnings } from './capacity';
import { gpuDashboard, servingDashboard } from './dashboards';
import { resolveWorkloadScope } from '../core/scope-defaults';

/** The priority classes the training and serving constructs use, highest first. */
export const PriorityClasses = {
  /** Serving: preempts training when GPUs run short. */
  SERVING_CRITICAL: 'ml-serving-critical',
  /** Training that must finish: preempts preemptible training. */
  TRAINING_HIGH: 'ml-training-high',
  /** Training that resumes from checkpoints: never preempts anything itself. */
  TRAINING_PREEMPTIBLE: 'ml-training-preemptible',
} as const;

/** The pinned NVIDIA device plugin image. */
export const NVIDIA_DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1';
export const DEVICE_PLUGIN_NAMESPACE = 'nvidia-device-plugin';

export interface MlPlatformProps {
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /** @default NVIDIA_DEVICE_PLUGIN_IMAGE */
  readonly devicePluginImage?: string;
  /** Namespace of the monitoring stack, where dashboards are picked up. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Namespace of the DCGM exporter whose pods are scraped for GPU metrics. @default 'gpu-monitoring' */
  readonly dcgmExporterNamespace?: string;
}

/**
 * The cluster-wide pieces of one cluster's platform: the NVIDIA device plugin where the cloud
 * needs it, the priority classes, and monitoring objects (GPU scraping, Grafana dashboards).
 */
export class MlPlatform extends Construct {
  public readonly cluster: ClusterProfile;
  /** Whether the device plugin DaemonSet is emitted. */
  public readonly devicePlugin: boolean;

  constructor(scope: Construct, id: string, props: MlPlatformProps) {
    super(scope, id);
    this.cluster = resolveWorkloadScope(this, { cluster: props.cluster, namespace: 'kube-system' }, Problems.of(this)).cluster;
    installKubernetesGate(this, this.cluster.name);
    this.devicePlugin = this.cluster.capabilities.devicePluginRequired;
    this.emitPriorityClasses();
    if (this.devicePlugin) this.emitDevicePlugin(props.devicePluginImage ?? NVIDIA_DEVICE_PLUGIN_IMAGE);
    this.emitMonitoring(props.monitoringNamespace ?? 'monitoring', props.dcgmExporterNamespace ?? 'gpu-monitoring');
    Problems.of(this).addWarningCheck(() => gpuOvercommitWarnings(this, this.cluster));
  }

  private emitPriorityClasses(): void {
    const classes: Array<[string, number, string, boolean]> = [
      [PriorityClasses.SERVING_CRITICAL, 100_000, 'Model serving; preempts training when capacity runs short.', true],
      [PriorityClasses.TRAINING_HIGH, 10_000, 'Training that must finish; preempts preemptible training.', true],
      [PriorityClasses.TRAINING_PREEMPTIBLE, 1_000, 'Checkpointed training; waits instead of preempting.', false],
    ];
    for (const [name, value, description, preempts] of classes) {
      new ApiObject(this, `priority-${name}`, {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name },
        value,
        globalDefault: false,
        preemptionPolicy: preempts ? 'PreemptLowerPriority' : 'Never',
        description,
      });
    }
  }

  private emitDevicePlugin(image: string): void {
    if (!isPinnedImage(image)) {
      Problems.of(this).add({ code: 'IMAGE_NOT_PINNED', message: 'The device plugin image is not pinned.', received: image, fix: `use a release tag, e.g. ${NVIDIA_DEVICE_PLUGIN_IMAGE}.` });
    }
    const pools = this.cluster.pools.filter((p) => p.devicePluginRequired);
    const tolerations = new Map(pools.flatMap((p) => p.taints).map((t) => [JSON.stringify(t), tolerationFor(t)]));
    // The plugin registers with the kubelet through a host socket: only "privileged" admits that.
    new ApiObject(this, 'device-plugin-namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: DEVICE_PLUGIN_NAMESPACE,
        labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged' },
      },
    });
    const labels = { 'app.kubernetes.io/name': 'nvidia-device-plugin' };
    new ApiObject(this, 'device-plugin', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'nvidia-device-plugin', namespace: DEVICE_PLUGIN_NAMESPACE, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-node-critical',
            automountServiceAccountToken: false,
            // Only the GPU nodes of the pools that need it; CPU nodes never run it.
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{
                    matchExpressions: [
                      { key: NodeLabels.ACCELERATOR, operator: 'Exists' },
                      { key: NodeLabels.POOL, operator: 'In', values: pools.map((p) => p.name) },
                    ],
                  }],
                },
              },
            },
            tolerations: [...tolerations.values()],
            containers: [{
              name: 'nvidia-device-plugin',
              image,
              env: [{ name: 'FAIL_ON_INIT_ERROR', value: 'false' }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }],
            }],
            volumes: [{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } }],
          },
        },
      },
    });
  }

  private emitMonitoring(monitoringNamespace: string, dcgmNamespace: string): void {
    new ApiObject(this, 'dcgm-pod-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'dcgm-exporter', namespace: monitoringNamespace },
      spec: {
        namespaceSelector: { matchNames: [dcgmNamespace] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'dcgm-exporter' } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }],
      },
    });
    for (const [id, dashboard] of [['gpu', gpuDashboard()], ['serving', servingDashboard()]] as const) {
      new ApiObject(this, `dashboard-${id}`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        // The Grafana sidecar of kube-prometheus-stack loads ConfigMaps with this label.
        metadata: { name: `ml-platform-${id}-dashboard`, namespace: monitoringNamespace, labels: { grafana_dashboard: '1' } },
        data: { [`ml-platform-${id}.json`]: JSON.stringify(dashboard, null, 2) },
      });
    }
  }
}
