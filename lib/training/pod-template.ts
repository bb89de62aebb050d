import { ApiObject, GroupVersionKind } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { PodTemplate } from '../k8s/pod-template';
import { CHECKPOINT_ENV } from './checkpoint';
import { ResolvedRole, TfTrainingJobProps, TrainingLabels } from './job-props';
import { COMPLETION_INDEX_FIELD, TASK_INDEX_ENV, TfRole, TrainingTopology } from './tf-config';

/** The container name the TFJob operator requires, used on every backend. */
export const TF_CONTAINER = 'tensorflow';
export const TF_PORT_NAME = 'tf-grpc';
export const TFJOB_PORT_NAME = 'tfjob-port';

/** What a backend needs of the job to write its objects. */
export interface JobRender {
  readonly name: string;
  readonly namespace: string;
  readonly props: TfTrainingJobProps;
  readonly roles: readonly ResolvedRole[];
  readonly port: number;
  readonly topology: TrainingTopology;
  /** Labels of the top-level object that runs the pods: the queue label when queued. */
  readonly queueLabels: Readonly<Record<string, string>>;
  /** @default - kept once finished */
  readonly ttlSeconds?: number;
  /** Pod labels of the cloud identity, when the pods run as a ServiceAccount with one. */
  readonly identityLabels: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  readonly gracePeriodSeconds: number;
  /** Extra environment variables set by the job itself (preemption exit code). */
  readonly jobEnv: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** TF_CONFIG of a role's pods, with the index left to the kubelet. */
  tfConfig(role: TfRole): string;
  /** Emits an object built from the typed props of a generated class (see `kubeObject`). */
  add<P>(id: string, gvk: GroupVersionKind, toJson: (props: P | undefined) => Record<string, any> | undefined, props: NoInfer<P>): ApiObject;
}

export function jobLabels(job: JobRender, role?: TfRole): Record<string, string> {
  return { [TrainingLabels.JOB]: job.name, ...(role ? { [TrainingLabels.ROLE]: role } : {}) };
}

export function jobMetadata(job: JobRender, name: string, role?: TfRole, extraLabels: Record<string, string> = {}): k8s.ObjectMeta {
  return { name, namespace: job.namespace, labels: { ...jobLabels(job, role), ...extraLabels } };
}

/** The pod template of one role; `tfConfig` is ours to write on the indexed-job and JobSet backends. */
export function podTemplate(job: JobRender, resolved: ResolvedRole, portName: string, tfConfig?: string): k8s.PodTemplateSpec {
  const { role, spec, placement } = resolved;
  const { props } = job;
  const checkpoint = props.checkpoint;
  const command = spec.command ?? props.command;
  const args = spec.args ?? props.args;
  const pod = new PodTemplate({
    labels: { ...jobLabels(job, role), ...job.identityLabels },
    serviceAccount: job.serviceAccountName,
    restartPolicy: 'Never',
    subdomain: tfConfig !== undefined ? job.topology.subdomain : undefined,
    // Time to save a checkpoint between SIGTERM and SIGKILL.
    terminationGracePeriodSeconds: job.gracePeriodSeconds,
    priorityClassName: props.priorityClassName,
    placement,
    affinity: placement?.affinity,
  });
  if (checkpoint?.claimName) pod.addVolume({ name: 'checkpoints', persistentVolumeClaim: { claimName: checkpoint.claimName } }, { mountPath: checkpoint.location });
  pod.addContainer({
    name: TF_CONTAINER,
    image: spec.image ?? props.image,
    command,
    args,
    ports: [{ name: portName, containerPort: job.port, protocol: 'TCP' }],
    // Declared before TF_CONFIG: the kubelet only expands $(NAME) for names defined earlier.
    env: tfConfig !== undefined ? [
      { name: TASK_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } },
      { name: 'TF_CONFIG', value: tfConfig },
    ] : [],
    resources: { cpu: spec.cpu ?? 2, memoryGiB: spec.memoryGiB ?? 8, gpus: spec.gpus ?? 0 },
  });
  if (checkpoint) pod.addEnv(CHECKPOINT_ENV, checkpoint.location);
  for (const { name, value } of job.jobEnv) pod.addEnv(name, value);
  for (const [name, value] of Object.entries(props.env ?? {})) pod.addEnv(name, value);
  return pod.toTemplate();
}
