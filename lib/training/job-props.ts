import { Duration } from 'cdk8s';
import { Accelerator } from '../core/accelerator';
import { ClusterProfile } from '../core/cluster-profile';
import { LABEL_PREFIX } from '../core/scheduling';
import { CapacityPlacement, TrainingCapacity } from './capacity';
import { TrainingCheckpoint } from './checkpoint';
import { TfRole, TfStrategy, TrainingBackend } from './tf-config';

/** Resources and overrides of one TensorFlow role. */
export interface TfRoleSpec {
  /** @default 1 */
  readonly replicas?: number;
  /** CPU cores, requested and limited. @default 2 */
  readonly cpu?: number;
  /** Memory in GiB, requested and limited. @default 8 */
  readonly memoryGiB?: number;
  /** Whole GPUs per pod. @default 0 */
  readonly gpus?: number;
  /** Required when `gpus` > 0; must be carried by a pool of the cluster profile. @default - none */
  readonly accelerator?: Accelerator;
  /** @default - the job's image */
  readonly image?: string;
  /** @default - the job's command */
  readonly command?: readonly string[];
  /** @default - the job's args */
  readonly args?: readonly string[];
}

/** Which tasks must succeed for the job to succeed. */
export enum TrainingSuccess {
  /** The chief (or worker 0 without a chief) succeeds; the other roles are stopped. */
  CHIEF = 'chief',
  /** The chief and the evaluator succeed, so the last evaluation is not lost (JobSet only). */
  CHIEF_AND_EVALUATOR = 'chief-and-evaluator',
  /** Every worker (and the chief) succeeds. */
  ALL_WORKERS = 'all-workers',
}

export interface TfTrainingJobProps {
  /** Name of the job's objects; pod hostnames derive from it. @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the tenant chart it is placed in */
  readonly namespace?: string;
  /** Container image, pinned by tag (not `latest`) or digest. */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - none */
  readonly args?: readonly string[];
  /** Extra environment variables for every pod. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  readonly strategy: TfStrategy;
  /** At most one replica. @default - no chief: worker 0 plays its part */
  readonly chief?: TfRoleSpec;
  readonly workers: TfRoleSpec;
  /** Only with the parameter-server strategy. @default - none */
  readonly parameterServers?: TfRoleSpec;
  /** At most one replica. @default - none */
  readonly evaluator?: TfRoleSpec;
  /** The port every task listens on. @default 2222 */
  readonly port?: number;
  /** @default TrainingBackend.INDEXED_JOB */
  readonly backend?: TrainingBackend;
  /** The cluster the job runs on; GPU roles are placed on its pools. @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /**
   * Restarts for failures of the code: job-wide on the indexed-job backend, of the whole set on
   * JobSet. Preemptions never count (see README, "Preemption"). TFJob counts none under its ExitCode policy.
   * @default 3
   */
  readonly maxRestarts?: number;
  /**
   * Exit codes worth a retry; any other code fails the job at once. On TFJob the operator's rule
   * applies (128-255 retry, 1-127 fail), so only codes from 128 to 255 may be listed.
   * @default - every failure is retried, up to maxRestarts
   */
  readonly retryableExitCodes?: readonly number[];
  /** Time between SIGTERM and SIGKILL: the task saves its checkpoint in it. @default Duration.minutes(2) */
  readonly gracePeriod?: Duration;
  /** @default - no deadline */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished job is kept before its controller deletes it. Anything that applies the
   * manifests again after that (a GitOps engine, a CI pipeline) creates the job again, and it runs
   * again: with GitOpsDelivery it is refused (`GITOPS_JOB_TTL`).
   * @default - kept until the program no longer has it
   */
  readonly ttlAfterFinished?: Duration;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
  /** An existing ServiceAccount, e.g. one with a cloud identity from `Tenant.identities`. @default - a dedicated ServiceAccount named after the job */
  readonly serviceAccountName?: string;
  /**
   * The cloud identity of the job's own ServiceAccount (GCP service account email, IAM role ARN,
   * Entra client id), annotated the way the cluster profile says. Not with `serviceAccountName`.
   * @default - no cloud identity
   */
  readonly cloudIdentity?: string;
  /** Passed as CHECKPOINT_DIR; a volume is also mounted. @default - none */
  readonly checkpoint?: TrainingCheckpoint;
  /** Which pools GPU roles run on. @default TrainingCapacity.ON_DEMAND */
  readonly capacity?: TrainingCapacity;
  /**
   * The Kueue LocalQueue in the job's namespace (`Tenant.queueName`). The job starts suspended and
   * Kueue admits it whole, or not at all, against its tenant's ClusterQueue.
   * @default - not queued: the job starts at once
   */
  readonly queueName?: string;
  /** @default TrainingSuccess.CHIEF */
  readonly successPolicy?: TrainingSuccess;
}

/** A training job at a glance. */
export interface TrainingJobSummary {
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly backend: TrainingBackend;
  readonly strategy: TfStrategy;
  /** Replicas by role. */
  readonly replicas: Readonly<Record<string, number>>;
  /** GPUs held while running, by accelerator id. */
  readonly gpus: Readonly<Record<string, number>>;
  readonly capacity: TrainingCapacity;
  /** @default - not queued */
  readonly queue?: string;
}

/** Labels every object and pod of a training job carries. */
export const TrainingLabels = {
  JOB: `${LABEL_PREFIX}/training-job`,
  ROLE: `${LABEL_PREFIX}/training-role`,
} as const;

/** The label that hands a job to a Kueue LocalQueue. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** One role after defaults, with where its pods go. */
export interface ResolvedRole {
  readonly role: TfRole;
  readonly spec: TfRoleSpec;
  readonly replicas: number;
  /** @default - no node selector or tolerations (CPU roles) */
  readonly placement?: CapacityPlacement;
}
