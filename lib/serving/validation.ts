import { Accelerator } from '../core/accelerator';
import { checkAuthorizedCidrs } from '../core/cidr';
import { ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_LABEL } from '../core/names';
import { Problem } from '../core/validation';
import { parseQuantity, resourceProblems } from '../core/quantities';
import type { TfServingProps } from './serving-props';
import { ServingAutoscaling } from './autoscaling';
import { ServingExposure, VersionRoute } from './exposure';
import { ModelVersionPolicy, ServedModel } from './model-config';
import { canaryModel, ServingCanary, stableVersionOf, TrackPlan } from './tracks';
import { trackLoading } from './routing';

type Add = (p: Problem) => void;

/** Model names, version policies and labels as TF Serving accepts them. */
export function validateModels(models: readonly ServedModel[], add: Add): void {
  if (models.length === 0) add({ code: 'MODELS_MISSING', message: 'A serving stack needs at least one model.', received: [], fix: 'list the models to serve.' });
  const seen = new Set<string>();
  for (const model of models) {
    checkName(model.name, DNS_LABEL, 'MODEL_NAME_INVALID').forEach((p) => add({ ...p, message: `Model name "${model.name}" is not usable in URLs, metric labels and object names.` }));
    if (seen.has(model.name)) add({ code: 'MODEL_DUPLICATE', message: `Two models are named "${model.name}"; TF Serving would refuse the config.`, received: model.name, fix: 'give each model its own name.' });
    seen.add(model.name);
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
  }
}

// Deployment and HorizontalPodAutoscaler replica counts are int32 fields.
const MAX_REPLICAS = 2 ** 31 - 1;
const replicaCount = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_REPLICAS;

export function validateScaling(auto: ServingAutoscaling | undefined, replicas: number | undefined, add: Add): void {
  if (auto) {
    if (!replicaCount(auto.maxReplicas)) add({ code: 'HPA_MAX_INVALID', message: `maxReplicas must be a whole number from 1 to ${MAX_REPLICAS}.`, received: auto.maxReplicas, fix: 'set maxReplicas to 1 or more.' });
    if (!replicaCount(auto.minReplicas)) add({ code: 'HPA_MIN_INVALID', message: 'minReplicas must be at least 1: scaling to zero drops every request.', received: auto.minReplicas, fix: 'set minReplicas to 1 or more (2 or more for availability).' });
    if (auto.minReplicas > auto.maxReplicas) add({ code: 'HPA_MIN_GT_MAX', message: `minReplicas (${auto.minReplicas}) is greater than maxReplicas (${auto.maxReplicas}).`, received: { minReplicas: auto.minReplicas, maxReplicas: auto.maxReplicas }, fix: 'make minReplicas less than or equal to maxReplicas.' });
    for (const [field, value] of [['targetCpuUtilization', auto.targetCpuUtilization], ['targetMemoryUtilization', auto.targetMemoryUtilization]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 100)) add({ code: 'HPA_TARGET_INVALID', message: `${field} must be a percentage of the request.`, received: value, fix: `set ${field} between 1 and 100.` });
    }
  } else if (replicas !== undefined && !replicaCount(replicas)) {
    add({ code: 'REPLICAS_INVALID', message: `A serving stack needs a whole number of replicas from 1 to ${MAX_REPLICAS}.`, received: replicas, fix: 'set replicas to 1 or more.' });
  }
}

export function validateCanary(canary: ServingCanary | undefined, models: readonly ServedModel[], expose: ServingExposure, add: Add): void {
  if (!canary) return;
  if (!Number.isInteger(canary.weight) || canary.weight < 0 || canary.weight > 100) {
    add({ code: 'CANARY_WEIGHT_INVALID', message: 'The canary weight is a percentage of traffic.', received: canary.weight, fix: 'use a whole number from 0 to 100.' });
    return;
  }
  if (canary.version === undefined && canary.image === undefined) {
    add({ code: 'CANARY_EMPTY', message: 'The canary changes neither a model version nor the image.', received: canary, fix: 'set canary.version, canary.image, or both.' });
  }
  if (canary.version !== undefined) {
    const model = canaryModel(models, canary);
    if (!model) {
      add({ code: 'CANARY_MODEL_UNKNOWN', message: 'The canary does not name one of the served models.', received: canary.model, fix: `set canary.model to one of ${models.map((m) => m.name).join(', ')}.` });
    } else if (stableVersionOf(model) === undefined) {
      add({ code: 'CANARY_WITHOUT_STABLE', message: `Model "${model.name}" has no stable version for the rest of the traffic.`, received: { labels: model.labels, versions: model.versions?.values }, fix: 'label the stable version (labels: { stable: 1 }) or pin it with ModelVersionPolicy.specific(1).' });
    } else if (!Number.isInteger(canary.version) || canary.version < 1) {
      add({ code: 'MODEL_VERSION_INVALID', message: 'The canary version is not a version directory number.', received: canary.version, fix: 'use a positive whole number.' });
    } else if (canary.version === stableVersionOf(model)) {
      add({ code: 'CANARY_SAME_AS_STABLE', message: `The canary version ${canary.version} is the stable version of "${model.name}".`, received: canary.version, fix: 'point the canary at the new version.' });
    }
  }
  if (canary.weight > 0 && canary.weight < 100 && expose.kind !== 'ingress') {
    add({
      code: 'CANARY_NEEDS_INGRESS',
      message: `A ${canary.weight}% canary needs a router that splits requests by weight; a Service splits by pod count, which the two autoscalers change.`,
      received: { weight: canary.weight, expose: expose.kind },
      fix: 'expose the stack with ServingExposure.ingress(…) (ingress-nginx holds the weight), or set weight 0 (canary reached only by its version and label paths) or 100 (promote).',
    });
  }
}

export function validateExposure(expose: ServingExposure, plans: readonly TrackPlan[], models: readonly ServedModel[], add: Add, warn: Add): void {
  if (expose.kind === 'load-balancer' && expose.loadBalancer.internal === false) {
    const ranges = expose.loadBalancer.sourceRanges ?? [];
    if (ranges.length === 0) add({ code: 'LB_OPEN_TO_WORLD', message: 'An external load balancer without source ranges accepts the whole internet.', received: ranges, fix: 'set sourceRanges to the client networks, or keep the load balancer internal.' });
    checkAuthorizedCidrs(ranges, { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }).forEach(add);
  }
  const ingress = expose.ingress;
  if (expose.kind !== 'ingress' || !ingress) return;
  if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(ingress.host)) {
    add({ code: 'INGRESS_HOST_INVALID', message: 'The Ingress host is not a DNS name.', received: ingress.host, fix: 'use a lowercase DNS name such as models.example.com.' });
  }
  if (!ingress.tlsSecretName) {
    warn({ code: 'INGRESS_WITHOUT_TLS', message: `Requests to ${ingress.host} travel unencrypted.`, received: ingress.host, fix: 'set tlsSecretName to a Secret holding the certificate.' });
  }
  const counts = new Map<string, number>();
  const paths = [...models.map((m) => `/v1/models/${m.name}`), ...(ingress.extraPaths ?? []).map((p) => p.path), ...(ingress.versionRoutes ?? []).map((r) => r.prefix)];
  for (const path of paths) counts.set(path, (counts.get(path) ?? 0) + 1);
  for (const [path, count] of counts) {
    if (count > 1) add({ code: 'INGRESS_PATH_COLLISION', message: `Path ${path} is routed ${count} times on host ${ingress.host}.`, received: path, fix: 'remove or rename the duplicate path.' });
  }
  for (const route of ingress.versionRoutes ?? []) validateVersionRoute(route, ingress.className ?? 'nginx', plans, models, add);
  for (const extra of ingress.extraPaths ?? []) {
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(extra.path)) add({ code: 'INGRESS_PATH_INVALID', message: 'An Ingress path must be an absolute URL path.', received: extra.path, fix: 'start it with "/" and use URL-safe characters.' });
  }
  if ((ingress.className ?? 'nginx') !== 'nginx') {
    add({ code: 'INGRESS_NEEDS_NGINX', message: 'TF Serving\'s REST paths (`/v1/models/m:predict`) need ingress-nginx regex paths: a Kubernetes Prefix path matches whole path elements only.', received: ingress.className, fix: 'use className "nginx" (ClusterAddons installs it), or expose the stack with a load balancer.' });
  }
}

function validateVersionRoute(route: VersionRoute, className: string, plans: readonly TrackPlan[], models: readonly ServedModel[], add: Add): void {
  const model = models.find((m) => m.name === route.model);
  if (className !== 'nginx') {
    add({ code: 'VERSION_ROUTE_NEEDS_NGINX', message: 'Versioned routes rewrite paths with ingress-nginx annotations.', received: className, fix: 'use className "nginx", or route /v1/models/<model>/versions/<n> directly.' });
  }
  if (!/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9]$/.test(route.prefix)) {
    add({ code: 'INGRESS_PATH_INVALID', message: 'A version route prefix must be an absolute URL path not ending in "/".', received: route.prefix, fix: 'use a prefix such as /v2/resnet.' });
  }
  if (!model) {
    add({ code: 'VERSION_ROUTE_MODEL_UNKNOWN', message: `Route ${route.prefix} names a model the stack does not serve.`, received: route.model, fix: `use one of ${models.map((m) => m.name).join(', ')}.` });
  } else if (trackLoading(plans, route.model, route.version) === undefined) {
    add({ code: 'VERSION_ROUTE_NOT_LOADED', message: `Route ${route.prefix} points at version ${route.version} of "${model.name}", which no Deployment of the stack pins as loaded.`, received: route.version, fix: `serve it with ModelVersionPolicy.specific(…, ${route.version}), or point the route at the stable or canary version.` });
  }
}

/** Whole GPUs of an accelerator the cluster has on-demand pools for, within what those pools hold. */
export function validateGpus(
  inputs: { gpus: number; accelerator?: Accelerator; cluster: ClusterProfile; name: string; demand: Map<Accelerator, number> },
  add: Add,
): void {
  const { gpus, accelerator, cluster } = inputs;
  if (!Number.isInteger(gpus) || gpus < 0) {
    add({ code: 'GPU_COUNT_INVALID', message: 'GPUs are counted in whole devices.', received: gpus, fix: 'use a whole number of GPUs.' });
    return;
  }
  if (gpus === 0) return;
  if (!accelerator) {
    add({ code: 'GPU_ACCELERATOR_MISSING', message: `The stack asks for ${gpus} GPU(s) without saying which accelerator.`, received: gpus, fix: 'set accelerator to one the cluster profile has.' });
    return;
  }
  const pools = cluster.poolsWith(accelerator).filter((p) => !p.spot);
  if (pools.length === 0) {
    add({ code: 'ACCELERATOR_NOT_IN_CLUSTER', message: `No on-demand pool of cluster "${cluster.name}" carries ${accelerator}; serving never runs on spot.`, received: accelerator.id, fix: 'add an on-demand pool with that accelerator, or choose one the cluster has.' });
    return;
  }
  const largest = Math.max(...pools.map((p) => p.gpusPerNode));
  if (gpus > largest) add({ code: 'GPUS_EXCEED_NODE', message: `A serving pod asks for ${gpus} × ${accelerator}, but the largest node has ${largest}.`, received: gpus, fix: `ask for at most ${largest}.` });
  const capacity = pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
  const demand = inputs.demand.get(accelerator) ?? 0;
  if (demand > capacity) {
    add({
      code: 'GPU_DEMAND_EXCEEDS_CAPACITY',
      message: `Serving stack "${inputs.name}" may need ${demand} × ${accelerator} at its largest, but pools ${pools.map((p) => `${p.name} (${p.maxNodes} × ${p.gpusPerNode})`).join(', ')} of cluster "${cluster.name}" hold at most ${capacity}.`,
      received: demand,
      fix: 'lower maxReplicas or GPUs per pod, or raise maxNodes of those pools.',
    });
  }
}

/** Paths the serving container already uses: a model volume over them would hide the config or the scratch space. */
const RESERVED_MOUNTS = ['/etc/tfserving', '/model-stores', '/tmp'];

/** CPU, memory, batching, alert thresholds, the model volume and per-pod metric: numbers and strings written into objects. */
export function validateServingInputs(props: TfServingProps, add: Add): void {
  resourceProblems('The serving pod\'s', 'cpu', props.cpu ?? 2).forEach(add);
  resourceProblems('The serving pod\'s', 'memoryGiB', props.memoryGiB ?? 4).forEach(add);
  const b = props.batching;
  for (const [field, value, max] of [['maxBatchSize', b?.maxBatchSize, 1e6], ['batchTimeoutMicros', b?.batchTimeoutMicros, 6e7], ['numBatchThreads', b?.numBatchThreads, 1024], ['maxEnqueuedBatches', b?.maxEnqueuedBatches, 1e6]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= (field === 'batchTimeoutMicros' ? 0 : 1) && value <= max)) {
      add({ code: 'BATCHING_INVALID', message: `batching.${field} must be a whole number from ${field === 'batchTimeoutMicros' ? 0 : 1} to ${max}; TF Serving reads it as an integer.`, received: value, fix: `set batching.${field} to a whole number, or leave it out for the default.` });
    }
  }
  const a = props.alerts;
  if (a?.errorRatio !== undefined && !(Number.isFinite(a.errorRatio) && a.errorRatio > 0 && a.errorRatio < 1)) {
    add({ code: 'ALERT_THRESHOLD_INVALID', message: 'alerts.errorRatio is a fraction of requests, above 0 and below 1.', received: a.errorRatio, fix: 'use e.g. 0.05 for 5%.' });
  }
  if (a?.p99LatencyMs !== undefined && !(Number.isFinite(a.p99LatencyMs) && a.p99LatencyMs > 0 && a.p99LatencyMs <= 3_600_000)) {
    add({ code: 'ALERT_THRESHOLD_INVALID', message: 'alerts.p99LatencyMs is a latency in milliseconds, above 0 and at most an hour.', received: a.p99LatencyMs, fix: 'use e.g. 500.' });
  }
  const metric = props.autoscaling?.podMetric;
  if (metric) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) {
      add({ code: 'HPA_METRIC_INVALID', message: 'autoscaling.podMetric.name is not a metric name.', received: metric.name, fix: 'use the metric name the metrics adapter serves, e.g. tfserving_requests_per_second.' });
    }
    const value = parseQuantity(metric.targetAverageValue);
    if (value === undefined || !(value > 0)) {
      add({ code: 'QUANTITY_INVALID', message: 'autoscaling.podMetric.targetAverageValue is not a positive Kubernetes quantity; the HPA would be refused.', received: metric.targetAverageValue, fix: 'write a number with an optional suffix, e.g. "100" or "500m".' });
    }
  }
  const volume = props.modelVolume;
  if (volume) {
    checkName(volume.claimName, { ...DNS_LABEL, what: 'PersistentVolumeClaim name', maxLength: 253, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ }, 'PVC_NAME_INVALID').forEach(add);
    const path = volume.mountPath ?? '/models';
    const clash = RESERVED_MOUNTS.find((r) => path === r || path.startsWith(`${r}/`) || r.startsWith(`${path}/`));
    if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path) || path.split('/').some((part) => part === '.' || part === '..') || clash) {
      add({ code: 'MOUNT_PATH_INVALID', message: `modelVolume.mountPath must be an absolute, normalized path away from ${RESERVED_MOUNTS.join(', ')}${clash ? `; it would hide ${clash}` : ''}.`, received: path, fix: 'use a path such as /models.' });
    }
  }
  if (props.priorityClassName !== undefined) {
    checkName(props.priorityClassName, { ...DNS_LABEL, what: 'PriorityClass name', maxLength: 253, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ }, 'PRIORITY_CLASS_NAME_INVALID').forEach(add);
  }
}

/** Version routes whose prefixes give one object name: the second would replace the first. */
export function versionRouteSlugProblems(expose: ServingExposure, stackName: string, add: Add): void {
  const seen = new Map<string, string>();
  for (const route of expose.ingress?.versionRoutes ?? []) {
    // The Ingress name routing.ts derives from the prefix.
    const slug = route.prefix.replace(/^\/|\/$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    if (`${stackName}-${slug}`.length > 253) {
      add({ code: 'DERIVED_NAME_TOO_LONG', message: `Version route ${route.prefix} gives an Ingress name longer than 253 characters.`, received: route.prefix, fix: 'use a shorter prefix.' });
    }
    const earlier = seen.get(slug);
    if (earlier !== undefined) {
      add({ code: 'VERSION_ROUTE_COLLISION', message: `Version routes ${earlier} and ${route.prefix} both name their Ingress "…-${slug}"; one would replace the other.`, received: route.prefix, fix: 'give each route a prefix that differs in letters or digits, not only in punctuation.' });
    }
    seen.set(slug, route.prefix);
  }
}
