import { kueueValues } from './kueue-config';
import type { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { checkConstructArguments } from '../core/construct-arguments';
import { IN_STACK } from './cluster-props';
import type { Release } from '@cdktf/provider-helm/lib/release';
import { Construct } from 'constructs';
import { GitOpsEngine, GITOPS_NAMESPACES } from '../delivery/gitops-engine';
import { NodeLabels, tolerationFor } from '../core/scheduling';
import { Problems } from '../core/validation';
import { ADDON_CHARTS, HelmChart } from './addon-charts';
import { ManagedCluster } from './managed-cluster';
import { cdktf, helm, terraformData, yaml } from './bindings';
import { addonsPropsProblems } from './addons-input';

export interface IngressControllerOptions {
  /** @default 2 */
  readonly replicas?: number;
  /** Put the controller's load balancer inside the VPC. @default true */
  readonly internal?: boolean;
}

export interface MonitoringOptions {
  /** How long Prometheus keeps samples. @default '15d' */
  readonly retention?: string;
  /** Prometheus volume size. @default 50 */
  readonly storageGiB?: number;
  /**
   * Existing Secret with Grafana's `admin-user` and `admin-password`.
   * @default - the chart creates one, with a random password generated once and kept in Terraform state
   */
  readonly grafanaAdminSecret?: string;
}

export interface ClusterAddonsProps {
  readonly cluster: ManagedCluster<unknown>;
  /** ingress-nginx; `false` to leave it out. @default - on, with the defaults of IngressControllerOptions */
  readonly ingress?: IngressControllerOptions | false;
  /** kube-prometheus-stack (Prometheus, Alertmanager, Grafana); `false` to leave it out. @default - on */
  readonly monitoring?: MonitoringOptions | false;
  /** The NVIDIA DCGM exporter on GPU nodes. @default - on when the cluster has GPU pools */
  readonly dcgmExporter?: boolean;
  /** The JobSet controller, needed by training jobs on the JobSet backend. @default false */
  readonly jobset?: boolean;
  /** Kueue, for queueing batch work against quotas. @default false */
  readonly kueue?: boolean;
  /** The GitOps engine that applies the cluster's output directory (see GitOpsDelivery). @default - none */
  readonly gitOps?: GitOpsEngine;
}

/** Namespaces the add-ons run in; the platform's objects point at them. */
export const AddonNamespaces = {
  INGRESS: 'ingress-nginx',
  MONITORING: 'monitoring',
  GPU_MONITORING: 'gpu-monitoring',
  JOBSET: 'jobset-system',
  KUEUE: 'kueue-system',
} as const;

/**
 * Cluster software installed as pinned Helm releases by Terraform. Put it in its own stack: it
 * needs the cluster to exist, and the helm provider, which the cluster stack must not depend on.
 */
export class ClusterAddons extends Construct {
  /** The releases, by add-on. */
  public readonly releases: Record<string, Release> = {};
  private readonly provider!: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    checkConstructArguments('ClusterAddons', scope, id, IN_STACK);
    super(scope, id);
    // JavaScript callers and JSON config get the same checks as TypeScript; bad props build nothing.
    const problems = addonsPropsProblems(props);
    problems.forEach((p) => Problems.of(this).add(p));
    if (problems.length > 0) return;
    const { HelmProvider } = helm();
    const { cluster } = props;
    this.provider = new HelmProvider(this, 'helm', { kubernetes: cluster.kubernetesConnection() });
    const monitoring = props.monitoring === false ? undefined : props.monitoring ?? {};
    const ingress = props.ingress === false ? undefined : props.ingress ?? {};
    const hasGpus = cluster.profile.pools.some((p) => p.gpusPerNode > 0);

    for (const required of cluster.requiredReleases()) this.release(required.name, required.chart, required.namespace, required.values);
    cluster.markReleasesInstalled();
    if (monitoring) this.addKubePrometheusStack(monitoring);
    if (ingress) this.addIngressController(cluster.internalLoadBalancerAnnotations(), ingress, monitoring !== undefined);
    if (props.dcgmExporter ?? hasGpus) this.addDcgmExporter(cluster);
    if (props.jobset) this.release('jobset', ADDON_CHARTS.jobset, AddonNamespaces.JOBSET, {});
    if (props.kueue) this.release('kueue', ADDON_CHARTS.kueue, AddonNamespaces.KUEUE, kueueValues());
    if (props.gitOps === GitOpsEngine.ARGO_CD) this.release('argo-cd', ADDON_CHARTS.argoCd, GITOPS_NAMESPACES[GitOpsEngine.ARGO_CD], {});
    if (props.gitOps === GitOpsEngine.FLUX) this.release('flux', ADDON_CHARTS.flux, GITOPS_NAMESPACES[GitOpsEngine.FLUX], {});
  }

  private release(name: string, chart: HelmChart, namespace: string, values: Record<string, unknown>): Release {
    const { Release } = helm();
    const release = new Release(this, name, {
      provider: this.provider,
      name,
      namespace,
      createNamespace: true,
      repository: chart.repository,
      chart: chart.chart,
      version: chart.version,
      // A failed upgrade rolls back instead of leaving a half-installed release.
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      values: [yaml().stringify(values)],
    });
    this.releases[name] = release;
    return release;
  }

  private addKubePrometheusStack(options: MonitoringOptions): void {
    const retention = options.retention ?? '15d';
    if (!/^\d+(ms|s|m|h|d|w|y)$/.test(retention)) {
      Problems.of(this).add({ code: 'RETENTION_INVALID', message: 'Prometheus retention is not a duration.', received: retention, fix: 'write it like 15d or 720h.' });
    }
    const release = this.release('kube-prometheus-stack', ADDON_CHARTS.kubePrometheusStack, AddonNamespaces.MONITORING, {
      prometheus: {
        prometheusSpec: {
          retention,
          // Pick up the ServiceMonitors, PodMonitors and rules of every namespace, not only the chart's.
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          storageSpec: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${options.storageGiB ?? 50}Gi` } } } } },
        },
      },
      grafana: {
        ...(options.grafanaAdminSecret ? { admin: { existingSecret: options.grafanaAdminSecret, userKey: 'admin-user', passwordKey: 'admin-password' } } : {}),
        sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } },
      },
    });
    if (!options.grafanaAdminSecret) {
      // A Secret nobody creates would stall Grafana and roll the release back; the chart's own default
      // password is public. A random one, made once: ignore_changes keeps uuid() from rotating it.
      const password = terraformData(this, 'grafana-admin-password', cdktf().Fn.sensitive(cdktf().Fn.uuid()), { ignoreChanges: ['input'] });
      release.putSetSensitive([{ name: 'grafana.adminPassword', value: password }]);
    }
  }

  private addIngressController(internalAnnotations: Readonly<Record<string, string>>, options: IngressControllerOptions, withMonitoring: boolean): void {
    const replicas = options.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) {
      Problems.of(this).add({ code: 'REPLICAS_INVALID', message: 'The ingress controller needs at least one replica.', received: replicas, fix: 'set replicas to 2 or more.' });
    }
    this.release('ingress-nginx', ADDON_CHARTS.ingressNginx, AddonNamespaces.INGRESS, {
      controller: {
        replicaCount: replicas,
        service: { annotations: options.internal === false ? {} : { ...internalAnnotations } },
        metrics: { enabled: withMonitoring, serviceMonitor: { enabled: withMonitoring } },
        // Serving routes use plain Prefix paths; snippets would let tenants inject configuration.
        allowSnippetAnnotations: false,
      },
    });
  }

  private addDcgmExporter(cluster: ManagedCluster<unknown>): void {
    const gpuTaints = cluster.profile.pools.filter((p) => p.gpusPerNode > 0).flatMap((p) => p.taints);
    const tolerations = new Map(gpuTaints.map((t) => [JSON.stringify(t), tolerationFor(t)]));
    this.release('dcgm-exporter', ADDON_CHARTS.dcgmExporter, AddonNamespaces.GPU_MONITORING, {
      // Scraped through the platform's PodMonitor.
      serviceMonitor: { enabled: false },
      tolerations: [...tolerations.values()],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: NodeLabels.ACCELERATOR, operator: 'Exists' }] }] } } },
    });
  }
}
