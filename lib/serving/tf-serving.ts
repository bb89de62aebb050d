import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ClusterProfile, Placement } from '../core/cluster-profile';
import { checkName, DNS_LABEL } from '../core/names';
import { isPinnedImage } from '../core/pod-security';
import { LABEL_PREFIX } from '../core/scheduling';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { Problem, Problems } from '../core/validation';
import { PlatformWorkload, undefinedReferenceProblems, WorkloadReferences } from '../core/workload';
import { identityAnnotations, identityPodLabels } from '../core/workload-identity';
import { installKubernetesGate } from '../policy/gate';
import { monitoringManifests, ServingAlerts } from './alerts';
import { autoscalerSpec, ServingAutoscaling } from './autoscaling';
import { trackManifests } from './deployment';
import { GRPC_PORT, REST_PORT, serviceManifest, ServingExposure } from './exposure';
import { ServedModel, ServingBatching } from './model-config';
import { ModelDelivery, ModelStorePlan, planModelStores } from './model-store';
import { ingressManifests, routeTable, RoutingInputs, splitsTraffic } from './routing';
import { ServingSummary } from './summary';
import { canaryModel, planTracks, ServingCanary, Track, TrackPlan } from './tracks';
import { validateCanary, validateExposure, validateGpus, validateModels, validateScaling } from './validation';

export type { ServingAlerts } from './alerts';
export type { ServingAutoscaling } from './autoscaling';
export type { ServingCanary, Track } from './tracks';
export type { ServingSummary } from './summary';

/** The pinned default images; the GPU variant is used when GPUs are requested. */
export const TF_SERVING_IMAGE = 'tensorflow/serving:2.18.0';
export const TF_SERVING_GPU_IMAGE = 'tensorflow/serving:2.18.0-gpu';

/** How often TF Serving lists base paths for new versions when some model's versions can change in storage. */
export const DEFAULT_MODEL_POLL_SECONDS = 60;

export interface TfServingProps {
  /** Name of the stack's objects. @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the tenant chart it is placed in */
  readonly namespace?: string;
  readonly models: readonly ServedModel[];
  /** Pinned image. @default TF_SERVING_IMAGE, or TF_SERVING_GPU_IMAGE when `gpus` > 0 */
  readonly image?: string;
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /** Whole GPUs per pod. @default 0 */
  readonly gpus?: number;
  /** Required when `gpus` > 0. @default - none */
  readonly accelerator?: Accelerator;
  /** CPU cores per pod, requested and limited. @default 2 */
  readonly cpu?: number;
  /** Memory per pod in GiB, requested and limited. @default 4 */
  readonly memoryGiB?: number;
  /** @default - no server-side batching */
  readonly batching?: ServingBatching;
  /** Replay each SavedModel's `assets.extra/tf_serving_warmup_requests` before serving. @default true */
  readonly warmup?: boolean;
  /** Fixed replica count, when `autoscaling` is not set. @default 2 */
  readonly replicas?: number;
  /** @default - a fixed replica count */
  readonly autoscaling?: ServingAutoscaling;
  /** @default ServingExposure.clusterInternal() */
  readonly expose?: ServingExposure;
  /** @default - no canary */
  readonly canary?: ServingCanary;
  /** Cloud identity for bucket access: GCP service account email, IAM role ARN or Entra client id, set on the stack's own ServiceAccount. @default - a ServiceAccount without cloud identity */
  readonly cloudIdentity?: string;
  /** How pods read models in buckets. @default ModelDelivery.csiMount() */
  readonly modelDelivery?: ModelDelivery;
  /**
   * Seconds between TF Serving's listings of each base path for new versions
   * (`--file_system_poll_wait_seconds`); 0 lists once at start.
   * @default 0 when every model pins specific versions (a new version is a config change, which rolls the pods), else DEFAULT_MODEL_POLL_SECONDS
   */
  readonly modelPollSeconds?: number;
  /** A PVC holding model directories, for base paths that are not bucket URIs. @default - none */
  readonly modelVolume?: { readonly claimName: string; readonly mountPath?: string };
  /** The cluster runs the Prometheus operator: emit a ServiceMonitor and a PrometheusRule. @default false */
  readonly prometheusOperator?: boolean;
  /** @default - the defaults of ServingAlerts */
  readonly alerts?: ServingAlerts;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
}

/** Labels that select a serving stack's pods. */
export const ServingLabels = {
  STACK: `${LABEL_PREFIX}/serving`,
  TRACK: `${LABEL_PREFIX}/track`,
  /** On the Services that only carry the Ingress's weighted paths. */
  ROUTE: `${LABEL_PREFIX}/route`,
} as const;

/**
 * A TensorFlow Serving stack: a Deployment per track (stable, canary) with its model config,
 * models mounted from the cluster's object store, a Service per track, autoscaling per track,
 * a disruption budget, exposure with weighted canary routing, metrics scraping and alerts.
 *
 * Readiness means every model answers: the probe asks the REST API for each model's metadata,
 * which TF Serving returns only from a loaded servable (404 until then); a tcpSocket liveness probe
 * on the gRPC port keeps liveness and readiness distinct.
 */
export class TfServing extends Construct implements PlatformWorkload {
  public readonly name: string;
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly cluster: ClusterProfile;
  /** The emitted objects. */
  public readonly apiObjects: ApiObject[] = [];
  private readonly props: TfServingProps;
  private readonly problems: Problems;
  private readonly placement?: Placement;
  private readonly plans: TrackPlan[];
  private readonly store: ModelStorePlan;

  constructor(scope: Construct, id: string, props: TfServingProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? id;
    this.problems = Problems.of(this);
    ({ cluster: this.cluster, namespace: this.namespace } = resolveWorkloadScope(this, props, this.problems));
    this.clusterName = this.cluster.name;
    installKubernetesGate(this, this.clusterName);
    this.problems.addCheck(() => undefinedReferenceProblems(this));
    this.placement = props.accelerator ? this.cluster.placementFor(props.accelerator) : undefined;
    const add = (p: Problem) => this.problems.add(p);

    const auto = props.autoscaling;
    const fixed = props.replicas ?? 2;
    this.plans = planTracks({
      models: props.models,
      image: props.image ?? (props.gpus ? TF_SERVING_GPU_IMAGE : TF_SERVING_IMAGE),
      minReplicas: auto ? auto.minReplicas : fixed,
      maxReplicas: auto ? auto.maxReplicas : fixed,
      canary: props.canary,
    });
    this.store = planModelStores({
      models: props.models,
      cluster: this.cluster,
      delivery: props.modelDelivery ?? ModelDelivery.csiMount(),
      identity: props.cloudIdentity,
      stack: this.name,
      namespace: this.namespace,
      volumeMountPath: props.modelVolume ? props.modelVolume.mountPath ?? '/models' : undefined,
    }, add);
    this.validate(add);

    const serviceAccount = this.emitServiceAccount();
    for (const plan of this.plans) this.emitTrack(plan, serviceAccount);
    this.store.objects.forEach((manifest, i) => this.add(`store-${i}`, manifest));
    if (this.plans.reduce((sum, p) => sum + p.minReplicas, 0) >= 2) {
      this.add('pdb', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: this.metadata(this.name), spec: { maxUnavailable: 1, selector: { matchLabels: this.labels() } } });
    }
    for (const plan of this.plans) this.emitService(plan.track, this.trackName(plan.track));
    if (splitsTraffic(this.routing())) {
      for (const plan of this.plans) this.emitService(plan.track, `${this.trackName(plan.track)}-weighted`, true);
    }
    for (const { id: objectId, manifest } of ingressManifests(this.routing())) this.add(objectId, manifest);
    const monitoring = monitoringManifests({
      name: this.name,
      namespace: this.namespace,
      models: props.models.map((m) => m.name),
      deployments: this.plans.map((p) => this.trackName(p.track)),
      alerts: props.alerts ?? {},
      prometheusOperator: props.prometheusOperator ?? false,
      selector: this.labels(),
      excludeLabel: ServingLabels.ROUTE,
      metadata: (name) => this.metadata(name),
    });
    for (const { id: objectId, manifest } of monitoring) this.add(objectId, manifest);
  }

  /** The GPUs the stack may hold at its largest, by accelerator. */
  public gpuDemand(): Map<Accelerator, number> {
    const gpus = this.props.gpus ?? 0;
    if (!this.props.accelerator || gpus === 0) return new Map();
    return new Map([[this.props.accelerator, this.plans.reduce((sum, p) => sum + p.maxReplicas * gpus, 0)]]);
  }

  public fixedGpuDemand(): number {
    return this.plans.reduce((sum, p) => sum + p.minReplicas * (this.props.gpus ?? 0), 0);
  }

  /** What the stack serves and where, for reports: the route table says which pods answer which path. */
  public describe(): ServingSummary {
    const expose = this.props.expose ?? ServingExposure.clusterInternal();
    const endpoint = expose.kind === 'ingress' ? `ingress ${expose.ingress!.host}`
      : expose.kind === 'load-balancer' ? `${expose.loadBalancer.internal === false ? 'external' : 'internal'} load balancer`
      : 'cluster-internal';
    const routes = routeTable(this.routing());
    const canary = this.plans.some((p) => p.track === 'canary') ? this.props.canary?.weight : undefined;
    return {
      name: this.name,
      namespace: this.namespace,
      cluster: this.clusterName,
      models: this.props.models.map((m) => m.name),
      ports: { grpc: GRPC_PORT, http: REST_PORT },
      endpoint,
      paths: [...new Set(routes.filter((r) => r.host !== undefined).map((r) => r.path))],
      minReplicas: this.plans.reduce((sum, p) => sum + p.minReplicas, 0),
      maxReplicas: this.plans.reduce((sum, p) => sum + p.maxReplicas, 0),
      gpusPerPod: this.props.gpus ?? 0,
      accelerator: (this.props.gpus ?? 0) > 0 ? this.props.accelerator?.id : undefined,
      canaryWeight: canary,
      routes,
    };
  }

  public references(): WorkloadReferences {
    const { props } = this;
    return {
      serviceAccounts: [],
      persistentVolumeClaims: props.modelVolume ? [props.modelVolume.claimName] : [],
      secrets: props.expose?.ingress?.tlsSecretName ? [props.expose.ingress.tlsSecretName] : [],
      priorityClasses: props.priorityClassName ? [props.priorityClassName] : [],
    };
  }

  private routing(): RoutingInputs {
    const canary = this.props.canary;
    const target = canaryModel(this.props.models, canary);
    const running = this.plans.some((p) => p.track === 'canary');
    return {
      name: this.name,
      namespace: this.namespace,
      plans: this.plans,
      canaryWeight: running ? canary?.weight : undefined,
      canaryChanges: (model) => running && (canary?.image !== undefined || target?.name === model),
      services: { stable: this.trackName('stable'), canary: this.trackName('canary') },
      weightedServices: { stable: `${this.name}-weighted`, canary: `${this.name}-canary-weighted` },
      ingress: this.props.expose?.kind === 'ingress' ? this.props.expose.ingress : undefined,
      metadata: (name, extra) => this.metadata(name, extra),
    };
  }

  private pollSeconds(): number {
    const given = this.props.modelPollSeconds;
    if (given !== undefined) return given;
    return this.props.models.every((m) => m.versions?.kind === 'specific') ? 0 : DEFAULT_MODEL_POLL_SECONDS;
  }

  private validate(add: (p: Problem) => void): void {
    const { props } = this;
    const expose = props.expose ?? ServingExposure.clusterInternal();
    checkName(this.name, DNS_LABEL, 'SERVING_NAME_INVALID').forEach(add);
    checkName(this.namespace, DNS_LABEL, 'NAMESPACE_INVALID').forEach(add);
    const services = [...this.plans.map((p) => this.trackName(p.track)), ...(splitsTraffic(this.routing()) ? [`${this.name}-canary-weighted`] : [])];
    const longest = services.reduce((a, b) => (b.length > a.length ? b : a), '');
    if (longest.length > 63) {
      add({ code: 'SERVING_NAME_TOO_LONG', message: `Service name "${longest}" is longer than the 63 characters Kubernetes allows.`, received: this.name, fix: `shorten the stack name to ${63 - (longest.length - this.name.length)} characters or fewer.` });
    }
    validateModels(props.models, add);
    for (const image of [props.image, props.canary?.image]) {
      if (image !== undefined && !isPinnedImage(image)) add({ code: 'IMAGE_NOT_PINNED', message: 'The serving image is not pinned.', received: image, fix: `use a version tag other than "latest" or a digest, e.g. ${TF_SERVING_IMAGE}.` });
    }
    if ((props.gpus ?? 0) > 0 && props.image && !/gpu/i.test(props.image)) {
      this.problems.warn({ code: 'IMAGE_NOT_GPU_VARIANT', message: 'GPUs are requested but the image does not look like a GPU build; the model may run on CPU.', received: props.image, fix: `use a -gpu image, e.g. ${TF_SERVING_GPU_IMAGE}.` });
    }
    const poll = props.modelPollSeconds;
    if (poll !== undefined && (!Number.isInteger(poll) || poll < 0)) {
      add({ code: 'MODEL_POLL_INVALID', message: 'The model polling interval is a whole number of seconds; 0 lists the base paths once at start.', received: poll, fix: `use 0 or more, e.g. ${DEFAULT_MODEL_POLL_SECONDS}.` });
    }
    validateScaling(props.autoscaling, props.replicas, add);
    validateCanary(props.canary, props.models, expose, add);
    validateGpus({ gpus: props.gpus ?? 0, accelerator: props.accelerator, cluster: this.cluster, name: this.name, demand: this.gpuDemand() }, add);
    validateExposure(expose, this.plans, props.models, add, (p) => this.problems.warn(p));
  }

  private add(id: string, manifest: Record<string, unknown> & { apiVersion: string; kind: string }): ApiObject {
    const object = new ApiObject(this, id, manifest);
    this.apiObjects.push(object);
    return object;
  }

  private trackName(track: Track): string {
    return track === 'stable' ? this.name : `${this.name}-canary`;
  }

  private labels(track?: Track): Record<string, string> {
    return { [ServingLabels.STACK]: this.name, ...(track ? { [ServingLabels.TRACK]: track } : {}) };
  }

  private metadata(name: string, extra: Record<string, unknown> = {}) {
    return { name, namespace: this.namespace, labels: { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': this.name, ...this.labels() }, ...extra };
  }

  /** Every stack runs as its own ServiceAccount, never `default`; with a cloud identity when given. */
  private emitServiceAccount(): string {
    const identity = this.props.cloudIdentity;
    this.add('service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: this.metadata(this.name, identity ? { annotations: identityAnnotations(this.cluster, identity, this.problems) } : {}),
      automountServiceAccountToken: false,
    });
    return this.name;
  }

  private emitTrack(plan: TrackPlan, serviceAccount: string): void {
    const { props } = this;
    const name = this.trackName(plan.track);
    const { config, deployment } = trackManifests({
      name,
      plan,
      selector: this.labels(plan.track),
      podLabels: props.cloudIdentity ? identityPodLabels(this.cluster) : {},
      serviceAccount,
      cpu: props.cpu ?? 2,
      memoryGiB: props.memoryGiB ?? 4,
      gpus: props.gpus ?? 0,
      placement: this.placement,
      batching: props.batching,
      warmup: props.warmup ?? true,
      pollSeconds: this.pollSeconds(),
      replicas: props.autoscaling ? undefined : plan.minReplicas,
      priorityClassName: props.priorityClassName,
      prometheusOperator: props.prometheusOperator ?? false,
      store: this.store,
      modelVolume: props.modelVolume,
      metadata: (n) => this.metadata(n),
    });
    this.add(`${plan.track}-config`, config);
    this.add(`${plan.track}-deployment`, deployment);
    if (props.autoscaling) {
      this.add(`${plan.track}-hpa`, {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: this.metadata(name),
        spec: autoscalerSpec(name, plan.minReplicas, plan.maxReplicas, props.autoscaling),
      });
    }
  }

  private emitService(track: Track, name: string, weighted = false): void {
    const metadata = this.metadata(name);
    this.add(`${track}-${weighted ? 'weighted-' : ''}service`, serviceManifest({
      metadata: { ...metadata, labels: { ...metadata.labels, ...(weighted ? { [ServingLabels.ROUTE]: 'weighted' } : {}) } },
      selector: this.labels(track),
      expose: weighted ? ServingExposure.clusterInternal() : this.props.expose ?? ServingExposure.clusterInternal(),
      cluster: this.cluster,
    }));
  }
}
