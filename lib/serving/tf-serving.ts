import { ApiObject } from 'cdk8s';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { stringify } from 'yaml';
import { Accelerator } from '../core/accelerator';
import { checkAuthorizedCidrs } from '../core/cidr';
import { ClusterProfile, Placement } from '../core/cluster-profile';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { checkName, DNS_LABEL } from '../core/names';
import {
  isPinnedImage, RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME,
} from '../core/pod-security';
import { cpuQuantity, memoryQuantity } from '../core/quantities';
import { LABEL_PREFIX } from '../core/scheduling';
import { Problem, Problems } from '../core/validation';
import { PlatformWorkload, undefinedReferenceProblems, WorkloadReferences } from '../core/workload';
import { identityAnnotations, identityPodLabels } from '../core/workload-identity';
import { ServingExposure, VersionRoute } from './exposure';
import {
  batchingParametersText, ModelVersionPolicy, modelServerConfigText, monitoringConfigText, PROMETHEUS_METRICS_PATH, ServedModel, ServingBatching,
} from './model-config';

/** TF Serving's ports. */
export const GRPC_PORT = 8500;
export const REST_PORT = 8501;

/** The pinned default images; the GPU variant is used when GPUs are requested. */
export const TF_SERVING_IMAGE = 'tensorflow/serving:2.18.0';
export const TF_SERVING_GPU_IMAGE = 'tensorflow/serving:2.18.0-gpu';

export interface ServingAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly targetCpuUtilization?: number;
  /** @default - memory is not a scaling signal */
  readonly targetMemoryUtilization?: number;
  /** A per-pod metric served by a metrics adapter (e.g. Prometheus Adapter). @default - none */
  readonly podMetric?: { readonly name: string; readonly targetAverageValue: string };
}

/**
 * A canary: a second model version or image that takes `weight` percent of the traffic.
 * Mechanism: a second Deployment behind the same Service, sized so that canary pods are `weight`
 * percent of all pods; traffic follows pods, so the precision is one pod in the total (10 pods →
 * 10 % steps) and synth warns when the requested weight cannot be met exactly. Weight 100 promotes
 * the canary: the main Deployment takes its version and image and the canary objects go away.
 */
export interface ServingCanary {
  /** 0–100. */
  readonly weight: number;
  /** The model whose version the canary changes. @default - the only model */
  readonly model?: string;
  /** The canary's version of that model; the stable one is the model's `stable` label or its single specific version. @default - the stable version */
  readonly version?: number;
  /** The canary's image. @default - the stack's image */
  readonly image?: string;
}

export interface ServingAlerts {
  /** Fraction of failed requests that raises the error-rate alert. @default 0.05 */
  readonly errorRatio?: number;
  /** 99th-percentile latency that raises the latency alert. @default 500 */
  readonly p99LatencyMs?: number;
}

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
  /** A PVC holding model directories, for base paths that are not bucket URIs. @default - none */
  readonly modelVolume?: { readonly claimName: string; readonly mountPath?: string };
  /** The cluster runs the Prometheus operator: emit a ServiceMonitor and a PrometheusRule. @default false */
  readonly prometheusOperator?: boolean;
  /** @default - the defaults of ServingAlerts */
  readonly alerts?: ServingAlerts;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
}

/** A serving stack at a glance. */
export interface ServingSummary {
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly models: readonly string[];
  readonly ports: { readonly grpc: number; readonly http: number };
  /** How clients reach it. */
  readonly endpoint: string;
  /** Ingress paths, when exposed through an Ingress. */
  readonly paths: readonly string[];
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly gpusPerPod: number;
  /**
   * Catalogue id of the accelerator.
   * @default - none: CPU pods
   */
  readonly accelerator?: string;
  /**
   * Percent of traffic on the canary.
   * @default - no canary running
   */
  readonly canaryWeight?: number;
}

/** Labels that select a serving stack's pods. */
export const ServingLabels = {
  STACK: `${LABEL_PREFIX}/serving`,
  TRACK: `${LABEL_PREFIX}/track`,
} as const;

const BUCKET_URI = /^(gs|s3|az|abfss):\/\//;
const CONFIG_DIR = '/etc/tfserving';
const PRE_STOP_SECONDS = 15;

type Track = 'stable' | 'canary';

interface TrackPlan {
  readonly track: Track;
  readonly models: readonly ServedModel[];
  readonly image: string;
  readonly replicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/**
 * A TensorFlow Serving stack: Deployment(s), model and monitoring config, Service, autoscaling,
 * disruption budget, exposure, metrics scraping and alerts.
 *
 * Readiness means the model answers: the probe asks the REST API for the model's metadata, which
 * TF Serving returns only from a loaded servable (404 until then); a tcpSocket liveness probe on
 * the gRPC port keeps liveness and readiness distinct.
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
    this.validate();

    const plans = this.plan();
    const serviceAccount = this.emitServiceAccount();
    for (const plan of plans) this.emitTrack(plan, serviceAccount);
    if (plans.reduce((sum, p) => sum + p.minReplicas, 0) >= 2) this.emitDisruptionBudget();
    this.emitService(this.name, 'stable');
    if (plans.some((p) => p.track === 'canary')) this.emitService(`${this.name}-canary`, 'canary');
    this.emitExposure(plans.some((p) => p.track === 'canary'));
    this.emitVersionRoutes();
    this.emitMonitoring();
  }

  /** The GPUs the stack may hold at its largest, by accelerator. */
  public gpuDemand(): Map<Accelerator, number> {
    const gpus = this.props.gpus ?? 0;
    if (!this.props.accelerator || gpus === 0) return new Map();
    return new Map([[this.props.accelerator, this.plan().reduce((sum, p) => sum + p.maxReplicas * gpus, 0)]]);
  }

  /** What the stack serves and where, for reports. */
  public describe(): ServingSummary {
    const plans = this.plan();
    const expose = this.props.expose ?? ServingExposure.clusterInternal();
    const endpoint = expose.kind === 'ingress' ? `ingress ${expose.ingress!.host}`
      : expose.kind === 'load-balancer' ? `${expose.loadBalancer.internal === false ? 'external' : 'internal'} load balancer`
      : 'cluster-internal';
    return {
      name: this.name,
      namespace: this.namespace,
      cluster: this.clusterName,
      models: this.props.models.map((m) => m.name),
      ports: { grpc: GRPC_PORT, http: REST_PORT },
      endpoint,
      paths: [
        ...this.ingressPaths(plans.some((p) => p.track === 'canary')).map((p) => p.path),
        ...(expose.ingress?.versionRoutes ?? []).map((r) => r.prefix),
      ],
      minReplicas: plans.reduce((sum, p) => sum + p.minReplicas, 0),
      maxReplicas: plans.reduce((sum, p) => sum + p.maxReplicas, 0),
      gpusPerPod: this.props.gpus ?? 0,
      accelerator: (this.props.gpus ?? 0) > 0 ? this.props.accelerator?.id : undefined,
      canaryWeight: this.props.canary && this.props.canary.weight < 100 ? this.props.canary.weight : undefined,
    };
  }

  public fixedGpuDemand(): number {
    return this.plan().reduce((sum, p) => sum + p.minReplicas * (this.props.gpus ?? 0), 0);
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

  // ---- planning: how many pods of which track serve which config ------------------------

  private plan(): TrackPlan[] {
    const { props } = this;
    const auto = props.autoscaling;
    const total = auto ? auto.minReplicas : props.replicas ?? 2;
    const max = auto ? auto.maxReplicas : total;
    const image = props.image ?? (props.gpus ? TF_SERVING_GPU_IMAGE : TF_SERVING_IMAGE);
    const canary = props.canary;
    if (!canary) return [{ track: 'stable', models: props.models, image, replicas: total, minReplicas: total, maxReplicas: max }];

    const target = this.canaryTarget();
    const canaryModels = target ? this.withVersion(target.model, target.canaryVersion, 'canary') : props.models;
    const canaryImage = canary.image ?? image;
    if (canary.weight >= 100) {
      return [{ track: 'stable', models: canaryModels, image: canaryImage, replicas: total, minReplicas: total, maxReplicas: max }];
    }
    const stableModels = target ? this.withVersion(target.model, target.stableVersion, 'stable') : props.models;
    const share = (count: number) => (canary.weight <= 0 ? 0 : Math.min(count - 1, Math.max(1, Math.round((count * canary.weight) / 100))));
    const canaryMin = share(total);
    const canaryMax = share(max);
    return [
      { track: 'stable', models: stableModels, image, replicas: total - canaryMin, minReplicas: total - canaryMin, maxReplicas: max - canaryMax },
      { track: 'canary', models: canaryModels, image: canaryImage, replicas: canaryMin, minReplicas: canaryMin, maxReplicas: canaryMax },
    ];
  }

  private canaryTarget(): { model: ServedModel; stableVersion: number; canaryVersion: number } | undefined {
    const canary = this.props.canary;
    if (!canary || canary.version === undefined) return undefined;
    const model = canary.model ? this.props.models.find((m) => m.name === canary.model) : this.props.models.length === 1 ? this.props.models[0] : undefined;
    const stableVersion = model ? stableVersionOf(model) : undefined;
    if (!model || stableVersion === undefined) return undefined;
    return { model, stableVersion, canaryVersion: canary.version };
  }

  /** The models, with `model` pinned to `version` under `label`. */
  private withVersion(model: ServedModel, version: number, label: Track): ServedModel[] {
    return this.props.models.map((m) => (m === model ? { ...m, versions: ModelVersionPolicy.specific(version), labels: { [label]: version } } : m));
  }

  // ---- validation -------------------------------------------------------------------------

  private validate(): void {
    const add = (p: Problem) => this.problems.add(p);
    const { props } = this;
    checkName(this.name, DNS_LABEL, 'SERVING_NAME_INVALID').forEach(add);
    checkName(this.namespace, DNS_LABEL, 'NAMESPACE_INVALID').forEach(add);
    if (props.models.length === 0) add({ code: 'MODELS_MISSING', message: 'A serving stack needs at least one model.', received: [], fix: 'list the models to serve.' });
    const seen = new Set<string>();
    for (const model of props.models) {
      checkName(model.name, DNS_LABEL, 'MODEL_NAME_INVALID').forEach((p) => add({ ...p, message: `Model name "${model.name}" is not usable in URLs, metric labels and object names.` }));
      if (seen.has(model.name)) add({ code: 'MODEL_DUPLICATE', message: `Two models are named "${model.name}"; TF Serving would refuse the config.`, received: model.name, fix: 'give each model its own name.' });
      seen.add(model.name);
      this.validateModel(model, add);
    }
    for (const image of [props.image, props.canary?.image]) {
      if (image !== undefined && !isPinnedImage(image)) add({ code: 'IMAGE_NOT_PINNED', message: 'The serving image is not pinned.', received: image, fix: `use a version tag other than "latest" or a digest, e.g. ${TF_SERVING_IMAGE}.` });
    }
    if ((props.gpus ?? 0) > 0 && props.image && !/gpu/i.test(props.image)) {
      this.problems.warn({ code: 'IMAGE_NOT_GPU_VARIANT', message: 'GPUs are requested but the image does not look like a GPU build; the model may run on CPU.', received: props.image, fix: `use a -gpu image, e.g. ${TF_SERVING_GPU_IMAGE}.` });
    }
    this.validateScaling(add);
    this.validateCanary(add);
    this.validateGpus(add);
    this.validateExposure(add);
  }

  private validateModel(model: ServedModel, add: (p: Problem) => void): void {
    const policy = model.versions ?? ModelVersionPolicy.latest(1);
    const badVersions = policy.kind === 'specific' ? policy.values.filter((v) => !Number.isInteger(v) || v < 1) : [];
    if (badVersions.length > 0 || (policy.kind === 'specific' && policy.values.length === 0)) {
      add({ code: 'MODEL_VERSION_INVALID', message: `Model "${model.name}" lists versions that are not version directories; TF Serving loads integer directories 1, 2, ….`, received: policy.values, fix: 'list positive whole numbers.' });
    }
    if (policy.kind === 'latest' && (!Number.isInteger(policy.values[0]) || policy.values[0] < 1)) {
      add({ code: 'MODEL_VERSION_INVALID', message: `Model "${model.name}" keeps a non-positive number of latest versions.`, received: policy.values[0], fix: 'use ModelVersionPolicy.latest(1) or more.' });
    }
    for (const [label, version] of Object.entries(model.labels ?? {})) {
      if (!/^[a-z][a-z0-9_-]*$/.test(label)) add({ code: 'VERSION_LABEL_INVALID', message: `Model "${model.name}" has a label name TF Serving's URLs cannot carry.`, received: label, fix: 'use lowercase letters, digits, "_" and "-", starting with a letter.' });
      if (!Number.isInteger(version) || version < 1) {
        add({ code: 'MODEL_VERSION_INVALID', message: `Label "${label}" of model "${model.name}" points at a version that is not a positive integer.`, received: version, fix: 'point labels at version numbers such as 1 or 2.' });
      } else if (policy.loads(version) === false) {
        add({ code: 'VERSION_LABEL_NOT_LOADED', message: `Label "${label}" of model "${model.name}" points at version ${version}, which the version policy does not load; TF Serving refuses labels on unloaded versions.`, received: { label, version, loaded: policy.values }, fix: `add ${version} to ModelVersionPolicy.specific(…), or point the label at a loaded version.` });
      } else if (policy.kind === 'latest') {
        add({ code: 'VERSION_LABEL_NOT_LOADED', message: `Label "${label}" of model "${model.name}" needs its version to be loaded, which a "latest" policy cannot promise.`, received: { label, version, policy: 'latest' }, fix: `use ModelVersionPolicy.specific(${version}, …) for labelled models.` });
      }
    }
    const volume = this.props.modelVolume;
    if (!BUCKET_URI.test(model.basePath)) {
      const mount = volume?.mountPath ?? '/models';
      if (!volume || !model.basePath.startsWith(`${mount}/`)) {
        add({ code: 'MODEL_PATH_INVALID', message: `Model "${model.basePath}" is neither a bucket URI nor under the model volume.`, received: model.basePath, fix: `use gs://, s3:// or az://, or set modelVolume and a base path under ${mount}/.` });
      }
    } else if (!this.props.cloudIdentity) {
      this.problems.warn({ code: 'BUCKET_WITHOUT_IDENTITY', message: `Model "${model.name}" is read from a bucket, but the stack has no cloud identity.`, received: model.basePath, fix: 'set cloudIdentity so the pods can read the bucket through workload identity.' });
    }
  }

  private validateScaling(add: (p: Problem) => void): void {
    const auto = this.props.autoscaling;
    if (auto) {
      if (!Number.isInteger(auto.maxReplicas) || auto.maxReplicas < 1) add({ code: 'HPA_MAX_INVALID', message: 'maxReplicas must be at least 1.', received: auto.maxReplicas, fix: 'set maxReplicas to 1 or more.' });
      if (!Number.isInteger(auto.minReplicas) || auto.minReplicas < 1) add({ code: 'HPA_MIN_INVALID', message: 'minReplicas must be at least 1: scaling to zero drops every request.', received: auto.minReplicas, fix: 'set minReplicas to 1 or more (2 or more for availability).' });
      if (auto.minReplicas > auto.maxReplicas) add({ code: 'HPA_MIN_GT_MAX', message: `minReplicas (${auto.minReplicas}) is greater than maxReplicas (${auto.maxReplicas}).`, received: { minReplicas: auto.minReplicas, maxReplicas: auto.maxReplicas }, fix: 'make minReplicas less than or equal to maxReplicas.' });
      for (const [field, value] of [['targetCpuUtilization', auto.targetCpuUtilization], ['targetMemoryUtilization', auto.targetMemoryUtilization]] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 100)) add({ code: 'HPA_TARGET_INVALID', message: `${field} must be a percentage of the request.`, received: value, fix: `set ${field} between 1 and 100.` });
      }
    } else if (this.props.replicas !== undefined && (!Number.isInteger(this.props.replicas) || this.props.replicas < 1)) {
      add({ code: 'REPLICAS_INVALID', message: 'A serving stack needs at least one replica.', received: this.props.replicas, fix: 'set replicas to 1 or more.' });
    }
  }

  private validateCanary(add: (p: Problem) => void): void {
    const canary = this.props.canary;
    if (!canary) return;
    if (!Number.isInteger(canary.weight) || canary.weight < 0 || canary.weight > 100) {
      add({ code: 'CANARY_WEIGHT_INVALID', message: 'The canary weight is a percentage of traffic.', received: canary.weight, fix: 'use a whole number from 0 to 100.' });
      return;
    }
    if (canary.version === undefined && canary.image === undefined) {
      add({ code: 'CANARY_EMPTY', message: 'The canary changes neither a model version nor the image.', received: canary, fix: 'set canary.version, canary.image, or both.' });
    }
    if (canary.version !== undefined) {
      const model = canary.model ? this.props.models.find((m) => m.name === canary.model) : this.props.models.length === 1 ? this.props.models[0] : undefined;
      if (!model) {
        add({ code: 'CANARY_MODEL_UNKNOWN', message: 'The canary does not name one of the served models.', received: canary.model, fix: `set canary.model to one of ${this.props.models.map((m) => m.name).join(', ')}.` });
      } else if (stableVersionOf(model) === undefined) {
        add({ code: 'CANARY_WITHOUT_STABLE', message: `Model "${model.name}" has no stable version for the rest of the traffic.`, received: { labels: model.labels, versions: model.versions?.values }, fix: 'label the stable version (labels: { stable: 1 }) or pin it with ModelVersionPolicy.specific(1).' });
      } else if (!Number.isInteger(canary.version) || canary.version < 1) {
        add({ code: 'MODEL_VERSION_INVALID', message: 'The canary version is not a version directory number.', received: canary.version, fix: 'use a positive whole number.' });
      } else if (canary.version === stableVersionOf(model)) {
        add({ code: 'CANARY_SAME_AS_STABLE', message: `The canary version ${canary.version} is the stable version of "${model.name}".`, received: canary.version, fix: 'point the canary at the new version.' });
      }
    }
    const plans = this.plan();
    const total = plans.reduce((sum, p) => sum + p.minReplicas, 0);
    const canaryPods = plans.find((p) => p.track === 'canary')?.minReplicas ?? (canary.weight >= 100 ? total : 0);
    const actual = Math.round((canaryPods / total) * 1000) / 10;
    if (actual !== canary.weight) {
      this.problems.warn({
        code: 'CANARY_WEIGHT_ROUNDED',
        message: `A replica ratio over ${total} pod(s) gives the canary ${actual}% of traffic, not ${canary.weight}%.`,
        received: canary.weight,
        fix: `use more replicas (precision is one pod: ${Math.round(1000 / total) / 10}% here) or a weight that is a multiple of it.`,
      });
    }
  }

  private validateGpus(add: (p: Problem) => void): void {
    const { props } = this;
    const gpus = props.gpus ?? 0;
    if (!Number.isInteger(gpus) || gpus < 0) {
      add({ code: 'GPU_COUNT_INVALID', message: 'GPUs are counted in whole devices.', received: gpus, fix: 'use a whole number of GPUs.' });
      return;
    }
    if (gpus === 0) return;
    if (!props.accelerator) {
      add({ code: 'GPU_ACCELERATOR_MISSING', message: `The stack asks for ${gpus} GPU(s) without saying which accelerator.`, received: gpus, fix: 'set accelerator to one the cluster profile has.' });
      return;
    }
    const pools = this.cluster.poolsWith(props.accelerator).filter((p) => !p.spot);
    if (pools.length === 0) {
      add({ code: 'ACCELERATOR_NOT_IN_CLUSTER', message: `No on-demand pool of cluster "${this.cluster.name}" carries ${props.accelerator}; serving never runs on spot.`, received: props.accelerator.id, fix: 'add an on-demand pool with that accelerator, or choose one the cluster has.' });
      return;
    }
    const largest = Math.max(...pools.map((p) => p.gpusPerNode));
    if (gpus > largest) add({ code: 'GPUS_EXCEED_NODE', message: `A serving pod asks for ${gpus} × ${props.accelerator}, but the largest node has ${largest}.`, received: gpus, fix: `ask for at most ${largest}.` });
    const capacity = pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
    const demand = this.gpuDemand().get(props.accelerator) ?? 0;
    if (demand > capacity) {
      add({
        code: 'GPU_DEMAND_EXCEEDS_CAPACITY',
        message: `Serving stack "${this.name}" may need ${demand} × ${props.accelerator} at its largest, but pools ${pools.map((p) => `${p.name} (${p.maxNodes} × ${p.gpusPerNode})`).join(', ')} of cluster "${this.cluster.name}" hold at most ${capacity}.`,
        received: demand,
        fix: 'lower maxReplicas or GPUs per pod, or raise maxNodes of those pools.',
      });
    }
  }

  private validateExposure(add: (p: Problem) => void): void {
    const expose = this.props.expose;
    if (expose?.kind === 'load-balancer' && expose.loadBalancer.internal === false) {
      const ranges = expose.loadBalancer.sourceRanges ?? [];
      if (ranges.length === 0) add({ code: 'LB_OPEN_TO_WORLD', message: 'An external load balancer without source ranges accepts the whole internet.', received: ranges, fix: 'set sourceRanges to the client networks, or keep the load balancer internal.' });
      checkAuthorizedCidrs(ranges, { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }).forEach(add);
    }
    if (expose?.kind === 'ingress' && expose.ingress) {
      const ingress = expose.ingress;
      if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(ingress.host)) {
        add({ code: 'INGRESS_HOST_INVALID', message: 'The Ingress host is not a DNS name.', received: ingress.host, fix: 'use a lowercase DNS name such as models.example.com.' });
      }
      if (!ingress.tlsSecretName) {
        this.problems.warn({ code: 'INGRESS_WITHOUT_TLS', message: `Requests to ${ingress.host} travel unencrypted.`, received: ingress.host, fix: 'set tlsSecretName to a Secret holding the certificate.' });
      }
      const counts = new Map<string, number>();
      for (const path of [...this.ingressPaths(true).map((p) => p.path), ...(ingress.versionRoutes ?? []).map((r) => r.prefix)]) counts.set(path, (counts.get(path) ?? 0) + 1);
      for (const [path, count] of counts) {
        if (count > 1) add({ code: 'INGRESS_PATH_COLLISION', message: `Path ${path} is routed ${count} times on host ${ingress.host}.`, received: path, fix: 'remove or rename the duplicate path.' });
      }
      for (const route of ingress.versionRoutes ?? []) this.validateVersionRoute(route, ingress.className ?? 'nginx', add);
      for (const extra of ingress.extraPaths ?? []) {
        if (!/^\/[A-Za-z0-9._~/-]*$/.test(extra.path)) add({ code: 'INGRESS_PATH_INVALID', message: 'An Ingress path must be an absolute URL path.', received: extra.path, fix: 'start it with "/" and use URL-safe characters.' });
      }
    }
  }

  private validateVersionRoute(route: VersionRoute, className: string, add: (p: Problem) => void): void {
    const model = this.props.models.find((m) => m.name === route.model);
    if (className !== 'nginx') {
      add({ code: 'VERSION_ROUTE_NEEDS_NGINX', message: 'Versioned routes rewrite paths with ingress-nginx annotations.', received: className, fix: 'use className "nginx", or route /v1/models/<model>/versions/<n> directly.' });
    }
    if (!/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9]$/.test(route.prefix)) {
      add({ code: 'INGRESS_PATH_INVALID', message: 'A version route prefix must be an absolute URL path not ending in "/".', received: route.prefix, fix: 'use a prefix such as /v2/resnet.' });
    }
    if (!model) {
      add({ code: 'VERSION_ROUTE_MODEL_UNKNOWN', message: `Route ${route.prefix} names a model the stack does not serve.`, received: route.model, fix: `use one of ${this.props.models.map((m) => m.name).join(', ')}.` });
    } else if ((model.versions ?? ModelVersionPolicy.latest(1)).loads(route.version) !== true) {
      add({ code: 'VERSION_ROUTE_NOT_LOADED', message: `Route ${route.prefix} points at version ${route.version} of "${model.name}", which its policy does not pin as loaded.`, received: route.version, fix: `serve it with ModelVersionPolicy.specific(…, ${route.version}).` });
    }
  }

  // ---- emission ---------------------------------------------------------------------------

  private add(id: string, manifest: Record<string, unknown> & { apiVersion: string; kind: string }): ApiObject {
    const object = new ApiObject(this, id, manifest);
    this.apiObjects.push(object);
    return object;
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
    const name = plan.track === 'stable' ? this.name : `${this.name}-canary`;
    const cpu = props.cpu ?? 2;
    const files: Record<string, string> = {
      'models.config': modelServerConfigText(plan.models),
      'monitoring.config': monitoringConfigText(),
      ...(props.batching ? { 'batching.config': batchingParametersText(props.batching, Math.max(1, Math.ceil(cpu))) } : {}),
    };
    const configName = `${name}-config`;
    this.add(`${plan.track}-config`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: this.metadata(configName), data: files });

    const gpus = props.gpus ?? 0;
    const quantities: Record<string, string> = { cpu: cpuQuantity(cpu), memory: memoryQuantity(props.memoryGiB ?? 4) };
    if (gpus > 0) quantities['nvidia.com/gpu'] = String(gpus);
    const readiness = { httpGet: { path: `/v1/models/${plan.models[0]?.name}/metadata`, port: 'http' } };
    const podLabels = {
      ...this.labels(plan.track),
      ...(props.cloudIdentity ? identityPodLabels(this.cluster) : {}),
    };
    const volume = props.modelVolume;
    const spread = (topologyKey: string) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: this.labels(plan.track) } });

    this.add(`${plan.track}-deployment`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: this.metadata(name),
      spec: {
        ...(props.autoscaling ? {} : { replicas: plan.replicas }),
        selector: { matchLabels: this.labels(plan.track) },
        // Never fewer serving pods than asked for during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: {
            labels: podLabels,
            annotations: {
              // A config change rolls the pods instead of relying on TF Serving's file polling.
              [`${ServingLabels.STACK}-config-hash`]: createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16),
              ...(props.prometheusOperator ? {} : { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(REST_PORT), 'prometheus.io/path': PROMETHEUS_METRICS_PATH }),
            },
          },
          spec: {
            serviceAccountName: serviceAccount,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
            securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
            // Load balancers need time to stop sending before the server stops accepting.
            terminationGracePeriodSeconds: PRE_STOP_SECONDS + 30,
            topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
            ...(this.placement ? { nodeSelector: this.placement.nodeSelector, tolerations: this.placement.tolerations } : {}),
            volumes: [
              TMP_VOLUME,
              { name: 'config', configMap: { name: configName } },
              ...(volume ? [{ name: 'models', persistentVolumeClaim: { claimName: volume.claimName, readOnly: true } }] : []),
            ],
            containers: [{
              name: 'tensorflow-serving',
              image: plan.image,
              args: [
                `--port=${GRPC_PORT}`,
                `--rest_api_port=${REST_PORT}`,
                `--model_config_file=${CONFIG_DIR}/models.config`,
                `--monitoring_config_file=${CONFIG_DIR}/monitoring.config`,
                ...(props.batching ? ['--enable_batching=true', `--batching_parameters_file=${CONFIG_DIR}/batching.config`] : []),
                `--enable_model_warmup=${props.warmup ?? true}`,
              ],
              ports: [
                { name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
                { name: 'http', containerPort: REST_PORT, protocol: 'TCP' },
              ],
              env: [{ name: 'HOME', value: '/tmp' }],
              resources: { requests: quantities, limits: quantities },
              startupProbe: { ...readiness, periodSeconds: 10, failureThreshold: 60 },
              readinessProbe: { ...readiness, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 6 },
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
              securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [
                TMP_MOUNT,
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                ...(volume ? [{ name: 'models', mountPath: volume.mountPath ?? '/models', readOnly: true }] : []),
              ],
            }],
          },
        },
      },
    });

    if (props.autoscaling && plan.maxReplicas > 0) this.emitAutoscaler(name, plan);
  }

  /** One budget over both tracks: voluntary evictions take at most one serving pod at a time. */
  private emitDisruptionBudget(): void {
    this.add('pdb', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: this.metadata(this.name),
      spec: { maxUnavailable: 1, selector: { matchLabels: this.labels() } },
    });
  }

  private emitAutoscaler(target: string, plan: TrackPlan): void {
    const auto = this.props.autoscaling!;
    const utilization = (resource: string, averageUtilization: number) => ({ type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } });
    this.add(`${plan.track}-hpa`, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: this.metadata(target),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
        minReplicas: Math.max(1, plan.minReplicas),
        maxReplicas: Math.max(1, plan.maxReplicas),
        metrics: [
          utilization('cpu', auto.targetCpuUtilization ?? 70),
          ...(auto.targetMemoryUtilization ? [utilization('memory', auto.targetMemoryUtilization)] : []),
          ...(auto.podMetric ? [{ type: 'Pods', pods: { metric: { name: auto.podMetric.name }, target: { type: 'AverageValue', averageValue: auto.podMetric.targetAverageValue } } }] : []),
        ],
        // Model servers are slow to warm up: scale down cautiously.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
  }

  private emitService(name: string, track: Track): void {
    const expose = this.props.expose ?? ServingExposure.clusterInternal();
    const loadBalanced = track === 'stable' && expose.kind === 'load-balancer';
    const internal = expose.loadBalancer.internal ?? true;
    this.add(`${track}-service`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: this.metadata(name, loadBalanced ? { annotations: loadBalancerAnnotations(this.cluster, internal) } : {}),
      spec: {
        type: loadBalanced ? 'LoadBalancer' : 'ClusterIP',
        ...(loadBalanced && !internal ? { loadBalancerSourceRanges: [...(expose.loadBalancer.sourceRanges ?? [])] } : {}),
        selector: track === 'stable' ? this.labels() : this.labels('canary'),
        ports: [
          { name: 'grpc', port: GRPC_PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
          { name: 'http', port: REST_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
        ],
      },
    });
  }

  private ingressPaths(hasCanary: boolean): Array<{ path: string; service: string }> {
    const ingress = this.props.expose?.ingress;
    if (!ingress) return [];
    const canaryService = `${this.name}-canary`;
    return [
      ...this.props.models.flatMap((model) => [
        { path: `/v1/models/${model.name}`, service: this.name },
        ...Object.keys(model.labels ?? {}).map((label) => ({
          path: `/v1/models/${model.name}/labels/${label}`,
          service: label === 'canary' && hasCanary ? canaryService : this.name,
        })),
      ]),
      ...(hasCanary && this.canaryTarget() && !this.canaryTarget()!.model.labels?.canary
        ? [{ path: `/v1/models/${this.canaryTarget()!.model.name}/labels/canary`, service: canaryService }]
        : []),
      ...(ingress.extraPaths ?? []).map((p) => ({ path: p.path, service: p.canary && hasCanary ? canaryService : this.name })),
    ];
  }

  private emitExposure(hasCanary: boolean): void {
    const ingress = this.props.expose?.ingress;
    if (!ingress) return;
    this.add('ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: this.metadata(this.name),
      spec: {
        ingressClassName: ingress.className ?? 'nginx',
        ...(ingress.tlsSecretName ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
        rules: [{
          host: ingress.host,
          http: {
            paths: this.ingressPaths(hasCanary).map(({ path, service }) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: service, port: { name: 'http' } } },
            })),
          },
        }],
      },
    });
  }

  /** A version canary splits versions across tracks: a route to the canary version goes to the canary pods. */
  private routeService(route: VersionRoute): string {
    const target = this.canaryTarget();
    const canaryRunning = this.plan().some((p) => p.track === 'canary');
    return canaryRunning && target && target.model.name === route.model && target.canaryVersion === route.version ? `${this.name}-canary` : this.name;
  }

  private emitVersionRoutes(): void {
    const ingress = this.props.expose?.ingress;
    for (const route of ingress?.versionRoutes ?? []) {
      const slug = route.prefix.replace(/^\/|\/$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      this.add(`route-${slug}`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: this.metadata(`${this.name}-${slug}`, {
          annotations: {
            'nginx.ingress.kubernetes.io/use-regex': 'true',
            // `/v2/resnet:predict` becomes `/v1/models/resnet/versions/2:predict`.
            'nginx.ingress.kubernetes.io/rewrite-target': `/v1/models/${route.model}/versions/${route.version}$1`,
          },
        }),
        spec: {
          ingressClassName: ingress!.className ?? 'nginx',
          ...(ingress!.tlsSecretName ? { tls: [{ hosts: [ingress!.host], secretName: ingress!.tlsSecretName }] } : {}),
          rules: [{
            host: ingress!.host,
            http: { paths: [{ path: `${route.prefix}(:.*|/.*)?$`, pathType: 'ImplementationSpecific', backend: { service: { name: this.routeService(route), port: { name: 'http' } } } }] },
          }],
        },
      });
    }
  }

  private emitMonitoring(): void {
    const groups = [{ name: `${this.name}.rules`, rules: this.alertRules() }];
    if (this.props.prometheusOperator) {
      this.add('service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: this.metadata(this.name),
        spec: {
          selector: { matchLabels: this.labels() },
          endpoints: [{ port: 'http', path: PROMETHEUS_METRICS_PATH, interval: '30s' }],
        },
      });
      this.add('alerts', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: this.metadata(`${this.name}-alerts`), spec: { groups } });
    } else {
      // Without the operator the same rules ship as a Prometheus rule file for the server to load.
      this.add('alerts', { apiVersion: 'v1', kind: 'ConfigMap', metadata: this.metadata(`${this.name}-alerts`), data: { 'alerts.yaml': stringify({ groups }) } });
    }
  }

  private alertRules() {
    const alerts = this.props.alerts ?? {};
    const scope = `namespace="${this.namespace}",model_name=~"${this.props.models.map((m) => m.name).join('|')}"`;
    const requests = (filter: string) => `sum by (model_name) (rate(:tensorflow:serving:request_count{${scope}${filter}}[5m]))`;
    const p99 = `histogram_quantile(0.99, sum by (model_name, le) (rate(:tensorflow:serving:request_latency_bucket{${scope}}[5m])))`;
    const latencyMs = alerts.p99LatencyMs ?? 500;
    const summary = (text: string) => ({ summary: text, runbook: `Check the pods of ${this.namespace}/${this.name} and their model loading logs.` });
    return [
      {
        alert: 'TfServingNoAvailableReplicas',
        expr: `sum(kube_deployment_status_replicas_available{namespace="${this.namespace}",deployment=~"${this.name}|${this.name}-canary"}) == 0`,
        for: '5m',
        labels: { severity: 'critical', serving: this.name },
        annotations: summary(`${this.name} has no available replica.`),
      },
      {
        alert: 'TfServingHighErrorRate',
        expr: `${requests(',status!="OK"')} / ${requests('')} > ${alerts.errorRatio ?? 0.05}`,
        for: '10m',
        labels: { severity: 'warning', serving: this.name },
        annotations: summary(`More than ${(alerts.errorRatio ?? 0.05) * 100}% of requests to {{ $labels.model_name }} fail.`),
      },
      {
        // TF Serving measures latency in microseconds.
        alert: 'TfServingHighLatency',
        expr: `${p99} > ${latencyMs * 1000}`,
        for: '10m',
        labels: { severity: 'warning', serving: this.name },
        annotations: summary(`p99 latency of {{ $labels.model_name }} is above ${latencyMs} ms.`),
      },
    ];
  }
}

/** The model's stable version: its `stable` label, or its single specific version. */
function stableVersionOf(model: ServedModel): number | undefined {
  if (model.labels?.stable !== undefined) return model.labels.stable;
  const policy = model.versions;
  return policy?.kind === 'specific' && policy.values.length === 1 ? policy.values[0] : undefined;
}

function loadBalancerAnnotations(cluster: ClusterProfile, internal: boolean): Record<string, string> {
  const facts = cluster.facts.loadBalancer;
  return { ...(internal ? facts.internalAnnotations : facts.externalAnnotations) };
}
