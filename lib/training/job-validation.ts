import { Accelerator } from '../core/accelerator';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_1035_LABEL, DNS_LABEL, ENV_VAR_NAME } from '../core/names';
import { isPinnedImage } from '../core/pod-security';
import { Problem } from '../core/validation';
import { capacityAllows, mayRunOnSpot, TrainingCapacity } from './capacity';
import { CHECKPOINT_ENV, TrainingCheckpoint } from './checkpoint';
import { ResolvedRole, TfTrainingJobProps, TrainingSuccess } from './job-props';
import { PREEMPTION_EXIT_CODE_ENV } from './preemption';
import { MAX_ENV_STRING_BYTES, TASK_INDEX_ENV, TfRole, TfStrategy, TrainingBackend, TrainingTopology } from './tf-config';
import { resourceProblems } from '../core/quantities';
import { Duration } from 'cdk8s';
import { FieldShape, PropsShape } from '../core/props-shape';

// Indexed Jobs accept at most 10^5 completions.
const MAX_INDEXED_COMPLETIONS = 100_000;

/** What the checks read of a job. */
export interface JobView {
  readonly name: string;
  readonly namespace: string;
  readonly props: TfTrainingJobProps;
  readonly backend: TrainingBackend;
  readonly capacity: TrainingCapacity;
  readonly cluster: ClusterProfile;
  readonly port: number;
  readonly roles: readonly ResolvedRole[];
  readonly topology: TrainingTopology;
  gpuDemand(): ReadonlyMap<Accelerator, number>;
  tfConfig(role: TfRole): string;
}

/** Every problem of a job's own props, in a stable order. */
export function jobProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  const add = (p: Problem) => problems.push(p);
  const { props } = job;
  checkName(job.name, DNS_1035_LABEL, 'JOB_NAME_INVALID').forEach(add);
  checkName(job.namespace, DNS_LABEL, 'NAMESPACE_INVALID').forEach(add);
  if (!Number.isInteger(job.port) || job.port < 1 || job.port > 65535) {
    add({ code: 'PORT_INVALID', message: 'The task port is not a TCP port number.', received: job.port, fix: 'use a whole number from 1 to 65535; 2222 is the TensorFlow convention.' });
  }
  for (const image of [props.image, ...job.roles.map((r) => r.spec.image).filter((i): i is string => i !== undefined)]) {
    if (!isPinnedImage(image)) {
      add({ code: 'IMAGE_NOT_PINNED', message: 'The image is not pinned, so reruns may train with other code.', received: image, fix: 'add a version tag other than "latest" (tensorflow/tensorflow:2.21.0) or a digest (@sha256:…).' });
    }
  }
  for (const key of Object.keys(props.env ?? {})) {
    checkName(key, ENV_VAR_NAME, 'ENV_NAME_INVALID').forEach(add);
    if ([TASK_INDEX_ENV, 'TF_CONFIG', CHECKPOINT_ENV, PREEMPTION_EXIT_CODE_ENV].includes(key)) {
      add({ code: 'ENV_RESERVED', message: `${key} is set by the training job itself.`, received: key, fix: 'remove it from env; use the job\'s props to change what it holds.' });
    }
  }
  props.checkpoint?.problems(job.cluster, { identity: props.cloudIdentity !== undefined || props.serviceAccountName !== undefined }).forEach(add);
  if (props.cloudIdentity !== undefined && props.serviceAccountName !== undefined) {
    add({ code: 'IDENTITY_CONFLICT', message: 'cloudIdentity annotates the job\'s own ServiceAccount, but serviceAccountName replaces it.', received: { cloudIdentity: props.cloudIdentity, serviceAccountName: props.serviceAccountName }, fix: 'drop serviceAccountName, or give that ServiceAccount the identity (Tenant.identities) and drop cloudIdentity.' });
  }
  const topology = topologyProblems(job);
  topology.forEach(add);
  restartProblems(job).forEach(add);
  deadlineProblems(job).forEach(add);
  referenceNameProblems(job).forEach(add);
  preemptionProblems(job).forEach(add);
  queueProblems(job).forEach(add);
  gpuProblems(job).forEach(add);
  // Names and TF_CONFIG grow with the replica counts; with a bad count, building them is the hang.
  if (!topology.some((p) => p.code === 'REPLICAS_INVALID')) {
    derivedNameProblems(job).forEach(add);
    tfConfigSizeProblems(job).forEach(add);
  }
  return problems;
}

function deadlineProblems(job: JobView): Problem[] {
  const deadline = job.props.activeDeadline;
  if (deadline === undefined) return [];
  const ms = deadline.toMilliseconds({ integral: false });
  return Number.isInteger(ms) && ms >= 1000 && ms % 1000 === 0 && ms <= 365 * 24 * 3600 * 1000 ? [] : [{
    code: 'DEADLINE_INVALID',
    message: 'activeDeadline must be a whole number of seconds, from 1 second to a year; Kubernetes counts activeDeadlineSeconds.',
    received: `${ms} ms`,
    fix: 'use Duration.seconds, Duration.minutes or Duration.hours with a whole number of seconds.',
  }];
}

const SUBDOMAIN = { ...DNS_LABEL, maxLength: 253, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ };

/** Names of other objects the job points at, and the seconds it writes for cleanup. */
function referenceNameProblems(job: JobView): Problem[] {
  const { props } = job;
  const problems: Problem[] = [];
  if (props.priorityClassName !== undefined) problems.push(...checkName(props.priorityClassName, { ...SUBDOMAIN, what: 'PriorityClass name' }, 'PRIORITY_CLASS_NAME_INVALID'));
  if (props.serviceAccountName !== undefined) problems.push(...checkName(props.serviceAccountName, { ...SUBDOMAIN, what: 'ServiceAccount name' }, 'SERVICE_ACCOUNT_NAME_INVALID'));
  if (props.cloudIdentity !== undefined && (props.cloudIdentity.trim() === '' || props.cloudIdentity !== props.cloudIdentity.trim())) {
    problems.push({ code: 'CLOUD_IDENTITY_INVALID', message: 'cloudIdentity is empty or has surrounding spaces; the pods would get no identity, or another one.', received: props.cloudIdentity, fix: 'use the exact service account email, role ARN or client id, or leave cloudIdentity out.' });
  }
  const ttl = props.ttlAfterFinished?.toMilliseconds({ integral: false });
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0 && ttl % 1000 === 0 && ttl <= 2 ** 31 * 1000)) {
    problems.push({ code: 'TTL_INVALID', message: 'ttlAfterFinished must be a whole number of seconds; Kubernetes counts ttlSecondsAfterFinished.', received: `${ttl} ms`, fix: 'use Duration.seconds, Duration.minutes or Duration.hours with a whole number of seconds.' });
  }
  const restarts = props.maxRestarts;
  if (restarts !== undefined && restarts > 2 ** 31 - 1) {
    problems.push({ code: 'MAX_RESTARTS_INVALID', message: 'maxRestarts is written as backoffLimit, a 32-bit integer.', received: restarts, fix: 'use a small whole number, e.g. 3.' });
  }
  return problems;
}

function has(job: JobView, role: TfRole): boolean {
  return job.roles.some((r) => r.role === role);
}

function topologyProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  const { strategy } = job.props;
  for (const { role, replicas } of job.roles) {
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_INDEXED_COMPLETIONS) {
      problems.push({ code: 'REPLICAS_INVALID', message: `The ${role} role needs between 1 and ${MAX_INDEXED_COMPLETIONS} replicas.`, received: replicas, fix: `set ${role} replicas to a whole number from 1 to ${MAX_INDEXED_COMPLETIONS}, or leave the role out.` });
    }
    if ((role === TfRole.CHIEF || role === TfRole.EVALUATOR) && replicas > 1) {
      problems.push({ code: `${role.toUpperCase()}_NOT_SINGLE`, message: `TensorFlow allows one ${role}.`, received: replicas, fix: `set ${role} replicas to 1; add workers for more capacity.` });
    }
  }
  if (strategy === TfStrategy.MULTI_WORKER_MIRRORED && has(job, TfRole.PS)) {
    problems.push({ code: 'PS_WITH_MIRRORED', message: 'MultiWorkerMirroredStrategy keeps variables on the workers; parameter servers would idle.', received: job.props.parameterServers, fix: 'remove parameterServers, or use TfStrategy.PARAMETER_SERVER.' });
  }
  if (strategy === TfStrategy.PARAMETER_SERVER) {
    if (!has(job, TfRole.PS)) problems.push({ code: 'PS_MISSING', message: 'ParameterServerStrategy needs parameter servers to hold the variables.', received: undefined, fix: 'add parameterServers: { replicas: 1 } or more.' });
    if (!has(job, TfRole.CHIEF)) problems.push({ code: 'CHIEF_MISSING', message: 'ParameterServerStrategy needs a chief to run the coordinator.', received: undefined, fix: 'add chief: { replicas: 1 }.' });
  }
  if (job.backend === TrainingBackend.INDEXED_JOB) {
    for (const role of [TfRole.PS, TfRole.EVALUATOR]) {
      if (has(job, role)) {
        problems.push({
          code: 'ROLE_NEVER_EXITS',
          message: `The ${role} role serves until it is stopped, and the indexed-job backend has nothing that stops it when the chief finishes.`,
          received: { backend: job.backend, role },
          fix: 'use backend: TrainingBackend.JOBSET (its success policy on the chief ends the other roles) or TrainingBackend.KUBEFLOW_TFJOB.',
        });
      }
    }
  }
  const success = job.props.successPolicy ?? TrainingSuccess.CHIEF;
  if (success === TrainingSuccess.CHIEF_AND_EVALUATOR && (job.backend !== TrainingBackend.JOBSET || !has(job, TfRole.EVALUATOR))) {
    problems.push({
      code: 'SUCCESS_POLICY_UNSUPPORTED',
      message: job.backend === TrainingBackend.JOBSET
        ? 'The job waits for an evaluator it does not have.'
        : `The ${job.backend} backend cannot wait for the evaluator: the TFJob operator ends the job on the chief alone, and the indexed-job backend has no evaluator.`,
      received: { backend: job.backend, successPolicy: success },
      fix: job.backend === TrainingBackend.JOBSET ? 'add an evaluator, or use TrainingSuccess.CHIEF.' : 'use backend: TrainingBackend.JOBSET, whose success policy can target the chief and the evaluator.',
    });
  }
  return problems;
}

function restartProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  const maxRestarts = job.props.maxRestarts ?? 3;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    problems.push({ code: 'MAX_RESTARTS_INVALID', message: 'maxRestarts must be a whole number.', received: maxRestarts, fix: 'set maxRestarts to 0 or more.' });
  }
  const codes = job.props.retryableExitCodes;
  if (codes === undefined) return problems;
  const bad = codes.filter((c) => !Number.isInteger(c) || c < 1 || c > 255);
  if (bad.length > 0 || codes.length === 0) {
    problems.push({ code: 'EXIT_CODES_INVALID', message: 'Retryable exit codes must be process exit codes from 1 to 255.', received: codes, fix: 'list codes from 1 to 255, e.g. [137] for out-of-memory kills, or leave retryableExitCodes unset.' });
  } else if (job.backend === TrainingBackend.KUBEFLOW_TFJOB && codes.some((c) => c < 128)) {
    problems.push({ code: 'EXIT_CODES_UNSUPPORTED', message: 'The TFJob operator\'s ExitCode policy retries exactly the codes 128-255 and fails on 1-127; it cannot retry a code below 128.', received: codes, fix: 'list only codes from 128 to 255 (or none), or use the indexed-job or JobSet backend.' });
  }
  return problems;
}

function preemptionProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  // Not integral: cdk8s's conversions throw on a fraction of their unit.
  const grace = job.props.gracePeriod?.toMilliseconds({ integral: false });
  if (grace !== undefined && !(Number.isInteger(grace) && grace % 1000 === 0 && grace >= 1000 && grace <= 2 ** 31 * 1000)) {
    problems.push({ code: 'GRACE_PERIOD_INVALID', message: 'The grace period must be a whole number of seconds, at least 1, or no task can save a checkpoint.', received: `${grace} ms`, fix: 'set gracePeriod to Duration.seconds(30) or more; spot notices give 30 s (GCP, Azure) to 2 min (AWS).' });
  }
  const tasks = job.roles.reduce((sum, r) => sum + r.replicas, 0);
  const gpuRoles = job.roles.some((r) => (r.spec.gpus ?? 0) > 0);
  if (job.backend === TrainingBackend.INDEXED_JOB && mayRunOnSpot(job.capacity) && gpuRoles && tasks > 1) {
    problems.push({
      code: 'SPOT_NEEDS_GROUP_RESTART',
      message: `Training job "${job.name}" has ${tasks} tasks on spot capacity, but the indexed-job backend restarts a reclaimed task alone; its peers crash and count against backoffLimit.`,
      received: { backend: job.backend, capacity: job.capacity, tasks },
      fix: 'use backend: TrainingBackend.JOBSET or TrainingBackend.KUBEFLOW_TFJOB (they restart the group), or capacity: TrainingCapacity.ON_DEMAND.',
    });
  }
  return problems;
}

function queueProblems(job: JobView): Problem[] {
  const queue = job.props.queueName;
  if (queue === undefined) return [];
  const problems = checkName(queue, DNS_LABEL, 'QUEUE_NAME_INVALID');
  if (job.backend === TrainingBackend.INDEXED_JOB && job.roles.length > 1) {
    problems.push({
      code: 'QUEUE_NOT_ONE_UNIT',
      message: `Training job "${job.name}" runs as ${job.roles.length} Jobs (${job.roles.map((r) => r.role).join(', ')}); Kueue admits each Job on its own, so one could hold GPUs while the other waits.`,
      received: { backend: job.backend, roles: job.roles.map((r) => r.role) },
      fix: 'use backend: TrainingBackend.JOBSET or TrainingBackend.KUBEFLOW_TFJOB (one Workload for every role), or drop the chief so worker 0 plays its part.',
    });
  }
  return problems;
}

function gpuProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  const { cluster, capacity } = job;
  const offered = () => {
    const ids = [...new Set(cluster.pools.map((p) => p.accelerator).filter((a): a is string => a !== undefined))];
    return ids.length > 0 ? ids.join(', ') : 'none: add a GPU pool';
  };
  for (const { role, spec, placement } of job.roles) {
    const gpus = spec.gpus ?? 0;
    for (const [field, value] of [['cpu', spec.cpu ?? 2], ['memoryGiB', spec.memoryGiB ?? 8]] as const) {
      resourceProblems(`The ${role} role's`, field, value).forEach((p) => problems.push(p));
    }
    if (!Number.isInteger(gpus) || gpus < 0) {
      problems.push({ code: 'GPU_COUNT_INVALID', message: `The ${role} role asks for a fraction of a GPU; nvidia.com/gpu is counted in whole devices.`, received: gpus, fix: 'use a whole number of GPUs.' });
      continue;
    }
    if (gpus === 0) continue;
    if (!spec.accelerator) {
      problems.push({ code: 'GPU_ACCELERATOR_MISSING', message: `The ${role} role asks for ${gpus} GPU(s) without saying which accelerator.`, received: gpus, fix: `set accelerator to one the cluster has: ${offered()}.` });
      continue;
    }
    if (!placement) {
      const kind = capacity === TrainingCapacity.ON_DEMAND_THEN_SPOT ? 'on-demand or spot' : capacity;
      problems.push({ code: 'ACCELERATOR_NOT_IN_CLUSTER', message: `No ${kind} pool of cluster "${cluster.name}" carries ${spec.accelerator} for the ${role} role.`, received: spec.accelerator.id, fix: `use an accelerator the cluster has (${offered()}), add such a pool, or choose another capacity.` });
      continue;
    }
    const largestNode = Math.max(...placement.pools.map((p) => p.gpusPerNode));
    if (gpus > largestNode) {
      problems.push({ code: 'GPUS_EXCEED_NODE', message: `A ${role} pod asks for ${gpus} × ${spec.accelerator}, but the largest node of cluster "${cluster.name}" has ${largestNode}.`, received: gpus, fix: `ask for at most ${largestNode} GPUs per pod, or add a pool with bigger machines.` });
    }
  }
  for (const [accelerator, demand] of job.gpuDemand()) {
    const pools = cluster.poolsWith(accelerator).filter((p) => capacityAllows(capacity, p.spot));
    const capacityGpus = pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
    if (pools.length > 0 && demand > capacityGpus) {
      const poolList = pools.map((p) => `${p.name} (${p.maxNodes} × ${p.gpusPerNode})`).join(', ');
      problems.push({
        code: 'GPU_DEMAND_EXCEEDS_CAPACITY',
        message: `Training job "${job.name}" needs ${demand} × ${accelerator} at once, but pools ${poolList} of cluster "${cluster.name}" hold at most ${capacityGpus}.`,
        received: demand,
        fix: 'reduce replicas or GPUs per pod, raise maxNodes of those pools, or choose a capacity with more pools.',
      });
    }
  }
  return problems;
}

function derivedNameProblems(job: JobView): Problem[] {
  const problems: Problem[] = [];
  for (const { role, replicas } of job.roles) {
    const last = Math.max(0, replicas - 1);
    // The TFJob operator names pods and Services `<job>-<role>-<index>`, like the indexed-job backend.
    const derived = [job.topology.jobName(role), `${job.topology.hostnamePrefix(role)}${last}`];
    for (const name of derived) {
      checkName(name, DNS_LABEL, 'DERIVED_NAME_TOO_LONG').forEach((p) => problems.push({ ...p, message: `The ${role} role derives the name "${name}" (${name.length} characters), which DNS refuses.`, fix: `shorten the job name "${job.name}" by at least ${Math.max(1, name.length - 63)} characters.` }));
    }
  }
  return problems;
}

function tfConfigSizeProblems(job: JobView): Problem[] {
  if (job.backend === TrainingBackend.KUBEFLOW_TFJOB) return [];
  const largest = Math.max(...job.roles.map((r) => Buffer.byteLength(`TF_CONFIG=${job.tfConfig(r.role)}`)));
  if (largest < MAX_ENV_STRING_BYTES) return [];
  return [{ code: 'TF_CONFIG_TOO_LARGE', message: `TF_CONFIG would be ${largest} bytes; Linux refuses one environment string of ${MAX_ENV_STRING_BYTES} bytes or more, so no pod would start.`, received: largest, fix: 'reduce the number of tasks, or shorten the job name and namespace.' }];
}

const ROLE_SHAPE: FieldShape = {
  fields: {
    replicas: 'number', cpu: 'number', memoryGiB: 'number', gpus: 'number', accelerator: { instanceOf: Accelerator, name: 'Accelerator' },
    image: 'string', command: { arrayOf: 'string' }, args: { arrayOf: 'string' },
  },
};
const enumShape = (values: Record<string, unknown>, name: string): FieldShape => ({ oneOf: Object.values(values), name });

/** The shape of TfTrainingJobProps, checked before anything is built (JavaScript callers, JSON config). */
export const JOB_PROPS_SHAPE: PropsShape = {
  name: 'string',
  namespace: 'string',
  image: 'string',
  command: { arrayOf: 'string' },
  args: { arrayOf: 'string' },
  env: { mapOf: 'string' },
  strategy: enumShape(TfStrategy, 'TfStrategy'),
  chief: ROLE_SHAPE,
  workers: ROLE_SHAPE,
  parameterServers: ROLE_SHAPE,
  evaluator: ROLE_SHAPE,
  port: 'number',
  backend: enumShape(TrainingBackend, 'TrainingBackend'),
  cluster: CLUSTER_PROFILE_SHAPE,
  maxRestarts: 'number',
  retryableExitCodes: { arrayOf: 'number' },
  gracePeriod: { instanceOf: Duration, name: 'Duration' },
  activeDeadline: { instanceOf: Duration, name: 'Duration' },
  ttlAfterFinished: { instanceOf: Duration, name: 'Duration' },
  priorityClassName: 'string',
  serviceAccountName: 'string',
  cloudIdentity: 'string',
  checkpoint: { instanceOf: TrainingCheckpoint, name: 'TrainingCheckpoint' },
  capacity: enumShape(TrainingCapacity, 'TrainingCapacity'),
  queueName: 'string',
  successPolicy: enumShape(TrainingSuccess, 'TrainingSuccess'),
};

/** Fields without which a job cannot be built. */
export const JOB_REQUIRED = ['image', 'strategy', 'workers'];
