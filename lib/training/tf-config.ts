/**
 * TF_CONFIG wiring: which DNS names the pods of a training job get on each backend, and the
 * TF_CONFIG text each role's pod template carries.
 */

/** The distribution strategies the job wires TF_CONFIG for. */
export enum TfStrategy {
  MULTI_WORKER_MIRRORED = 'MultiWorkerMirroredStrategy',
  PARAMETER_SERVER = 'ParameterServerStrategy',
}

/** How the job runs on Kubernetes. */
export enum TrainingBackend {
  /** One Indexed Job per role and one headless Service; needs no operator. */
  INDEXED_JOB = 'indexed-job',
  /** A `jobset.x-k8s.io/v1alpha2` JobSet; needs the JobSet controller. */
  JOBSET = 'jobset',
  /** A `kubeflow.org/v1` TFJob; needs the Kubeflow training operator, which writes TF_CONFIG itself. */
  KUBEFLOW_TFJOB = 'kubeflow-tfjob',
}

/** TensorFlow task types, in the order TF_CONFIG lists them. */
export enum TfRole {
  CHIEF = 'chief',
  WORKER = 'worker',
  PS = 'ps',
  EVALUATOR = 'evaluator',
}

/** The variable the pod's completion index reaches TF_CONFIG through. */
export const TASK_INDEX_ENV = 'TF_TASK_INDEX';

/** Where an Indexed Job writes the pod's index; the kubelet resolves it through a fieldRef. */
export const COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** The Linux limit on one environment string (`NAME=value`): MAX_ARG_STRLEN, 32 pages. */
export const MAX_ENV_STRING_BYTES = 128 * 1024;

/** Names the job's objects and pods get on one backend. */
export interface TrainingTopology {
  /** Kubernetes name of the object that runs `role` (a Job, or a JobSet's child Job). */
  jobName(role: TfRole): string;
  /** Pod `index` of `role` has the hostname `<hostnamePrefix(role)><index>`; its DNS host adds `.<subdomain>`. */
  hostnamePrefix(role: TfRole): string;
  /** The headless Service whose name is the pods' subdomain. */
  readonly subdomain: string;
}

/** Indexed Job: pod hostname is `<job-name>-<index>`; the subdomain is our headless Service. */
export function indexedJobTopology(name: string): TrainingTopology {
  return {
    jobName: (role) => `${name}-${role}`,
    hostnamePrefix: (role) => `${name}-${role}-`,
    subdomain: name,
  };
}

/**
 * JobSet: each ReplicatedJob with one replica makes Job `<jobset>-<role>-0`, whose pods are named
 * `<jobset>-<role>-0-<index>`; the JobSet controller's headless Service is named after the JobSet.
 */
export function jobSetTopology(name: string): TrainingTopology {
  return {
    jobName: (role) => `${name}-${role}-0`,
    hostnamePrefix: (role) => `${name}-${role}-0-`,
    subdomain: name,
  };
}

/**
 * The `cluster` part of TF_CONFIG as JSON: every task address, the same for every pod. Written
 * directly rather than by `JSON.stringify` of an array of addresses, which took three times as long
 * for thousands of workers: only the index varies, and digits need no escaping.
 */
export function tfClusterSpecJson(
  topology: TrainingTopology,
  namespace: string,
  port: number,
  replicas: ReadonlyMap<TfRole, number>,
): string {
  const roles: string[] = [];
  // The evaluator watches checkpoints on its own; TensorFlow keeps it out of the cluster spec.
  for (const role of [TfRole.CHIEF, TfRole.WORKER, TfRole.PS]) {
    const count = replicas.get(role) ?? 0;
    if (count === 0) continue;
    const open = JSON.stringify(topology.hostnamePrefix(role)).slice(0, -1);
    const close = JSON.stringify(`.${topology.subdomain}.${namespace}.svc:${port}`).slice(1);
    const addresses = new Array<string>(count);
    for (let i = 0; i < count; i++) addresses[i] = open + i + close;
    roles.push(`${JSON.stringify(role)}:[${addresses.join(',')}]`);
  }
  return `{${roles.join(',')}}`;
}

/**
 * TF_CONFIG for a role's pod template, from {@link tfClusterSpecJson}. The task index is left to the kubelet: `$(TF_TASK_INDEX)`
 * expands to the pod's completion index because that variable is declared earlier in the list.
 */
export function tfConfigTemplate(clusterJson: string, role: TfRole): string {
  return `{"cluster":${clusterJson},"task":{"type":"${role}","index":$(${TASK_INDEX_ENV})}}`;
}
