import { ApiObject } from 'cdk8s';
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME } from '../core/pod-security';
import { cpuQuantity, memoryQuantity } from '../core/quantities';
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
  readonly ttlSeconds: number;
  /** Pod labels of the cloud identity, when the pods run as a ServiceAccount with one. */
  readonly identityLabels: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  readonly gracePeriodSeconds: number;
  /** Extra environment variables set by the job itself (preemption exit code). */
  readonly jobEnv: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** TF_CONFIG of a role's pods, with the index left to the kubelet. */
  tfConfig(role: TfRole): string;
  add(id: string, manifest: Record<string, unknown> & { apiVersion: string; kind: string }): ApiObject;
}

export function jobLabels(job: JobRender, role?: TfRole): Record<string, string> {
  return { [TrainingLabels.JOB]: job.name, ...(role ? { [TrainingLabels.ROLE]: role } : {}) };
}

export function jobMetadata(job: JobRender, name: string, role?: TfRole, extraLabels: Record<string, string> = {}) {
  return { name, namespace: job.namespace, labels: { ...jobLabels(job, role), ...extraLabels } };
}

/** The pod template of one role; `tfConfig` is ours to write on the indexed-job and JobSet backends. */
export function podTemplate(job: JobRender, resolved: ResolvedRole, portName: string, tfConfig?: string) {
  const { role, spec, placement } = resolved;
  const { props } = job;
  const gpus = spec.gpus ?? 0;
  const quantities: Record<string, string> = { cpu: cpuQuantity(spec.cpu ?? 2), memory: memoryQuantity(spec.memoryGiB ?? 8) };
  if (gpus > 0) quantities['nvidia.com/gpu'] = String(gpus);
  const checkpoint = props.checkpoint;
  const env = [
    // Declared before TF_CONFIG: the kubelet only expands $(NAME) for names defined earlier.
    ...(tfConfig !== undefined ? [
      { name: TASK_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } },
      { name: 'TF_CONFIG', value: tfConfig },
    ] : []),
    { name: 'HOME', value: '/tmp' },
    ...(checkpoint ? [{ name: CHECKPOINT_ENV, value: checkpoint.location }] : []),
    ...job.jobEnv,
    ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const command = spec.command ?? props.command;
  const args = spec.args ?? props.args;
  return {
    metadata: { labels: { ...jobLabels(job, role), ...job.identityLabels } },
    spec: {
      restartPolicy: 'Never',
      ...(tfConfig !== undefined ? { subdomain: job.topology.subdomain } : {}),
      serviceAccountName: job.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // Time to save a checkpoint between SIGTERM and SIGKILL.
      terminationGracePeriodSeconds: job.gracePeriodSeconds,
      ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
      securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
      ...(placement ? { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations } : {}),
      ...(placement?.affinity ? { affinity: placement.affinity } : {}),
      volumes: [TMP_VOLUME, ...(checkpoint?.claimName ? [{ name: 'checkpoints', persistentVolumeClaim: { claimName: checkpoint.claimName } }] : [])],
      containers: [{
        name: TF_CONTAINER,
        image: spec.image ?? props.image,
        ...(command ? { command: [...command] } : {}),
        ...(args ? { args: [...args] } : {}),
        ports: [{ name: portName, containerPort: job.port, protocol: 'TCP' }],
        env,
        resources: { requests: quantities, limits: quantities },
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        volumeMounts: [TMP_MOUNT, ...(checkpoint?.claimName ? [{ name: 'checkpoints', mountPath: checkpoint.location }] : [])],
      }],
    },
  };
}
