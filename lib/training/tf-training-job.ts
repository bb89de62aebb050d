import { ApiObject, Duration } from 'cdk8s';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ClusterProfile, Placement } from '../core/cluster-profile';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { checkName, DNS_1035_LABEL, DNS_LABEL, ENV_VAR_NAME } from '../core/names';
import {
  isPinnedImage, RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME,
} from '../core/pod-security';
import { cpuQuantity, memoryQuantity } from '../core/quantities';
import { LABEL_PREFIX } from '../core/scheduling';
import { Problem, Problems } from '../core/validation';
import { PlatformWorkload, undefinedReferenceProblems, WorkloadReferences } from '../core/workload';
import { identityPodLabels } from '../core/workload-identity';
import { CHECKPOINT_ENV, TrainingCheckpoint } from './checkpoint';
import {
  COMPLETION_INDEX_FIELD, indexedJobTopology, jobSetTopology, MAX_ENV_STRING_BYTES, TASK_INDEX_ENV, tfClusterSpec,
  tfConfigTemplate, TfRole, TfStrategy, TrainingBackend, TrainingTopology,
} from './tf-config';

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
  /** The cluster the job runs on; GPU roles are placed on its pools. */
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /**
   * Retries before the job fails: per pod on the indexed-job backend, of the whole set on JobSet,
   * of the replicas on TFJob. Evictions and preemptions do not count.
   * @default 3
   */
  readonly maxRestarts?: number;
  /**
   * Exit codes worth a retry; any other failure fails the job at once.
   * @default - every failure is retried, up to maxRestarts
   */
  readonly retryableExitCodes?: readonly number[];
  /** @default - no deadline */
  readonly activeDeadline?: Duration;
  /** @default Duration.days(1) */
  readonly ttlAfterFinished?: Duration;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
  /** An existing ServiceAccount, e.g. one with a cloud identity from `Tenant.identities`. @default - a dedicated ServiceAccount named after the job, without token or cloud identity */
  readonly serviceAccountName?: string;
  /** Passed as CHECKPOINT_DIR; a volume is also mounted. @default - none */
  readonly checkpoint?: TrainingCheckpoint;
  /** Let GPU roles run on spot pools; training must then resume from checkpoints. @default false */
  readonly allowSpot?: boolean;
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
}

/** Labels every object and pod of a training job carries. */
export const TrainingLabels = {
  JOB: `${LABEL_PREFIX}/training-job`,
  ROLE: `${LABEL_PREFIX}/training-role`,
} as const;

/** The container name the TFJob operator requires, used on every backend. */
export const TF_CONTAINER = 'tensorflow';
const TF_PORT_NAME = 'tf-grpc';
const TFJOB_PORT_NAME = 'tfjob-port';
const TFJOB_REPLICA_TYPE: Record<TfRole, string> = { chief: 'Chief', worker: 'Worker', ps: 'PS', evaluator: 'Evaluator' };
// Indexed Jobs accept at most 10^5 completions.
const MAX_INDEXED_COMPLETIONS = 100_000;
const ROLE_ORDER = [TfRole.CHIEF, TfRole.WORKER, TfRole.PS, TfRole.EVALUATOR];

interface ResolvedRole {
  readonly role: TfRole;
  readonly spec: TfRoleSpec;
  readonly replicas: number;
  /** @default - no node selector or tolerations (CPU roles) */
  readonly placement?: Placement;
}

/**
 * A distributed TensorFlow training job with TF_CONFIG wired for every task.
 *
 * What ends it: with MultiWorkerMirroredStrategy every task exits when training ends. With
 * ParameterServerStrategy workers and parameter servers serve forever and only the chief exits;
 * JobSet's success policy on the chief then deletes the other child Jobs, and the TFJob operator's
 * default success policy ends the job on the chief. The indexed-job backend has no such link
 * between Jobs, so it rejects parameter servers and evaluators.
 */
export class TfTrainingJob extends Construct implements PlatformWorkload {
  public readonly name: string;
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly cluster: ClusterProfile;
  public readonly backend: TrainingBackend;
  /** The objects emitted, by kind: Service, NetworkPolicy, Job, JobSet or TFJob. */
  public readonly apiObjects: ApiObject[] = [];
  private readonly props: TfTrainingJobProps;
  private readonly port: number;
  private readonly roles: ResolvedRole[];
  private readonly problems: Problems;

  constructor(scope: Construct, id: string, props: TfTrainingJobProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? id;
    this.problems = Problems.of(this);
    ({ cluster: this.cluster, namespace: this.namespace } = resolveWorkloadScope(this, props, this.problems));
    this.clusterName = this.cluster.name;
    this.backend = props.backend ?? TrainingBackend.INDEXED_JOB;
    this.port = props.port ?? 2222;
    installKubernetesGate(this, this.clusterName);
    this.roles = this.resolveRoles();
    this.validate();
    this.problems.addCheck(() => undefinedReferenceProblems(this));

    switch (this.backend) {
      case TrainingBackend.INDEXED_JOB:
        this.emitIndexedJobs();
        break;
      case TrainingBackend.JOBSET:
        this.emitJobSet();
        break;
      case TrainingBackend.KUBEFLOW_TFJOB:
        this.emitTfJob();
        break;
    }
    this.emitNetworkPolicy();
    if (!props.serviceAccountName) {
      this.add('service-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: this.metadata(this.name), automountServiceAccountToken: false });
    }
  }

  /** Total GPUs of each accelerator the job holds while it runs. */
  public gpuDemand(): Map<Accelerator, number> {
    const demand = new Map<Accelerator, number>();
    for (const { spec, replicas } of this.roles) {
      if (spec.accelerator && (spec.gpus ?? 0) > 0) {
        demand.set(spec.accelerator, (demand.get(spec.accelerator) ?? 0) + replicas * (spec.gpus ?? 0));
      }
    }
    return demand;
  }

  /** What the job runs, for reports. */
  public describe(): TrainingJobSummary {
    return {
      name: this.name,
      namespace: this.namespace,
      cluster: this.clusterName,
      backend: this.backend,
      strategy: this.props.strategy,
      replicas: Object.fromEntries(this.roles.map((r) => [r.role, r.replicas])),
      gpus: Object.fromEntries([...this.gpuDemand()].map(([accelerator, count]) => [accelerator.id, count])),
    };
  }

  public fixedGpuDemand(): number {
    return [...this.gpuDemand().values()].reduce((sum, n) => sum + n, 0);
  }

  public references(): WorkloadReferences {
    const { props } = this;
    return {
      serviceAccounts: props.serviceAccountName ? [props.serviceAccountName] : [],
      persistentVolumeClaims: props.checkpoint?.claimName ? [props.checkpoint.claimName] : [],
      secrets: [],
      priorityClasses: props.priorityClassName ? [props.priorityClassName] : [],
    };
  }

  private resolveRoles(): ResolvedRole[] {
    const specs: Array<[TfRole, TfRoleSpec | undefined]> = [
      [TfRole.CHIEF, this.props.chief],
      [TfRole.WORKER, this.props.workers],
      [TfRole.PS, this.props.parameterServers],
      [TfRole.EVALUATOR, this.props.evaluator],
    ];
    return specs.flatMap(([role, spec]) => {
      if (!spec) return [];
      const placement = spec.accelerator ? this.cluster.placementFor(spec.accelerator, { allowSpot: this.props.allowSpot }) : undefined;
      return [{ role, spec, replicas: spec.replicas ?? 1, placement }];
    });
  }

  private topology(): TrainingTopology {
    return this.backend === TrainingBackend.JOBSET ? jobSetTopology(this.name) : indexedJobTopology(this.name);
  }

  private replicaCounts(): Map<TfRole, number> {
    return new Map(this.roles.map((r) => [r.role, r.replicas]));
  }

  private tfConfig(role: TfRole): string {
    return tfConfigTemplate(tfClusterSpec(this.topology(), this.namespace, this.port, this.replicaCounts()), role);
  }

  // ---- validation -------------------------------------------------------------------------

  private validate(): void {
    const add = (p: Problem) => this.problems.add(p);
    const { props } = this;
    checkName(this.name, DNS_1035_LABEL, 'JOB_NAME_INVALID').forEach(add);
    checkName(this.namespace, DNS_LABEL, 'NAMESPACE_INVALID').forEach(add);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      add({ code: 'PORT_INVALID', message: 'The task port is not a TCP port number.', received: this.port, fix: 'use a whole number from 1 to 65535; 2222 is the TensorFlow convention.' });
    }
    for (const image of [props.image, ...this.roles.map((r) => r.spec.image).filter((i): i is string => i !== undefined)]) {
      if (!isPinnedImage(image)) {
        add({ code: 'IMAGE_NOT_PINNED', message: 'The image is not pinned, so reruns may train with other code.', received: image, fix: 'add a version tag other than "latest" (tensorflow/tensorflow:2.21.0) or a digest (@sha256:…).' });
      }
    }
    for (const key of Object.keys(props.env ?? {})) {
      checkName(key, ENV_VAR_NAME, 'ENV_NAME_INVALID').forEach(add);
      if ([TASK_INDEX_ENV, 'TF_CONFIG', CHECKPOINT_ENV].includes(key)) {
        add({ code: 'ENV_RESERVED', message: `${key} is set by the training job itself.`, received: key, fix: 'remove it from env; use the job\'s props to change what it holds.' });
      }
    }
    props.checkpoint?.problems().forEach(add);
    this.validateTopology(add);
    this.validateRestarts(add);
    this.validateGpus(add);
    this.validateDerivedNames(add);
    this.validateTfConfigSize(add);
  }

  private validateTopology(add: (p: Problem) => void): void {
    const { strategy } = this.props;
    for (const { role, replicas } of this.roles) {
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_INDEXED_COMPLETIONS) {
        add({ code: 'REPLICAS_INVALID', message: `The ${role} role needs between 1 and ${MAX_INDEXED_COMPLETIONS} replicas.`, received: replicas, fix: `set ${role} replicas to a whole number from 1 to ${MAX_INDEXED_COMPLETIONS}, or leave the role out.` });
      }
      if ((role === TfRole.CHIEF || role === TfRole.EVALUATOR) && replicas > 1) {
        add({ code: `${role.toUpperCase()}_NOT_SINGLE`, message: `TensorFlow allows one ${role}.`, received: replicas, fix: `set ${role} replicas to 1; add workers for more capacity.` });
      }
    }
    const has = (role: TfRole) => this.roles.some((r) => r.role === role);
    if (strategy === TfStrategy.MULTI_WORKER_MIRRORED && has(TfRole.PS)) {
      add({ code: 'PS_WITH_MIRRORED', message: 'MultiWorkerMirroredStrategy keeps variables on the workers; parameter servers would idle.', received: this.props.parameterServers, fix: 'remove parameterServers, or use TfStrategy.PARAMETER_SERVER.' });
    }
    if (strategy === TfStrategy.PARAMETER_SERVER) {
      if (!has(TfRole.PS)) add({ code: 'PS_MISSING', message: 'ParameterServerStrategy needs parameter servers to hold the variables.', received: undefined, fix: 'add parameterServers: { replicas: 1 } or more.' });
      if (!has(TfRole.CHIEF)) add({ code: 'CHIEF_MISSING', message: 'ParameterServerStrategy needs a chief to run the coordinator.', received: undefined, fix: 'add chief: { replicas: 1 }.' });
    }
    if (this.backend === TrainingBackend.INDEXED_JOB) {
      for (const role of [TfRole.PS, TfRole.EVALUATOR]) {
        if (has(role)) {
          add({
            code: 'ROLE_NEVER_EXITS',
            message: `The ${role} role serves until it is stopped, and the indexed-job backend has nothing that stops it when the chief finishes.`,
            received: { backend: this.backend, role },
            fix: 'use backend: TrainingBackend.JOBSET (its success policy on the chief ends the other roles) or TrainingBackend.KUBEFLOW_TFJOB.',
          });
        }
      }
    }
  }

  private validateRestarts(add: (p: Problem) => void): void {
    const maxRestarts = this.props.maxRestarts ?? 3;
    if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
      add({ code: 'MAX_RESTARTS_INVALID', message: 'maxRestarts must be a whole number.', received: maxRestarts, fix: 'set maxRestarts to 0 or more.' });
    }
    const codes = this.props.retryableExitCodes;
    if (codes === undefined) return;
    if (this.backend === TrainingBackend.KUBEFLOW_TFJOB) {
      add({ code: 'EXIT_CODES_UNSUPPORTED', message: 'The TFJob operator decides retries itself (exit codes 128–255 retry, others fail).', received: codes, fix: 'remove retryableExitCodes, or use the indexed-job or JobSet backend.' });
    }
    const bad = codes.filter((c) => !Number.isInteger(c) || c < 1 || c > 255);
    if (bad.length > 0 || codes.length === 0) {
      add({ code: 'EXIT_CODES_INVALID', message: 'Retryable exit codes must be process exit codes from 1 to 255.', received: codes, fix: 'list codes from 1 to 255, e.g. [137] for out-of-memory kills, or leave retryableExitCodes unset.' });
    }
  }

  private validateGpus(add: (p: Problem) => void): void {
    const { cluster } = this;
    for (const { role, spec, placement } of this.roles) {
      const gpus = spec.gpus ?? 0;
      for (const [field, value] of [['cpu', spec.cpu ?? 2], ['memoryGiB', spec.memoryGiB ?? 8]] as const) {
        if (!(value > 0)) add({ code: 'RESOURCE_INVALID', message: `The ${role} role's ${field} must be positive.`, received: value, fix: `set ${field} above 0.` });
      }
      if (!Number.isInteger(gpus) || gpus < 0) {
        add({ code: 'GPU_COUNT_INVALID', message: `The ${role} role asks for a fraction of a GPU; nvidia.com/gpu is counted in whole devices.`, received: gpus, fix: 'use a whole number of GPUs.' });
        continue;
      }
      if (gpus === 0) continue;
      if (!spec.accelerator) {
        add({ code: 'GPU_ACCELERATOR_MISSING', message: `The ${role} role asks for ${gpus} GPU(s) without saying which accelerator.`, received: gpus, fix: `set accelerator to one the cluster has: ${offered(cluster)}.` });
        continue;
      }
      if (!placement) {
        add({ code: 'ACCELERATOR_NOT_IN_CLUSTER', message: `No${this.props.allowSpot ? '' : ' on-demand'} pool of cluster "${cluster.name}" carries ${spec.accelerator} for the ${role} role.`, received: spec.accelerator.id, fix: `use an accelerator the cluster has (${offered(cluster)}), add such a pool${this.props.allowSpot ? '' : ', or set allowSpot'}.` });
        continue;
      }
      const pools = cluster.poolsWith(spec.accelerator).filter((p) => this.props.allowSpot || !p.spot);
      const largestNode = Math.max(...pools.map((p) => p.gpusPerNode));
      if (gpus > largestNode) {
        add({ code: 'GPUS_EXCEED_NODE', message: `A ${role} pod asks for ${gpus} × ${spec.accelerator}, but the largest node of cluster "${cluster.name}" has ${largestNode}.`, received: gpus, fix: `ask for at most ${largestNode} GPUs per pod, or add a pool with bigger machines.` });
      }
    }
    for (const [accelerator, demand] of this.gpuDemand()) {
      const pools = cluster.poolsWith(accelerator).filter((p) => this.props.allowSpot || !p.spot);
      const capacity = pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
      if (pools.length > 0 && demand > capacity) {
        const poolList = pools.map((p) => `${p.name} (${p.maxNodes} × ${p.gpusPerNode})`).join(', ');
        add({
          code: 'GPU_DEMAND_EXCEEDS_CAPACITY',
          message: `Training job "${this.name}" needs ${demand} × ${accelerator} at once, but pools ${poolList} of cluster "${cluster.name}" hold at most ${capacity}.`,
          received: demand,
          fix: 'reduce replicas or GPUs per pod, or raise maxNodes of those pools.',
        });
      }
    }
  }

  private validateDerivedNames(add: (p: Problem) => void): void {
    const topology = this.topology();
    for (const { role, replicas } of this.roles) {
      const last = Math.max(0, replicas - 1);
      // The TFJob operator names pods and Services `<job>-<role>-<index>`, like the indexed-job backend.
      const derived = [topology.jobName(role), topology.hostname(role, last)];
      for (const name of derived) {
        const problems = checkName(name, DNS_LABEL, 'DERIVED_NAME_TOO_LONG');
        problems.forEach((p) => add({ ...p, message: `The ${role} role derives the name "${name}" (${name.length} characters), which DNS refuses.`, fix: `shorten the job name "${this.name}" by at least ${Math.max(1, name.length - 63)} characters.` }));
      }
    }
  }

  private validateTfConfigSize(add: (p: Problem) => void): void {
    if (this.backend === TrainingBackend.KUBEFLOW_TFJOB) return;
    const largest = Math.max(...this.roles.map((r) => Buffer.byteLength(`TF_CONFIG=${this.tfConfig(r.role)}`)));
    if (largest >= MAX_ENV_STRING_BYTES) {
      add({ code: 'TF_CONFIG_TOO_LARGE', message: `TF_CONFIG would be ${largest} bytes; Linux refuses one environment string of ${MAX_ENV_STRING_BYTES} bytes or more, so no pod would start.`, received: largest, fix: 'reduce the number of tasks, or shorten the job name and namespace.' });
    }
  }

  // ---- emission ---------------------------------------------------------------------------

  private labels(role?: TfRole): Record<string, string> {
    return { [TrainingLabels.JOB]: this.name, ...(role ? { [TrainingLabels.ROLE]: role } : {}) };
  }

  private metadata(name: string, role?: TfRole) {
    return { name, namespace: this.namespace, labels: this.labels(role) };
  }

  private add(id: string, manifest: Record<string, unknown> & { apiVersion: string; kind: string }): ApiObject {
    const object = new ApiObject(this, id, manifest);
    this.apiObjects.push(object);
    return object;
  }

  private podTemplate(resolved: ResolvedRole, withTfConfig: boolean) {
    const { role, spec, placement } = resolved;
    const { props } = this;
    const gpus = spec.gpus ?? 0;
    const quantities: Record<string, string> = { cpu: cpuQuantity(spec.cpu ?? 2), memory: memoryQuantity(spec.memoryGiB ?? 8) };
    if (gpus > 0) quantities['nvidia.com/gpu'] = String(gpus);
    const checkpoint = props.checkpoint;
    const env = [
      // Declared before TF_CONFIG: the kubelet only expands $(NAME) for names defined earlier.
      ...(withTfConfig ? [
        { name: TASK_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } },
        { name: 'TF_CONFIG', value: this.tfConfig(role) },
      ] : []),
      { name: 'HOME', value: '/tmp' },
      ...(checkpoint ? [{ name: CHECKPOINT_ENV, value: checkpoint.location }] : []),
      ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
    ];
    const portName = this.backend === TrainingBackend.KUBEFLOW_TFJOB ? TFJOB_PORT_NAME : TF_PORT_NAME;
    const command = spec.command ?? props.command;
    const args = spec.args ?? props.args;
    const identityLabel = props.serviceAccountName ? identityPodLabels(this.cluster) : {};
    return {
      metadata: { labels: { ...this.labels(role), ...identityLabel } },
      spec: {
        restartPolicy: 'Never',
        ...(withTfConfig ? { subdomain: this.topology().subdomain } : {}),
        serviceAccountName: props.serviceAccountName ?? this.name,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
        securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
        ...(placement ? { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations } : {}),
        volumes: [TMP_VOLUME, ...(checkpoint?.claimName ? [{ name: 'checkpoints', persistentVolumeClaim: { claimName: checkpoint.claimName } }] : [])],
        containers: [{
          name: TF_CONTAINER,
          image: spec.image ?? props.image,
          ...(command ? { command: [...command] } : {}),
          ...(args ? { args: [...args] } : {}),
          ports: [{ name: portName, containerPort: this.port, protocol: 'TCP' }],
          env,
          resources: { requests: quantities, limits: quantities },
          securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
          volumeMounts: [TMP_MOUNT, ...(checkpoint?.claimName ? [{ name: 'checkpoints', mountPath: checkpoint.location }] : [])],
        }],
      },
    };
  }

  private podFailurePolicy() {
    const codes = this.props.retryableExitCodes;
    return {
      rules: [
        // Preemption and eviction are the cluster's doing, not the code's: never count them.
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ...(codes && codes.length > 0
          ? [{ action: 'FailJob', onExitCodes: { containerName: TF_CONTAINER, operator: 'NotIn', values: [...new Set(codes)].sort((a, b) => a - b) } }]
          : []),
      ],
    };
  }

  private jobSpec(resolved: ResolvedRole, backoffLimit: number) {
    const hasChief = this.roles.some((r) => r.role === TfRole.CHIEF);
    const deadline = this.props.activeDeadline?.toSeconds();
    return {
      completionMode: 'Indexed',
      completions: resolved.replicas,
      parallelism: resolved.replicas,
      backoffLimit,
      podFailurePolicy: this.podFailurePolicy(),
      // Without a chief, worker 0 is the one whose success means the training succeeded.
      ...(resolved.role === TfRole.WORKER && !hasChief ? { successPolicy: { rules: [{ succeededIndexes: '0' }] } } : {}),
      ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
      template: this.podTemplate(resolved, true),
    };
  }

  private ttlSeconds(): number {
    return (this.props.ttlAfterFinished ?? Duration.days(1)).toSeconds();
  }

  private emitIndexedJobs(): void {
    this.add('service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: this.metadata(this.topology().subdomain),
      spec: {
        clusterIP: 'None',
        // Tasks resolve each other before they are ready: TensorFlow connects while starting up.
        publishNotReadyAddresses: true,
        selector: this.labels(),
        ports: [{ name: TF_PORT_NAME, port: this.port, targetPort: this.port, protocol: 'TCP' }],
      },
    });
    for (const resolved of this.roles) {
      this.add(`job-${resolved.role}`, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: this.metadata(this.topology().jobName(resolved.role), resolved.role),
        spec: { ...this.jobSpec(resolved, this.props.maxRestarts ?? 3), ttlSecondsAfterFinished: this.ttlSeconds() },
      });
    }
  }

  private emitJobSet(): void {
    const hasChief = this.roles.some((r) => r.role === TfRole.CHIEF);
    const retryable = this.props.retryableExitCodes;
    this.add('jobset', {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: this.metadata(this.name),
      spec: {
        network: { enableDNSHostnames: true, publishNotReadyAddresses: true },
        // When the chief (or worker 0) succeeds the JobSet completes and deletes the child Jobs
        // still running: this is what stops parameter servers and evaluators.
        successPolicy: { operator: 'All', targetReplicatedJobs: [hasChief ? TfRole.CHIEF : TfRole.WORKER] },
        // Any failed child Job recreates the whole set: collective training cannot resume one task alone.
        failurePolicy: {
          maxRestarts: this.props.maxRestarts ?? 3,
          ...(retryable ? { rules: [{ name: 'permanent-exit-code', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }] } : {}),
        },
        ttlSecondsAfterFinished: this.ttlSeconds(),
        replicatedJobs: this.roles.map((resolved) => ({
          name: resolved.role,
          replicas: 1,
          template: { metadata: { labels: this.labels(resolved.role) }, spec: this.jobSpec(resolved, 0) },
        })),
      },
    });
  }

  private emitTfJob(): void {
    const deadline = this.props.activeDeadline?.toSeconds();
    const replicaSpecs: Record<string, unknown> = {};
    for (const resolved of [...this.roles].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role))) {
      replicaSpecs[TFJOB_REPLICA_TYPE[resolved.role]] = {
        replicas: resolved.replicas,
        restartPolicy: 'OnFailure',
        template: this.podTemplate(resolved, false),
      };
    }
    this.add('tfjob', {
      apiVersion: 'kubeflow.org/v1',
      kind: 'TFJob',
      metadata: this.metadata(this.name),
      spec: {
        runPolicy: {
          cleanPodPolicy: 'Running',
          backoffLimit: this.props.maxRestarts ?? 3,
          ttlSecondsAfterFinished: this.ttlSeconds(),
          ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
          ...(this.props.priorityClassName ? { schedulingPolicy: { priorityClass: this.props.priorityClassName } } : {}),
        },
        tfReplicaSpecs: replicaSpecs,
      },
    });
  }

  private emitNetworkPolicy(): void {
    const ownPods = [{ podSelector: { matchLabels: this.labels() } }];
    const tfPort = [{ protocol: 'TCP', port: this.port }];
    this.add('network-policy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: this.metadata(`${this.name}-tasks`),
      spec: {
        podSelector: { matchLabels: this.labels() },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: ownPods, ports: tfPort }],
        egress: [
          { to: ownPods, ports: tfPort },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          },
        ],
      },
    });
  }
}

function offered(cluster: ClusterProfile): string {
  const ids = [...new Set(cluster.pools.map((p) => p.accelerator).filter((a): a is string => a !== undefined))];
  return ids.length > 0 ? ids.join(', ') : 'none: add a GPU pool';
}

/** Whether any training job in the app of `scope` runs on `cluster` with `backend` (e.g. to install the JobSet controller). */
export function usesTrainingBackend(scope: Construct, backend: TrainingBackend, clusterName: string): boolean {
  return scope.node.root.node.findAll().some((c) => c instanceof TfTrainingJob && c.backend === backend && c.clusterName === clusterName);
}
