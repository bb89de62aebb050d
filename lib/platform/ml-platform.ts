import { ApiObject } from 'cdk8s';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from '../core/cluster-profile';
import { isPinnedImage } from '../core/pod-security';
import { NodeLabels, tolerationFor } from '../core/scheduling';
import { Problems } from '../core/validation';
import { gpuOvercommitWarnings } from './capacity';
import { dashboardTexts } from './dashboards';
import { resolveWorkloadScope } from '../core/scope-defaults';
import * as k8s from '../imports/k8s';
import * as monitoring from '../imports/monitoring.coreos.com';
import { kubeObject } from '../k8s/kube-object';
import { checkName, DNS_LABEL } from '../core/names';
import { TRAINING_PREEMPTIBLE_PRIORITY_CLASS } from '../core/queue-priority';
import { earlierWithSameKey } from '../core/duplicates';
import { PropsShape, shapeProblems, wellShapedFields } from '../core/props-shape';

/** The priority classes the training and serving constructs use, highest first. */
export const PriorityClasses = {
  /** Serving: preempts training when GPUs run short. */
  SERVING_CRITICAL: 'ml-serving-critical',
  /** Training that must finish: preempts preemptible training. */
  TRAINING_HIGH: 'ml-training-high',
  /**
   * Training that resumes from checkpoints: never preempts anything itself. In a queue, any other
   * training job may evict it (see `PREEMPTIBLE_QUEUE_PRIORITY`).
   */
  TRAINING_PREEMPTIBLE: TRAINING_PREEMPTIBLE_PRIORITY_CLASS,
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
  /** The priority classes, by name (`PriorityClasses`). */
  public readonly priorityClasses: Readonly<Record<string, ApiObject>> = {};
  /**
   * The device plugin DaemonSet.
   * @default - none, when the cluster needs no device plugin
   */
  public readonly devicePluginDaemonSet?: ApiObject;
  /** The PodMonitor that scrapes the DCGM exporter. */
  public readonly gpuPodMonitor: ApiObject;
  /** The Grafana dashboard ConfigMaps, by id (`gpu`, `serving`). */
  public readonly dashboards: Readonly<Record<string, ApiObject>> = {};

  constructor(scope: Construct, id: string, props: MlPlatformProps = {}) {
    checkConstructArguments('MlPlatform', scope, id, IN_CHART);
    super(scope, id);
    const propsShape: PropsShape = {
      cluster: CLUSTER_PROFILE_SHAPE, devicePluginImage: 'string', monitoringNamespace: 'string', dcgmExporterNamespace: 'string',
    };
    const shape = shapeProblems(props, propsShape, [], 'props');
    shape.forEach((p) => Problems.of(this).add(p));
    props = shape.length > 0 ? wellShapedFields<MlPlatformProps>(props, propsShape) : props;
    this.cluster = resolveWorkloadScope(this, { cluster: props.cluster, namespace: 'kube-system' }, Problems.of(this)).cluster;
    installKubernetesGate(this, this.cluster.name);
    this.devicePlugin = this.cluster.capabilities.devicePluginRequired;
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    const dcgmNamespace = props.dcgmExporterNamespace ?? 'gpu-monitoring';
    for (const [field, value] of [['monitoringNamespace', monitoringNamespace], ['dcgmExporterNamespace', dcgmNamespace]]) {
      checkName(value, DNS_LABEL, 'NAMESPACE_INVALID').forEach((p) => Problems.of(this).add({ ...p, message: `${field} is not a namespace name.` }));
    }
    this.emitPriorityClasses();
    if (this.devicePlugin) this.devicePluginDaemonSet = this.emitDevicePlugin(props.devicePluginImage ?? NVIDIA_DEVICE_PLUGIN_IMAGE);
    this.gpuPodMonitor = this.emitMonitoring(monitoringNamespace, dcgmNamespace);
    Problems.of(this).addWarningCheck(() => gpuOvercommitWarnings(this, this.cluster));
    Problems.of(this).addCheck(() => {
      const earlier = earlierWithSameKey(this, 'ml-platform', (c) => (c instanceof MlPlatform ? c.cluster.name : undefined));
      return earlier ? [{
        code: 'ML_PLATFORM_DUPLICATE',
        message: `Cluster "${this.cluster.name}" already has an MlPlatform at ${earlier.node.path}; both would write the same cluster-wide objects.`,
        received: this.cluster.name,
        fix: 'keep one MlPlatform per cluster.',
      }] : [];
    });
  }

  private emitPriorityClasses(): void {
    const classes: Array<[string, number, string, boolean]> = [
      [PriorityClasses.SERVING_CRITICAL, 100_000, 'Model serving; preempts training when capacity runs short.', true],
      [PriorityClasses.TRAINING_HIGH, 10_000, 'Training that must finish; preempts preemptible training.', true],
      [PriorityClasses.TRAINING_PREEMPTIBLE, 1_000, 'Checkpointed training; waits instead of preempting.', false],
    ];
    const handles = this.priorityClasses as Record<string, ApiObject>;
    for (const [name, value, description, preempts] of classes) {
      handles[name] = kubeObject(this, `priority-${name}`, k8s.KubePriorityClass.GVK, k8s.toJson_KubePriorityClassProps, {
        metadata: { name },
        value,
        globalDefault: false,
        preemptionPolicy: preempts ? 'PreemptLowerPriority' : 'Never',
        description,
      });
    }
  }

  private emitDevicePlugin(image: string): ApiObject {
    if (!isPinnedImage(image)) {
      Problems.of(this).add({ code: 'IMAGE_NOT_PINNED', message: 'The device plugin image is not pinned.', received: image, fix: `use a release tag, e.g. ${NVIDIA_DEVICE_PLUGIN_IMAGE}.` });
    }
    const pools = this.cluster.pools.filter((p) => p.devicePluginRequired);
    const tolerations = new Map(pools.flatMap((p) => p.taints).map((t) => [JSON.stringify(t), tolerationFor(t)]));
    // The plugin registers with the kubelet through a host socket: only "privileged" admits that.
    kubeObject(this, 'device-plugin-namespace', k8s.KubeNamespace.GVK, k8s.toJson_KubeNamespaceProps, {
      metadata: {
        name: DEVICE_PLUGIN_NAMESPACE,
        labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged' },
      },
    });
    const labels = { 'app.kubernetes.io/name': 'nvidia-device-plugin' };
    return kubeObject(this, 'device-plugin', k8s.KubeDaemonSet.GVK, k8s.toJson_KubeDaemonSetProps, {
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
              resources: {
                requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                limits: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('128Mi') },
              },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' }],
            }],
            volumes: [{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } }],
          },
        },
      },
    });
  }

  private emitMonitoring(monitoringNamespace: string, dcgmNamespace: string): ApiObject {
    const podMonitor = kubeObject(this, 'dcgm-pod-monitor', monitoring.PodMonitor.GVK, monitoring.toJson_PodMonitorProps, {
      metadata: { name: 'dcgm-exporter', namespace: monitoringNamespace },
      spec: {
        namespaceSelector: { matchNames: [dcgmNamespace] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'dcgm-exporter' } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }],
      },
    });
    const dashboards = this.dashboards as Record<string, ApiObject>;
    for (const [id, json] of dashboardTexts()) {
      dashboards[id] = kubeObject(this, `dashboard-${id}`, k8s.KubeConfigMap.GVK, k8s.toJson_KubeConfigMapProps, {
        // The Grafana sidecar of kube-prometheus-stack loads ConfigMaps with this label.
        metadata: { name: `ml-platform-${id}-dashboard`, namespace: monitoringNamespace, labels: { grafana_dashboard: '1' } },
        data: { [`ml-platform-${id}.json`]: json },
      });
    }
    return podMonitor;
  }
}
