import { ApiObject } from 'cdk8s';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import type { IPodSelector, PodSelectorConfig } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ClusterProfile, Placement } from '../core/cluster-profile';
import { interned } from '../core/interned';
import { LABEL_PREFIX } from '../core/scheduling';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { Problem, Problems } from '../core/validation';
import { PlatformWorkload, undefinedReferenceProblems, WorkloadReferences } from '../core/workload';
import { identityAnnotations, identityPodLabels } from '../core/workload-identity';
import * as k8s from '../imports/k8s';
import { emitKubeObject, kubeObject, KubeObjectSpec, kubeObjectSpec, lateKubeObject } from '../k8s/kube-object';
import { containerProblems, envFromSecretProblems, volumeProblems } from '../k8s/pod-arguments';
import { ContainerSpec, NamedObject, PodTemplate } from '../k8s/pod-template';
import { installKubernetesGate } from '../policy/gate';
import { monitoringObjects } from './alerts';
import { autoscalerSpec } from './autoscaling';
import { trackObjects } from './deployment';
import { GRPC_PORT, REST_PORT, serviceProps, ServingExposure } from './exposure';
import { ModelDelivery, ModelStorePlan, planModelStores } from './model-store';
import { ingresses, routeTable, RoutingInputs, splitsTraffic } from './routing';
import { ServingSummary } from './summary';
import { DEFAULT_MODEL_POLL_SECONDS, TF_SERVING_GPU_IMAGE, TF_SERVING_IMAGE, TfServingProps } from './serving-props';
import { shapeProblems, wellShapedFields } from '../core/props-shape';
import { SERVING_PROPS_SHAPE, SERVING_REQUIRED, validateStack } from './stack-validation';
import { canaryModel, planTracks, Track, TrackPlan } from './tracks';

export type { ServingAlerts } from './alerts';
export type { ServingAutoscaling } from './autoscaling';
export type { ServingCanary, Track } from './tracks';
export type { ServingSummary } from './summary';

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
export class TfServing extends Construct implements PlatformWorkload, IPodSelector {
  public readonly name: string;
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly cluster: ClusterProfile;
  /** The emitted objects. */
  public readonly apiObjects: ApiObject[] = [];
  /** The stack's own ServiceAccount, with the cloud identity when one is given. */
  public readonly serviceAccount: ApiObject;
  /** The Deployment of each running track (`stable`, and `canary` while one runs). */
  public readonly deployments: Readonly<Partial<Record<Track, ApiObject>>> = {};
  /** The model-config ConfigMap of each track. */
  public readonly configMaps: Readonly<Partial<Record<Track, ApiObject>>> = {};
  /** The HorizontalPodAutoscaler of each track, when the stack autoscales. */
  public readonly autoscalers: Readonly<Partial<Record<Track, ApiObject>>> = {};
  // Keyed by the stack's own names, so without a prototype: V8 records a hidden-class transition
  // from `{}` for every distinct first key, and past its limit (between 1,000 and 1,600 stacks)
  // every object later built up from `{}` with a new key got a hidden class of its own: cdk8s's
  // YAML writer builds its contexts that way, and ran 2-3 times as slowly for the whole process.
  /** The Service of each track, by Service name (`<name>`, `<name>-canary`, and the weighted pair behind a canary Ingress); an object without a prototype. */
  public readonly services: Readonly<Record<string, ApiObject>> = Object.create(null);
  /** The Ingresses, by construct id (`ingress`, `canary-ingress`, `route-<prefix>`), when exposed through an Ingress; an object without a prototype. */
  public readonly ingresses: Readonly<Record<string, ApiObject>> = Object.create(null);
  /** The PodDisruptionBudget, when the stack runs at least two pods. */
  public readonly podDisruptionBudget?: ApiObject;
  /** The ServiceMonitor (with `prometheusOperator`), and the alert rules: a PrometheusRule, or a ConfigMap with a rule file. */
  public readonly monitoring: { readonly serviceMonitor?: ApiObject; readonly alerts?: ApiObject } = {};
  private readonly pods: PodTemplate[] = [];
  private readonly props: TfServingProps;
  private readonly problems: Problems;
  private readonly placement?: Placement;
  private readonly plans: TrackPlan[];
  private readonly store: ModelStorePlan;
  /** Built on first use: the Services, the Ingresses and the route table all read it. */
  private routingInputs?: RoutingInputs;

  constructor(scope: Construct, id: string, props: TfServingProps) {
    checkConstructArguments('TfServing', scope, id, IN_CHART);
    super(scope, id);
    this.problems = Problems.of(this);
    // JavaScript callers and JSON config get the same checks as TypeScript; a bad shape builds nothing.
    const shape = shapeProblems(props, SERVING_PROPS_SHAPE, SERVING_REQUIRED, 'props');
    shape.forEach((p) => this.problems.add(p));
    if (shape.length > 0) props = { models: [], ...wellShapedFields<TfServingProps>(props, SERVING_PROPS_SHAPE) };
    // Model names go into other names, paths and rules: interned, those stay one byte a character.
    else props = { ...props, models: props.models.map((m) => ({ ...m, name: interned(m.name) })) };
    this.props = props;
    this.name = interned(props.name ?? id);
    ({ cluster: this.cluster, namespace: this.namespace } = resolveWorkloadScope(this, props, this.problems));
    this.clusterName = this.cluster.name;
    installKubernetesGate(this, this.clusterName);
    this.problems.addCheck(() => undefinedReferenceProblems(this));
    this.placement = props.accelerator ? this.cluster.placementFor(props.accelerator) : undefined;
    let refused = shape.length > 0;
    const add = (p: Problem) => { refused = true; this.problems.add(p); };

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
    validateStack({
      props, name: this.name, namespace: this.namespace, cluster: this.cluster, plans: this.plans, gpuDemand: this.gpuDemand(),
      serviceNames: [...this.plans.map((p) => this.trackName(p.track)), ...(splitsTraffic(this.routing()) ? [`${this.name}-canary-weighted`] : [])],
    }, add, (p) => this.problems.warn(p));

    this.serviceAccount = this.emitServiceAccount();
    // A refused stack builds nothing more: bad routes, names or numbers would make the builders throw.
    if (refused) return;
    for (const plan of this.plans) this.emitTrack(plan, this.name);
    this.store.objects.forEach((object, i) => this.add(`store-${i}`, object));
    if (this.plans.reduce((sum, p) => sum + p.minReplicas, 0) >= 2) {
      this.podDisruptionBudget = this.add('pdb', kubeObjectSpec(k8s.KubePodDisruptionBudget.GVK, k8s.toJson_KubePodDisruptionBudgetProps, {
        metadata: this.metadata(this.name),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.labels() } },
      }));
    }
    for (const plan of this.plans) this.emitService(plan.track, this.trackName(plan.track));
    if (splitsTraffic(this.routing())) {
      for (const plan of this.plans) this.emitService(plan.track, `${this.trackName(plan.track)}-weighted`, true);
    }
    for (const { id: objectId, props: ingress } of ingresses(this.routing())) {
      (this.ingresses as Record<string, ApiObject>)[objectId] = this.add(objectId, kubeObjectSpec(k8s.KubeIngress.GVK, k8s.toJson_KubeIngressProps, ingress));
    }
    const monitoring = monitoringObjects({
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
    for (const { id: objectId, object } of monitoring) {
      const emitted = this.add(objectId, object);
      this.monitoring = objectId === 'alerts' ? { ...this.monitoring, alerts: emitted } : { ...this.monitoring, serviceMonitor: emitted };
    }
  }

  /** Sets `name` in the serving pods of every track from `key` of a Secret (a name or a cdk8s-plus `ISecret`). */
  public addEnvFromSecret(name: string, secret: NamedObject, key: string): void {
    if (this.listed(envFromSecretProblems(name, secret, key, 'addEnvFromSecret'))) return;
    this.pods.forEach((pod) => pod.addEnvFromSecret(name, secret, key));
  }

  /** Adds a volume to the serving pods of every track, mounted into every container when `mount` is given. */
  public addVolume(volume: k8s.Volume, mount?: { readonly mountPath: string; readonly readOnly?: boolean }): void {
    if (this.listed(volumeProblems(volume, mount, 'addVolume'))) return;
    this.pods.forEach((pod) => pod.addVolume(volume, mount));
  }

  /** Adds a sidecar container to the serving pods of every track; it gets the same restricted context and resources rules. */
  public addSidecar(container: ContainerSpec): void {
    if (this.listed(containerProblems(container, 'addSidecar'))) return;
    this.pods.forEach((pod) => pod.addContainer(container));
  }

  /** Records a JavaScript caller's badly shaped arguments; true when there were any, and nothing is added. */
  private listed(problems: readonly Problem[]): boolean {
    problems.forEach((p) => this.problems.add(p));
    return problems.length > 0;
  }

  /**
   * Selects every serving pod of the stack, both tracks, for cdk8s-plus (`kplus.NetworkPolicy`
   * peers and selectors). cdk8s-plus is loaded only when a program composes with it.
   */
  public toPodSelectorConfig(): PodSelectorConfig {
    const kplus: typeof import('cdk8s-plus-27') = require('cdk8s-plus-27');
    return { labelSelector: kplus.LabelSelector.of({ labels: this.labels() }), namespaces: { names: [this.namespace] } };
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
    this.routingInputs ??= this.routingOf();
    return this.routingInputs;
  }

  private routingOf(): RoutingInputs {
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



  private add(id: string, spec: KubeObjectSpec): ApiObject {
    const object = emitKubeObject(this, id, spec);
    this.apiObjects.push(object);
    return object;
  }

  private trackName(track: Track): string {
    return track === 'stable' ? this.name : `${this.name}-canary`;
  }

  private labels(track?: Track): Record<string, string> {
    return { [ServingLabels.STACK]: this.name, ...(track ? { [ServingLabels.TRACK]: track } : {}) };
  }

  private metadata(name: string, extra: Partial<k8s.ObjectMeta> = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { 'app.kubernetes.io/name': 'tensorflow-serving', 'app.kubernetes.io/instance': this.name, ...this.labels() }, ...extra };
  }

  /** Every stack runs as its own ServiceAccount, never `default`; with a cloud identity when given. */
  private emitServiceAccount(): ApiObject {
    const identity = this.props.cloudIdentity;
    const account = kubeObject(this, 'service-account', k8s.KubeServiceAccount.GVK, k8s.toJson_KubeServiceAccountProps, {
      metadata: this.metadata(this.name, identity ? { annotations: identityAnnotations(this.cluster, identity, this.problems) } : {}),
      automountServiceAccountToken: false,
    });
    this.apiObjects.push(account);
    return account;
  }

  private emitTrack(plan: TrackPlan, serviceAccount: string): void {
    const { props } = this;
    const name = this.trackName(plan.track);
    const track = trackObjects({
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
    this.pods.push(track.pod);
    const config = kubeObject(this, `${plan.track}-config`, k8s.KubeConfigMap.GVK, k8s.toJson_KubeConfigMapProps, track.config);
    // The spec is written at synth, so env, volumes and sidecars added to the stack later are in it.
    const deployment = lateKubeObject(this, `${plan.track}-deployment`, k8s.KubeDeployment.GVK, this.metadata(name), 'spec', k8s.toJson_DeploymentSpec, track.deploymentSpec);
    this.apiObjects.push(config, deployment);
    (this.configMaps as Record<Track, ApiObject>)[plan.track] = config;
    (this.deployments as Record<Track, ApiObject>)[plan.track] = deployment;
    if (props.autoscaling) {
      (this.autoscalers as Record<Track, ApiObject>)[plan.track] = this.add(`${plan.track}-hpa`, kubeObjectSpec(k8s.KubeHorizontalPodAutoscalerV2.GVK, k8s.toJson_KubeHorizontalPodAutoscalerV2Props, {
        metadata: this.metadata(name),
        spec: autoscalerSpec(name, plan.minReplicas, plan.maxReplicas, props.autoscaling),
      }));
    }
  }

  private emitService(track: Track, name: string, weighted = false): void {
    const metadata = this.metadata(name);
    (this.services as Record<string, ApiObject>)[name] = this.add(`${track}-${weighted ? 'weighted-' : ''}service`, kubeObjectSpec(k8s.KubeService.GVK, k8s.toJson_KubeServiceProps, serviceProps({
      metadata: { ...metadata, labels: { ...metadata.labels, ...(weighted ? { [ServingLabels.ROUTE]: 'weighted' } : {}) } },
      selector: this.labels(track),
      expose: weighted ? ServingExposure.clusterInternal() : this.props.expose ?? ServingExposure.clusterInternal(),
      cluster: this.cluster,
    })));
  }
}
