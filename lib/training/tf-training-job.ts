import { ApiObject, GroupVersionKind } from 'cdk8s';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { ClusterProfile } from '../core/cluster-profile';
import { interned } from '../core/interned';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { KUEUE_PRIORITY_LABEL, queuePriorityLabels } from '../core/queue-priority';
import { Problems } from '../core/validation';
import { appIndex, PlatformWorkload, undefinedReferenceProblems, WorkloadReferences } from '../core/workload';
import { identityAnnotations, identityPodLabels } from '../core/workload-identity';
import * as k8s from '../imports/k8s';
import { kubeObject } from '../k8s/kube-object';
import { installKubernetesGate } from '../policy/gate';
import { emitIndexedJobs } from './backends/indexed-job';
import { emitJobSet } from './backends/jobset';
import { emitTfJob } from './backends/tfjob';
import { capacityPlacement, TrainingCapacity } from './capacity';
import { assertScope, checkArguments, shapeProblems, wellShapedFields } from '../core/props-shape';
import {
  KUEUE_QUEUE_LABEL, ResolvedRole, TfRoleSpec, TfTrainingJobProps, TrainingJobSummary,
} from './job-props';
import { JOB_PROPS_SHAPE, JOB_REQUIRED, jobProblems } from './job-validation';
import { jobLabels, jobMetadata, JobRender } from './pod-template';
import { DEFAULT_GRACE_PERIOD, PREEMPTION_EXIT_CODE, PREEMPTION_EXIT_CODE_ENV } from './preemption';
import {
  indexedJobTopology, jobSetTopology, tfClusterSpecJson, tfConfigTemplate, TfRole, TrainingBackend, TrainingTopology,
} from './tf-config';

export * from './job-props';
export { TF_CONTAINER } from './pod-template';

/** A GPU request of one pod set, as a queue sees it. */
export interface QueuedPodSet {
  readonly role: TfRole;
  readonly accelerator: Accelerator;
  /** GPUs of the whole pod set: replicas × GPUs per pod. */
  readonly gpus: number;
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
  public readonly capacity: TrainingCapacity;
  /** The Kueue LocalQueue the job waits in, if queued. */
  public readonly queueName?: string;
  /** The objects emitted, by kind: Service, NetworkPolicy, Job, JobSet or TFJob. */
  public readonly apiObjects: ApiObject[] = [];
  /** The Indexed Job of each role, on the indexed-job backend; empty on the others. */
  public readonly jobs: Readonly<Partial<Record<TfRole, ApiObject>>> = {};
  /** The headless Service the tasks find each other through, on the indexed-job backend (JobSet makes its own). */
  public readonly headlessService?: ApiObject;
  /** The JobSet, on the JobSet backend. */
  public readonly jobSet?: ApiObject;
  /** The TFJob, on the Kubeflow TFJob backend. */
  public readonly tfJob?: ApiObject;
  /** The NetworkPolicy that lets the tasks reach each other on the TF port (and DNS). */
  public readonly networkPolicy?: ApiObject;
  /** The job's own ServiceAccount, unless `serviceAccountName` names one made elsewhere. */
  public readonly serviceAccount?: ApiObject;
  private readonly props: TfTrainingJobProps;
  private readonly port: number;
  private readonly roles: ResolvedRole[];
  private readonly problems: Problems;
  private clusterSpecJson?: string;

  constructor(scope: Construct, id: string, props: TfTrainingJobProps) {
    checkConstructArguments('TfTrainingJob', scope, id, IN_CHART);
    super(scope, id);
    this.problems = Problems.of(this);
    // JavaScript callers and JSON config get the same checks as TypeScript; a bad shape builds nothing.
    const shape = shapeProblems(props, JOB_PROPS_SHAPE, JOB_REQUIRED, 'props');
    shape.forEach((p) => this.problems.add(p));
    if (shape.length > 0) props = wellShapedFields<TfTrainingJobProps>(props, JOB_PROPS_SHAPE) as TfTrainingJobProps;
    this.props = props;
    this.name = interned(props.name ?? id);
    ({ cluster: this.cluster, namespace: this.namespace } = resolveWorkloadScope(this, props, this.problems));
    this.clusterName = this.cluster.name;
    this.backend = props.backend ?? TrainingBackend.INDEXED_JOB;
    this.capacity = props.capacity ?? TrainingCapacity.ON_DEMAND;
    this.queueName = props.queueName;
    this.port = props.port ?? 2222;
    installKubernetesGate(this, this.clusterName);
    this.roles = shape.length > 0 ? [] : this.resolveRoles();
    if (shape.length > 0) return;
    const found = jobProblems(this.view());
    found.forEach((p) => this.problems.add(p));
    this.problems.addCheck(() => [...undefinedReferenceProblems(this), ...this.queueReferenceProblems()]);
    // A refused job builds nothing: bad replica counts or deadlines would make the builders hang or throw.
    if (found.length > 0) return;

    const render = this.render();
    switch (this.backend) {
      case TrainingBackend.INDEXED_JOB:
        ({ service: this.headlessService, jobs: this.jobs } = emitIndexedJobs(render));
        break;
      case TrainingBackend.JOBSET:
        this.jobSet = emitJobSet(render);
        break;
      case TrainingBackend.KUBEFLOW_TFJOB:
        this.tfJob = emitTfJob(render);
        break;
    }
    this.networkPolicy = this.emitNetworkPolicy(render);
    if (!props.serviceAccountName) {
      const annotations = props.cloudIdentity ? identityAnnotations(this.cluster, props.cloudIdentity, this.problems) : undefined;
      this.serviceAccount = this.add('service-account', k8s.KubeServiceAccount.GVK, k8s.toJson_KubeServiceAccountProps, {
        metadata: { ...jobMetadata(render, this.name), annotations },
        automountServiceAccountToken: false,
      });
    }
  }

  /** Total GPUs of each accelerator the job holds while it runs. */
  public gpuDemand(): Map<Accelerator, number> {
    const demand = new Map<Accelerator, number>();
    for (const set of this.queuedPodSets()) demand.set(set.accelerator, (demand.get(set.accelerator) ?? 0) + set.gpus);
    return demand;
  }

  /** The GPU pod sets Kueue sees, one per role that asks for GPUs. */
  public queuedPodSets(): QueuedPodSet[] {
    return this.roles.flatMap(({ role, spec, replicas }) => spec.accelerator && (spec.gpus ?? 0) > 0
      ? [{ role, accelerator: spec.accelerator, gpus: replicas * (spec.gpus ?? 0) }]
      : []);
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
      capacity: this.capacity,
      ...(this.queueName ? { queue: this.queueName } : {}),
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
      const placement = spec.accelerator ? capacityPlacement(this.cluster, spec.accelerator, this.capacity) : undefined;
      return [{ role, spec, replicas: spec.replicas ?? 1, placement }];
    });
  }

  private topology(): TrainingTopology {
    return this.backend === TrainingBackend.JOBSET ? jobSetTopology(this.name) : indexedJobTopology(this.name);
  }

  private tfConfig(role: TfRole): string {
    // Every role and the size check read the same cluster spec, most of a large job's bytes: built once.
    this.clusterSpecJson ??= tfClusterSpecJson(this.topology(), this.namespace, this.port, new Map(this.roles.map((r) => [r.role, r.replicas])));
    return tfConfigTemplate(this.clusterSpecJson, role);
  }

  private view() {
    return {
      name: this.name,
      namespace: this.namespace,
      props: this.props,
      backend: this.backend,
      capacity: this.capacity,
      cluster: this.cluster,
      port: this.port,
      roles: this.roles,
      topology: this.topology(),
      gpuDemand: () => this.gpuDemand(),
      tfConfig: (role: TfRole) => this.tfConfig(role),
    };
  }

  private render(): JobRender {
    const { props } = this;
    const hasIdentity = props.serviceAccountName !== undefined || props.cloudIdentity !== undefined;
    return {
      name: this.name,
      namespace: this.namespace,
      props,
      roles: this.roles,
      port: this.port,
      topology: this.topology(),
      queueLabels: this.queueName ? { [KUEUE_QUEUE_LABEL]: this.queueName, ...queuePriorityLabels(props.priorityClassName) } : {},
      ttlSeconds: props.ttlAfterFinished?.toSeconds(),
      identityLabels: hasIdentity ? identityPodLabels(this.cluster) : {},
      serviceAccountName: props.serviceAccountName ?? this.name,
      gracePeriodSeconds: (props.gracePeriod ?? DEFAULT_GRACE_PERIOD).toSeconds(),
      jobEnv: [{ name: PREEMPTION_EXIT_CODE_ENV, value: String(PREEMPTION_EXIT_CODE) }],
      tfConfig: (role) => this.tfConfig(role),
      add: (id, gvk, toJson, objectProps) => this.add(id, gvk, toJson, objectProps),
    };
  }

  /** A queued job needs its LocalQueue, and the WorkloadPriorityClass it names, defined in the program. */
  private queueReferenceProblems() {
    if (!this.queueName) return [];
    const { defined } = appIndex(this);
    const priority = queuePriorityLabels(this.props.priorityClassName)[KUEUE_PRIORITY_LABEL];
    return [
      ...(defined.has(`LocalQueue/${this.namespace}/${this.queueName}`) ? [] : [{
        code: 'QUEUE_UNDEFINED',
        message: `Training job "${this.name}" waits in LocalQueue "${this.queueName}" of namespace ${this.namespace}, which this program never defines; it would stay suspended for ever.`,
        received: this.queueName,
        fix: `give the Tenant "${this.namespace}" a queue (queue: {}) and use tenant.queueName, or drop queueName.`,
      }]),
      ...(priority === undefined || defined.has(`WorkloadPriorityClass//${priority}`) ? [] : [{
        code: 'QUEUE_PRIORITY_UNDEFINED',
        message: `Training job "${this.name}" is ordered in its queue by WorkloadPriorityClass "${priority}", which this program never defines; Kueue would not admit it.`,
        received: priority,
        fix: `add new QueueFlavors(charts.platform, 'queues') for cluster "${this.clusterName}" (it defines the class).`,
      }]),
    ];
  }

  private add<P>(id: string, gvk: GroupVersionKind, toJson: (props: P | undefined) => Record<string, any> | undefined, props: NoInfer<P>): ApiObject {
    const object = kubeObject(this, id, gvk, toJson, props);
    this.apiObjects.push(object);
    return object;
  }

  private emitNetworkPolicy(render: JobRender): ApiObject {
    const ownPods = [{ podSelector: { matchLabels: jobLabels(render) } }];
    const tfPort = [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(this.port) }];
    return this.add('network-policy', k8s.KubeNetworkPolicy.GVK, k8s.toJson_KubeNetworkPolicyProps, {
      metadata: jobMetadata(render, `${this.name}-tasks`),
      spec: {
        podSelector: { matchLabels: jobLabels(render) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: ownPods, ports: tfPort }],
        egress: [
          { to: ownPods, ports: tfPort },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
          },
        ],
      },
    });
  }
}

/** Whether any training job in the app of `scope` runs on `cluster` with `backend` (e.g. to install the JobSet controller). */
export function usesTrainingBackend(scope: Construct, backend: TrainingBackend, clusterName: string): boolean {
  // A wrong answer here is silent: ClusterAddons would leave the backend's controller out.
  assertScope('usesTrainingBackend', scope);
  checkArguments('usesTrainingBackend', { backend, clusterName }, { backend: { oneOf: Object.values(TrainingBackend), name: 'TrainingBackend' }, clusterName: 'string' });
  return scope.node.root.node.findAll().some((c) => c instanceof TfTrainingJob && c.backend === backend && c.clusterName === clusterName);
}
