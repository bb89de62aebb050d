import { Accelerator } from '../core/accelerator';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_1035_LABEL, DNS_LABEL } from '../core/names';
import { isPinnedImage } from '../core/pod-security';
import { Problem } from '../core/validation';
import { ServingExposure } from './exposure';
import { DEFAULT_MODEL_POLL_SECONDS, TF_SERVING_GPU_IMAGE, TF_SERVING_IMAGE, TfServingProps } from './serving-props';
import { TrackPlan } from './tracks';
import { PropsShape } from '../core/props-shape';
import { ModelVersionPolicy } from './model-config';
import { ModelDelivery } from './model-store';
import { validateCanary, validateExposure, validateGpus, validateModels, validateScaling, validateServingInputs, versionRouteSlugProblems } from './validation';

type Add = (problem: Problem) => void;

/** What a stack's checks read besides its props. */
export interface StackFacts {
  readonly props: TfServingProps;
  readonly name: string;
  readonly namespace: string;
  readonly cluster: ClusterProfile;
  readonly plans: readonly TrackPlan[];
  readonly gpuDemand: Map<Accelerator, number>;
  /** Every Service name the stack writes. */
  readonly serviceNames: readonly string[];
}

/** Every check of a serving stack's props, before any object is built. */
export function validateStack(stack: StackFacts, add: Add, warn: Add): void {
  const { props } = stack;
  const expose = props.expose ?? ServingExposure.clusterInternal();
  // The stack's name is its Services' name, and Service names are DNS-1035 labels (no leading digit).
  checkName(stack.name, DNS_1035_LABEL, 'SERVING_NAME_INVALID').forEach(add);
  checkName(stack.namespace, DNS_LABEL, 'NAMESPACE_INVALID').forEach(add);
  const longest = stack.serviceNames.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length > 63) {
    add({ code: 'SERVING_NAME_TOO_LONG', message: `Service name "${longest}" is longer than the 63 characters Kubernetes allows.`, received: stack.name, fix: `shorten the stack name to ${63 - (longest.length - stack.name.length)} characters or fewer.` });
  }
  validateModels(props.models, add);
  for (const image of [props.image, props.canary?.image]) {
    if (image !== undefined && !isPinnedImage(image)) add({ code: 'IMAGE_NOT_PINNED', message: 'The serving image is not pinned.', received: image, fix: `use a version tag other than "latest" or a digest, e.g. ${TF_SERVING_IMAGE}.` });
  }
  if ((props.gpus ?? 0) > 0 && props.image && !/gpu/i.test(props.image)) {
    warn({ code: 'IMAGE_NOT_GPU_VARIANT', message: 'GPUs are requested but the image does not look like a GPU build; the model may run on CPU.', received: props.image, fix: `use a -gpu image, e.g. ${TF_SERVING_GPU_IMAGE}.` });
  }
  const poll = props.modelPollSeconds;
  if (poll !== undefined && (!Number.isInteger(poll) || poll < 0)) {
    add({ code: 'MODEL_POLL_INVALID', message: 'The model polling interval is a whole number of seconds; 0 lists the base paths once at start.', received: poll, fix: `use 0 or more, e.g. ${DEFAULT_MODEL_POLL_SECONDS}.` });
  }
  validateScaling(props.autoscaling, props.replicas, add);
  validateCanary(props.canary, props.models, expose, add);
  validateGpus({ gpus: props.gpus ?? 0, accelerator: props.accelerator, cluster: stack.cluster, name: stack.name, demand: stack.gpuDemand }, add);
  validateExposure(expose, stack.plans, props.models, add, warn);
  versionRouteSlugProblems(expose, stack.name, add);
  validateServingInputs(props, add);
}

/** The shape of TfServingProps, checked before anything is built (JavaScript callers, JSON config). */
export const SERVING_PROPS_SHAPE: PropsShape = {
  name: 'string',
  namespace: 'string',
  models: { arrayOf: { fields: { name: 'string', basePath: 'string', versions: { instanceOf: ModelVersionPolicy, name: 'ModelVersionPolicy' }, labels: { mapOf: 'number' } }, required: ['name', 'basePath'] } },
  image: 'string',
  cluster: CLUSTER_PROFILE_SHAPE,
  gpus: 'number',
  accelerator: { instanceOf: Accelerator, name: 'Accelerator' },
  cpu: 'number',
  memoryGiB: 'number',
  batching: { fields: { maxBatchSize: 'number', batchTimeoutMicros: 'number', numBatchThreads: 'number', maxEnqueuedBatches: 'number' } },
  warmup: 'boolean',
  replicas: 'number',
  autoscaling: { fields: { minReplicas: 'number', maxReplicas: 'number', targetCpuUtilization: 'number', targetMemoryUtilization: 'number', podMetric: { fields: { name: 'string', targetAverageValue: 'string' }, required: ['name', 'targetAverageValue'] } }, required: ['minReplicas', 'maxReplicas'] },
  expose: { instanceOf: ServingExposure, name: 'ServingExposure' },
  canary: { fields: { weight: 'number', model: 'string', version: 'number', image: 'string' }, required: ['weight'] },
  cloudIdentity: 'string',
  modelDelivery: { instanceOf: ModelDelivery, name: 'ModelDelivery' },
  modelPollSeconds: 'number',
  modelVolume: { fields: { claimName: 'string', mountPath: 'string' }, required: ['claimName'] },
  prometheusOperator: 'boolean',
  alerts: { fields: { errorRatio: 'number', p99LatencyMs: 'number' } },
  priorityClassName: 'string',
};

/** Fields without which a stack cannot be built. */
export const SERVING_REQUIRED = ['models'];
