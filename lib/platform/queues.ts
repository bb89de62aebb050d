/**
 * The tenant side of the Kueue queues: one ClusterQueue per tenant with its GPU quota as nominal
 * quota in a shared cohort, over the cluster's flavors (queue-flavors.ts), and a LocalQueue in the
 * tenant's namespace. Kueue then admits a training job whole, or keeps it suspended with no pod, so
 * two jobs can never deadlock on GPUs.
 */
import { Construct, IConstruct } from 'constructs';
import { appendTo } from '../core/append-to';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from '../core/cluster-profile';
import { constructsOfApp, perValidationPass, Problem, Problems } from '../core/validation';
import { appIndex } from '../core/workload';
import * as kueue from '../imports/kueue.x-k8s.io';
import { kubeObject, lateKubeObject } from '../k8s/kube-object';
import { assertScope, checkArguments, PropsShape, propsToBuild } from '../core/props-shape';
import { queueShare, requestsOutsideQueues, splitBorrowing } from './queue-budget';
import { ANY_NODE_FLAVOR, QueueFlavor, QueueFlavors, queueFlavors, unknownCluster } from './queue-flavors';

/** The LocalQueue every queued tenant gets in its namespace. */
export const TENANT_LOCAL_QUEUE = 'training';
/** @default cohort of every tenant queue */
export const DEFAULT_COHORT = 'ml-platform';
const GPU = 'nvidia.com/gpu';
const QUEUE_INPUT_SHAPE: PropsShape = { tenant: 'string', cluster: CLUSTER_PROFILE_SHAPE, gpus: 'number', cpu: 'string', memory: 'string' };
const QUEUE_OPTIONS_SHAPE: PropsShape = { cohort: 'string', borrowingLimitGpus: 'number' };

/** A tenant's queue. */
export interface TenantQueueOptions {
  /** Queues of one cohort lend each other their idle quota. @default 'ml-platform' */
  readonly cohort?: string;
  /**
   * GPUs the tenant may borrow beyond its own quota while siblings idle. The tenant's
   * ResourceQuota is raised by as much, so borrowed pods are not refused.
   * @default - the tenant's own GPU quota: it can at most double its share
   */
  readonly borrowingLimitGpus?: number;
}

/** What a tenant hands to its queue. */
export interface TenantQueueInput {
  readonly tenant: string;
  readonly cluster: ClusterProfile;
  readonly gpus: number;
  readonly cpu: string;
  readonly memory: string;
}

/** A pod set of a queued workload, as the capacity check sees it. */
interface QueuedWorkloadLike extends IConstruct {
  readonly name: string;
  readonly namespace: string;
  readonly clusterName: string;
  /** @default - not queued */
  readonly queueName?: string;
  readonly capacity: string;
  queuedPodSets(): ReadonlyArray<{ readonly role: string; readonly accelerator: { readonly id: string; toString(): string }; readonly gpus: number }>;
}

function isQueuedWorkload(c: IConstruct): c is QueuedWorkloadLike {
  return typeof (c as Partial<QueuedWorkloadLike>).queuedPodSets === 'function';
}

/** A queue's GPU quotas and what its namespace holds outside the queues, worked out once per validation pass. */
interface WorkedOut {
  share?: { quotas: FlavorQuota[]; unplaced: number };
  borrowing?: FlavorQuota[];
  outside?: Map<string, number>;
}

/** GPUs of one flavor in a tenant's ClusterQueue. */
export interface FlavorQuota {
  readonly flavor: QueueFlavor;
  readonly nominal: number;
  readonly borrowingLimit: number;
}

/**
 * A tenant's ClusterQueue and LocalQueue. Nominal GPU quota goes to the flavors in order
 * (on-demand first), each up to what its pools hold after the GPUs that workloads outside the
 * queues can take (serving at its largest, unqueued training) and after the queues built earlier in
 * the cohort, so Kueue never admits a job whose pods cannot all be placed. Quotas are worked out
 * at synth, when every workload of the app exists.
 */
export class TenantQueue extends Construct {
  public readonly clusterQueueName: string;
  public readonly localQueueName = TENANT_LOCAL_QUEUE;
  public readonly namespace: string;
  public readonly cluster: ClusterProfile;
  public readonly cohort: string;
  public readonly borrowingLimitGpus: number;
  private readonly gpus: number;

  constructor(scope: Construct, id: string, input: TenantQueueInput, options: TenantQueueOptions) {
    checkConstructArguments('TenantQueue', scope, id, IN_CHART);
    super(scope, id);
    const problems = Problems.of(this);
    // Built directly by a JavaScript caller: a bad shape is listed, and the queue is built from placeholders.
    input = propsToBuild((p) => problems.add(p), input, QUEUE_INPUT_SHAPE, Object.keys(QUEUE_INPUT_SHAPE), { tenant: 'invalid', cluster: unknownCluster(), gpus: 0, cpu: '0', memory: '0' }, 'input');
    options = propsToBuild((p) => problems.add(p), options, QUEUE_OPTIONS_SHAPE, [], {}, 'options');
    this.namespace = input.tenant;
    this.cluster = input.cluster;
    this.clusterQueueName = input.tenant;
    this.cohort = options.cohort ?? DEFAULT_COHORT;
    this.gpus = input.gpus;
    this.borrowingLimitGpus = options.borrowingLimitGpus ?? input.gpus;
    if (!Number.isInteger(this.borrowingLimitGpus) || this.borrowingLimitGpus < 0) {
      problems.add({ code: 'QUEUE_BORROWING_INVALID', message: 'borrowingLimitGpus must be a whole number.', received: this.borrowingLimitGpus, fix: 'set it to 0 (no borrowing) or more.' });
    }
    problems.addCheck(() => [...this.flavorProblems(), ...this.workloadProblems()]);
    problems.addWarningCheck(() => this.unplacedWarnings());

    const quantity = kueue.ClusterQueueSpecResourceGroupsFlavorsResourcesNominalQuota;
    const borrowing = kueue.ClusterQueueSpecResourceGroupsFlavorsResourcesBorrowingLimit;
    // The quotas are known at synth, once every workload of the app exists.
    lateKubeObject(this, 'cluster-queue', kueue.ClusterQueue.GVK, { name: this.clusterQueueName, labels: { 'ml-platform.io/tenant': input.tenant } }, 'spec', kueue.toJson_ClusterQueueSpec, () => ({
      cohort: this.cohort,
      // Only the tenant's own LocalQueue may point here.
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': input.tenant } },
      queueingStrategy: kueue.ClusterQueueSpecQueueingStrategy.BEST_EFFORT_FIFO,
      resourceGroups: [
        // The namespace's quota less what serving may hold there, and no borrowing: the ResourceQuota would refuse the pods.
        { coveredResources: ['cpu', 'memory'], flavors: [{ name: ANY_NODE_FLAVOR, resources: (['cpu', 'memory'] as const).map((r) => ({ name: r, nominalQuota: quantity.fromString(queueShare(r, input[r], this.outside().get(r) ?? 0)), borrowingLimit: borrowing.fromString('0') })) }] },
        ...(this.quotas.length > 0 ? [{
          coveredResources: [GPU],
          flavors: this.quotas.map((q) => ({ name: q.flavor.name, resources: [{ name: GPU, nominalQuota: quantity.fromNumber(q.nominal), borrowingLimit: borrowing.fromNumber(q.borrowingLimit) }] })),
        }] : []),
      ],
      // The first flavor that fits, borrowing if need be; a flavor that needs preemption is passed over first.
      flavorFungibility: {
        whenCanBorrow: kueue.ClusterQueueSpecFlavorFungibilityWhenCanBorrow.BORROW,
        whenCanPreempt: kueue.ClusterQueueSpecFlavorFungibilityWhenCanPreempt.TRY_NEXT_FLAVOR,
      },
      preemption: {
        reclaimWithinCohort: kueue.ClusterQueueSpecPreemptionReclaimWithinCohort.ANY,
        borrowWithinCohort: { policy: kueue.ClusterQueueSpecPreemptionBorrowWithinCohortPolicy.NEVER },
        withinClusterQueue: kueue.ClusterQueueSpecPreemptionWithinClusterQueue.LOWER_PRIORITY,
      },
    }));
    kubeObject(this, 'local-queue', kueue.LocalQueue.GVK, kueue.toJson_LocalQueueProps, {
      metadata: { name: TENANT_LOCAL_QUEUE, namespace: input.tenant, labels: { 'ml-platform.io/tenant': input.tenant } },
      spec: { clusterQueue: this.clusterQueueName },
    });
  }

  /**
   * GPU quota per flavor; read at synth or validation, once every workload of the app exists. The
   * borrowing limits share `borrowingLimitGpus` between the flavors, so that what Kueue admits plus
   * the namespace's serving stays within the tenant's ResourceQuota.
   */
  public get quotas(): readonly FlavorQuota[] {
    const worked = this.worked();
    if (worked.borrowing) return worked.borrowing;
    const { quotas } = this.share();
    const cohortNominal = this.cohortNominal();
    const budget = this.gpus + this.borrowingLimitGpus - (this.outside().get(GPU) ?? 0) - quotas.reduce((sum, q) => sum + q.nominal, 0);
    const limits = splitBorrowing(budget, quotas.map((q) => ({ nominal: q.nominal, cohortNominal: cohortNominal.get(q.flavor.name) ?? 0 })));
    worked.borrowing = quotas.map((q, i) => ({ ...q, borrowingLimit: limits[i] }));
    return worked.borrowing;
  }

  /** What the namespace's pods outside the queues may request at their largest. */
  private outside(): Map<string, number> {
    const worked = this.worked();
    worked.outside ??= requestsOutsideQueues(this.node.root, this.cluster.name, this.namespace);
    return worked.outside;
  }

  /**
   * What this validation pass worked out for the queue. Not kept on the queue: workloads added
   * between two syntheses change it.
   */
  private worked(): WorkedOut {
    const byQueue = perValidationPass(this, 'tenant-queues-worked-out', () => new Map<TenantQueue, WorkedOut>());
    let worked = byQueue.get(this);
    if (!worked) {
      worked = {};
      byQueue.set(this, worked);
    }
    return worked;
  }

  private share(): { quotas: FlavorQuota[]; unplaced: number } {
    const worked = this.worked();
    if (!worked.share) {
      // The whole cohort in one pass, in the app's order: each queue takes what the queues before it left.
      const taken = new Map<string, number>();
      for (const queue of this.siblings()) {
        const share = (queue.worked().share ??= queue.shareAfter(taken));
        for (const q of share.quotas) taken.set(q.flavor.name, (taken.get(q.flavor.name) ?? 0) + q.nominal);
      }
      worked.share ??= this.shareAfter(taken);
    }
    return worked.share;
  }

  /** This queue's nominal quota of each flavor, after the GPUs of each flavor (by name) that earlier queues of the cohort took. */
  private shareAfter(taken: ReadonlyMap<string, number>): { quotas: FlavorQuota[]; unplaced: number } {
    const held = gpusHeldOutsideQueues(this, this.cluster.name);
    let left = this.gpus;
    const quotas = queueFlavors(this.cluster).map((flavor) => {
      // Serving never runs on spot: what it may hold comes off the on-demand flavors.
      const outside = flavor.spot ? 0 : held.get(flavor.accelerator) ?? 0;
      const nominal = Math.max(0, Math.min(left, flavor.capacityGpus - outside - (taken.get(flavor.name) ?? 0)));
      left -= nominal;
      return { flavor, nominal, borrowingLimit: this.borrowingLimitGpus };
    });
    return { quotas, unplaced: left };
  }

  /** Nominal GPUs of each flavor (by name) over every queue of the cohort. */
  private cohortNominal(): ReadonlyMap<string, number> {
    const byCohort = perValidationPass(this, 'cohort-nominal', () => new Map<string, Map<string, number>>());
    const key = cohortKey(this.cluster.name, this.cohort);
    let totals = byCohort.get(key);
    if (!totals) {
      totals = new Map();
      for (const queue of this.siblings()) {
        for (const q of queue.share().quotas) totals.set(q.flavor.name, (totals.get(q.flavor.name) ?? 0) + q.nominal);
      }
      byCohort.set(key, totals);
    }
    return totals;
  }

  /** The tenant queues of this cluster and cohort, in the app's order. */
  private siblings(): readonly TenantQueue[] {
    return tenantQueuesByCohort(this).get(cohortKey(this.cluster.name, this.cohort)) ?? [];
  }

  private unplacedWarnings(): Problem[] {
    const { unplaced } = this.share();
    if (unplaced === 0) return [];
    return [{
      code: 'QUEUE_QUOTA_BEYOND_POOLS',
      message: `Tenant "${this.namespace}" may use ${this.gpus} GPUs, but the pools of cluster "${this.cluster.name}" have only ${this.gpus - unplaced} left for its queue after serving and the other queues of cohort "${this.cohort}"; ${unplaced} can only be borrowed.`,
      received: this.gpus,
      fix: 'lower the GPU quotas of the cohort\'s tenants, or raise maxNodes of the GPU pools.',
    }];
  }

  /** GPUs of each flavor the queue can ever admit at once: its quota plus what the cohort can lend. */
  public admissibleGpus(): Map<string, number> {
    const cohortNominal = this.cohortNominal();
    return new Map(this.quotas.map((q) => [q.flavor.name, Math.min(q.nominal + q.borrowingLimit, cohortNominal.get(q.flavor.name) ?? 0)]));
  }

  private flavorProblems(): Problem[] {
    const defined = appIndex(this).defined;
    const missing = [ANY_NODE_FLAVOR, ...this.quotas.map((q) => q.flavor.name)].filter((name) => !defined.has(`ResourceFlavor//${name}`));
    return missing.length === 0 ? [] : [{
      code: 'QUEUE_FLAVORS_MISSING',
      message: `The queue of tenant "${this.namespace}" uses ResourceFlavors ${missing.join(', ')}, which this program never defines; Kueue would admit nothing.`,
      received: missing,
      fix: `add new QueueFlavors(charts.platform, 'queues') for cluster "${this.cluster.name}".`,
    }];
  }

  /** Queued jobs larger than this queue can ever admit. */
  private workloadProblems(): Problem[] {
    const admissible = this.admissibleGpus();
    const jobs = (appIndex(this).workloadsIn.get(this.namespace) ?? [])
      .filter((w): w is typeof w & QueuedWorkloadLike => isQueuedWorkload(w))
      .filter((w) => w.clusterName === this.cluster.name && w.queueName === this.localQueueName);
    return jobs.flatMap((job) => {
      const demand = new Map<string, { label: string; gpus: number }>();
      for (const set of job.queuedPodSets()) {
        const entry = demand.get(set.accelerator.id) ?? { label: String(set.accelerator), gpus: 0 };
        demand.set(set.accelerator.id, { label: entry.label, gpus: entry.gpus + set.gpus });
      }
      return [...demand].flatMap(([accelerator, { label, gpus }]) => {
        const usable = this.quotas.filter((q) => q.flavor.accelerator === accelerator && capacityFits(job.capacity, q.flavor.spot));
        // Kueue puts a pod set on one flavor: the largest flavor bounds what is ever admitted.
        const most = Math.max(0, ...usable.map((q) => admissible.get(q.flavor.name) ?? 0));
        if (gpus <= most) return [];
        const figures = usable.map((q) => `${q.flavor.name}: ${q.nominal} nominal + up to ${q.borrowingLimit} borrowed, ${admissible.get(q.flavor.name)} at most`).join('; ') || 'no flavor of that accelerator and capacity';
        return [{
          code: 'JOB_EXCEEDS_QUEUE',
          message: `Training job "${job.name}" needs ${gpus} × ${label} at once, but queue "${this.clusterQueueName}" can admit at most ${most} (${figures}); it would wait for ever.`,
          received: gpus,
          fix: `shrink the job, or raise quota.gpus or queue.borrowingLimitGpus of tenant "${this.namespace}" (and of its cohort "${this.cohort}").`,
        }];
      });
    });
  }
}

const cohortKey = (clusterName: string, cohort: string) => JSON.stringify([clusterName, cohort]);

// Every queue reads these: one walk of the app per validation pass, not one per queue (quadratic in tenants).
function tenantQueuesByCohort(scope: IConstruct): ReadonlyMap<string, readonly TenantQueue[]> {
  return perValidationPass(scope, 'tenant-queues-by-cohort', () => {
    const byCohort = new Map<string, TenantQueue[]>();
    for (const c of constructsOfApp(scope)) {
      if (!(c instanceof TenantQueue)) continue;
      appendTo(byCohort, cohortKey(c.cluster.name, c.cohort), c);
    }
    return byCohort;
  });
}

/** GPUs by accelerator id that workloads outside any queue may hold on `clusterName`, at their largest. */
function gpusHeldOutsideQueues(scope: IConstruct, clusterName: string): ReadonlyMap<string, number> {
  const byCluster = perValidationPass(scope, 'gpus-held-outside-queues', () => {
    const held = new Map<string | undefined, Map<string, number>>();
    for (const c of constructsOfApp(scope)) {
      const w = c as Partial<QueuedWorkloadLike> & { gpuDemand?: () => Map<{ id: string }, number> };
      if (typeof w.gpuDemand !== 'function' || w.queueName !== undefined || w.capacity === 'spot') continue;
      const onCluster = held.get(w.clusterName) ?? new Map<string, number>();
      held.set(w.clusterName, onCluster);
      for (const [accelerator, gpus] of w.gpuDemand()) onCluster.set(accelerator.id, (onCluster.get(accelerator.id) ?? 0) + gpus);
    }
    return held;
  });
  return byCluster.get(clusterName) ?? new Map();
}

function capacityFits(capacity: string, spot: boolean): boolean {
  return capacity === 'on-demand' ? !spot : capacity === 'spot' ? spot : true;
}

/**
 * Whether the app of `scope` needs Kueue on `clusterName`: it defines queue flavors or tenant
 * queues there, or a workload waits in a queue. Pass it to `ClusterAddons({ kueue })`, so the
 * Kueue CRDs exist before these objects are applied.
 */
export function usesKueue(scope: IConstruct, clusterName: string): boolean {
  assertScope('usesKueue', scope);
  checkArguments('usesKueue', { clusterName }, { clusterName: 'string' });
  return scope.node.root.node.findAll().some((c) => ((c instanceof QueueFlavors || c instanceof TenantQueue) && c.cluster.name === clusterName)
    || (isQueuedWorkload(c) && c.queueName !== undefined && c.clusterName === clusterName));
}
