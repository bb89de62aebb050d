/**
 * A model of Kueue v0.11 admission, written from its documentation (concepts: ResourceFlavor,
 * ClusterQueue, LocalQueue, Workload; "Admission", "Cohort", "Flavor fungibility") and its
 * flavor assigner, fed with synthesized objects:
 * - a Job, JobSet or TFJob with the `kueue.x-k8s.io/queue-name` label becomes a Workload, one pod
 *   set per Job / ReplicatedJob / replica type; without the label Kueue leaves it alone
 *   (manageJobsWithoutQueueName is false by default) and its pods start at once, unless the
 *   object itself is suspended;
 * - workloads are taken in priority order, then creation order (BestEffortFIFO: one that does not
 *   fit does not block the next);
 * - each pod set gets, per resource group, the first flavor in the ClusterQueue's order whose
 *   node taints it tolerates, whose node labels its node selector does not contradict, and whose
 *   quota fits: within nominal quota, or borrowing (whenCanBorrow: Borrow) up to borrowingLimit
 *   and what the cohort has unused;
 * - a workload is admitted whole or not at all: admitted, its job is unsuspended and its pods get
 *   the flavor's node labels as node selector; otherwise it stays suspended with no pod.
 * - a workload that does not fit may preempt (pkg/scheduler/preemption/preemption.go), for the
 *   policies the library sets: withinClusterQueue LowerPriority (strictly lower priority in its own
 *   ClusterQueue), reclaimWithinCohort Any (workloads of sibling queues that borrow, to get back
 *   its nominal quota), borrowWithinCohort Never (a workload that would borrow never preempts in
 *   other queues); flavorFungibility whenCanPreempt TryNextFlavor (a later flavor that fits wins
 *   over preempting in an earlier one). Priority is read the way Kueue reads it (`priorityClassOf`).
 * Not modelled: other preemption policies, the reclaim/preempt distinction between flavors,
 * borrowing-first ordering within a cycle, lendingLimit, fair sharing, admission checks, partial
 * admission. `quotaOverruns` checks admission against ResourceQuotas.
 */
const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

export interface ModelPodSet {
  readonly name: string;
  readonly count: number;
  readonly requests: Record<string, number>;
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: readonly any[];
}

export interface ModelWorkload {
  /** `Kind/namespace/name` of the job. */
  readonly job: string;
  readonly namespace: string;
  readonly queue?: string;
  readonly suspended: boolean;
  readonly podSets: readonly ModelPodSet[];
  /** The class Kueue takes the Workload's priority from, if any. */
  readonly priorityClass?: { readonly kind: 'PriorityClass' | 'WorkloadPriorityClass'; readonly name: string };
}

export interface Admission {
  readonly job: string;
  readonly clusterQueue: string;
  /** Flavor per pod set and resource. */
  readonly flavors: Record<string, Record<string, string>>;
  readonly borrowed: boolean;
}

export interface QueueOutcome {
  readonly admitted: readonly Admission[];
  /** Jobs that stay suspended, with why. */
  readonly pending: ReadonlyArray<{ job: string; reason: string }>;
  /** Pods the controllers create: admitted and unmanaged jobs. */
  readonly pods: ReadonlyArray<{ job: string; podSet: string; nodeSelector: Record<string, string>; requests: Record<string, number> }>;
  /** Admitted workloads evicted by a preemption, in order (Kueue's Preempted condition reasons). */
  readonly evicted: ReadonlyArray<{ job: string; by: string; reason: 'InClusterQueue' | 'InCohortReclamation' }>;
}

function quantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(text);
  if (!match) throw new Error(`quantity ${text}`);
  const scale: Record<string, number> = { m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(match[1]) * (match[2] ? scale[match[2]] : 1);
}

function podSetOf(name: string, count: number, podSpec: any): ModelPodSet {
  const requests: Record<string, number> = {};
  for (const container of podSpec.containers) {
    for (const [resource, value] of Object.entries<string>(container.resources?.requests ?? {})) requests[resource] = (requests[resource] ?? 0) + quantity(value);
  }
  return { name, count, requests, nodeSelector: { ...podSpec.nodeSelector }, tolerations: podSpec.tolerations ?? [] };
}

const PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';
// jobs/kubeflow/jobs/tfjob OrderedReplicaTypes.
const TF_REPLICA_ORDER = ['Chief', 'Master', 'PS', 'Worker', 'Evaluator'];

/**
 * Where Kueue reads a job's priority (jobframework/reconciler.go ExtractPriority): the
 * WorkloadPriorityClass label first; then a TFJob's schedulingPolicy.priorityClass or its replicas'
 * priorityClassName in Kueue's order (kubeflowjob PriorityClass); else the first pod set's
 * priorityClassName (Job, JobSet).
 */
function priorityClassOf(doc: any): ModelWorkload['priorityClass'] {
  const label = doc.metadata.labels?.[PRIORITY_LABEL];
  if (label) return { kind: 'WorkloadPriorityClass', name: label };
  const first = (specs: any[]): string | undefined => specs.map((s) => s?.priorityClassName).find((n) => n);
  const name = doc.kind === 'Job' ? doc.spec.template.spec.priorityClassName
    : doc.kind === 'JobSet' ? first(doc.spec.replicatedJobs.map((r: any) => r.template.spec.template.spec))
      : doc.spec.runPolicy?.schedulingPolicy?.priorityClass || first(TF_REPLICA_ORDER.map((t) => doc.spec.tfReplicaSpecs[t]?.template.spec));
  return name ? { kind: 'PriorityClass', name } : undefined;
}

/** Workloads (or unmanaged jobs) from synthesized objects. */
export function workloadsOf(docs: readonly any[]): ModelWorkload[] {
  return docs.flatMap((doc): ModelWorkload[] => {
    if (!['Job', 'JobSet', 'TFJob'].includes(doc.kind)) return [];
    const base = { job: `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`, namespace: doc.metadata.namespace, queue: doc.metadata.labels?.[QUEUE_LABEL], priorityClass: priorityClassOf(doc) };
    if (doc.kind === 'Job') return [{ ...base, suspended: doc.spec.suspend === true, podSets: [podSetOf('main', doc.spec.parallelism ?? 1, doc.spec.template.spec)] }];
    if (doc.kind === 'JobSet') {
      return [{
        ...base,
        suspended: doc.spec.suspend === true,
        podSets: doc.spec.replicatedJobs.map((r: any) => podSetOf(r.name, (r.replicas ?? 1) * (r.template.spec.parallelism ?? 1), r.template.spec.template.spec)),
      }];
    }
    if (doc.kind === 'TFJob') {
      return [{
        ...base,
        suspended: doc.spec.runPolicy?.suspend === true,
        podSets: Object.entries<any>(doc.spec.tfReplicaSpecs).map(([type, spec]) => podSetOf(type.toLowerCase(), spec.replicas ?? 1, spec.template.spec)),
      }];
    }
    return [];
  });
}

function tolerates(tolerations: readonly any[], taint: any): boolean {
  if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') return true;
  return tolerations.some((t) => (t.key === undefined || t.key === taint.key)
    && (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? ''))
    && (t.effect === undefined || t.effect === taint.effect));
}

export interface AdmitOptions {
  /**
   * `together`: every job is created at once, taken by priority then creation order (the default).
   * `one by one`: each job is created after the earlier ones were scheduled, so a later job may
   * preempt one admitted before it.
   */
  readonly arrival?: 'together' | 'one by one';
}

interface Entry { readonly w: ModelWorkload; readonly order: number; readonly priority?: number; readonly priorityError?: string }
interface Held { readonly e: Entry; readonly cq: string; readonly assigned: Record<string, Record<string, string>>; readonly totals: Map<string, number>; readonly borrowed: boolean; readonly tick: number }
const fr = (flavor: string, resource: string) => `${flavor}\u0000${resource}`;
const split = (key: string) => key.split('\u0000') as [string, string];

/** Runs admission for `docs` (ResourceFlavors, ClusterQueues, LocalQueues, PriorityClasses and jobs), in document order. */
export function admit(docs: readonly any[], options: AdmitOptions = {}): QueueOutcome {
  const flavors = new Map(docs.filter((d) => d.kind === 'ResourceFlavor').map((d) => [d.metadata.name, d.spec ?? {}]));
  const clusterQueues = new Map(docs.filter((d) => d.kind === 'ClusterQueue').map((d) => [d.metadata.name, d.spec]));
  const localQueues = new Map(docs.filter((d) => d.kind === 'LocalQueue').map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d.spec.clusterQueue]));
  const classes = new Map(docs.filter((d) => d.kind === 'PriorityClass' || d.kind === 'WorkloadPriorityClass').map((d) => [`${d.kind}/${d.metadata.name}`, d.value as number]));
  // No class: the lowest globalDefault PriorityClass, else 0 (util/priority getDefaultPriority).
  const defaults = docs.filter((d) => d.kind === 'PriorityClass' && d.globalDefault).map((d) => d.value as number);
  const entries: Entry[] = workloadsOf(docs).map((w, order) => {
    if (!w.priorityClass) return { w, order, priority: defaults.length ? Math.min(...defaults) : 0 };
    const value = classes.get(`${w.priorityClass.kind}/${w.priorityClass.name}`);
    return value === undefined ? { w, order, priorityError: `${w.priorityClass.kind} ${w.priorityClass.name} does not exist, so Kueue cannot create the Workload` } : { w, order, priority: value };
  });

  const held = new Map<string, Held>();
  // Workloads taken out while simulating a preemption (preemption.go minimalPreemptions).
  const removed = new Set<string>();
  const used = (cq: string, key: string) => [...held.values()].filter((h) => h.cq === cq && !removed.has(h.e.w.job)).reduce((s, h) => s + (h.totals.get(key) ?? 0), 0);
  const quotaOf = (cq: string, key: string) => {
    const [flavor, resource] = split(key);
    for (const group of clusterQueues.get(cq)?.resourceGroups ?? []) {
      const entry = group.flavors.find((f: any) => f.name === flavor)?.resources.find((r: any) => r.name === resource);
      if (entry) return { nominal: quantity(entry.nominalQuota), borrowingLimit: entry.borrowingLimit === undefined ? Infinity : quantity(entry.borrowingLimit) };
    }
    return undefined;
  };
  const members = (cq: string) => {
    const cohort = clusterQueues.get(cq)?.cohort;
    return cohort ? [...clusterQueues].filter(([, spec]) => spec.cohort === cohort).map(([name]) => name) : [cq];
  };
  const nominal = (cq: string, key: string) => quotaOf(cq, key)?.nominal ?? 0;
  // cache/resource_node.go available / potentialAvailable, without lendingLimit: a queue's own nominal
  // quota is free only if no sibling borrowed it.
  const available = (cq: string, key: string) => Math.max(0, Math.min(nominal(cq, key) + quotaOf(cq, key)!.borrowingLimit - used(cq, key), members(cq).reduce((s, m) => s + nominal(m, key) - used(m, key), 0)));
  const potential = (cq: string, key: string) => Math.min(nominal(cq, key) + quotaOf(cq, key)!.borrowingLimit, members(cq).reduce((s, m) => s + nominal(m, key), 0));
  const borrowing = (cq: string, key: string, extra = 0) => clusterQueues.get(cq)?.cohort !== undefined && used(cq, key) + extra > nominal(cq, key);

  /** Flavor assignment (flavorassigner.go): per pod set and resource, Fit, Preempt or a reason. */
  const assign = (w: ModelWorkload, cq: string) => {
    const cqSpec = clusterQueues.get(cq);
    const assigned: Record<string, Record<string, string>> = {};
    const totals = new Map<string, number>();
    const needPreemption = new Set<string>();
    let borrowed = false;
    let short: string | undefined;
    for (const ps of w.podSets) {
      assigned[ps.name] = {};
      for (const [resource, perPod] of Object.entries(ps.requests)) {
        const group = cqSpec.resourceGroups.find((g: any) => g.coveredResources.includes(resource));
        if (!group) return { reason: `resource ${resource} unavailable in ClusterQueue ${cq}` };
        // Resources of one group share a flavor: the first resource of the group picks it.
        const already = Object.entries(assigned[ps.name]).find(([r]) => group.coveredResources.includes(r))?.[1];
        const needed = perPod * ps.count;
        const candidates = already ? group.flavors.filter((f: any) => f.name === already) : group.flavors;
        let chosen: { flavor: string; preempt: boolean; borrow: boolean } | undefined;
        for (const entry of candidates) {
          const flavor = flavors.get(entry.name);
          if (!flavor || !quotaOf(cq, fr(entry.name, resource))) continue;
          if (!(flavor.nodeTaints ?? []).every((t: any) => tolerates(ps.tolerations, t))) continue;
          if (Object.entries<string>(flavor.nodeLabels ?? {}).some(([k, v]) => ps.nodeSelector[k] !== undefined && ps.nodeSelector[k] !== v)) continue;
          const key = fr(entry.name, resource);
          const val = needed + (totals.get(key) ?? 0);
          if (val > potential(cq, key)) continue;
          const borrow = borrowing(cq, key, val);
          // fitsResourceQuota L709-L727: fits in what is free; else preemption can help only within
          // nominal quota (borrowWithinCohort Never: canPreemptWhileBorrowing is false).
          if (val <= available(cq, key)) {
            // shouldTryNextFlavor: a fit, borrowing or not (whenCanBorrow: Borrow), ends the search.
            chosen = { flavor: entry.name, preempt: false, borrow };
            break;
          }
          // whenCanPreempt: TryNextFlavor keeps looking; the first flavor needing preemption is the fallback.
          if (val <= nominal(cq, key) && !chosen) chosen = { flavor: entry.name, preempt: true, borrow };
        }
        const insufficient = `insufficient quota for ${resource} in ClusterQueue ${cq} (pod set ${ps.name} needs ${needed})`;
        if (!chosen) return { reason: insufficient };
        const key = fr(chosen.flavor, resource);
        assigned[ps.name][resource] = chosen.flavor;
        totals.set(key, (totals.get(key) ?? 0) + needed);
        if (chosen.preempt) {
          needPreemption.add(key);
          short ??= insufficient;
        }
        borrowed ||= chosen.borrow;
      }
    }
    return { assigned, totals, needPreemption, borrowed, reason: short };
  };

  const priorityOf = (e: Entry) => e.priority ?? 0;
  /** Workloads to evict for `e` (preemption.go getTargets, without fair sharing), or none. */
  const targetsFor = (e: Entry, cq: string, totals: Map<string, number>, frs: Set<string>): Held[] => {
    const policy = clusterQueues.get(cq).preemption ?? {};
    const usesAny = (h: Held) => [...h.totals.keys()].some((k) => frs.has(k));
    const cqBorrowing = (q: string) => [...frs].some((k) => borrowing(q, k));
    if (!['Never', 'LowerPriority', undefined].includes(policy.withinClusterQueue)) throw new Error(`withinClusterQueue ${policy.withinClusterQueue} is not modelled`);
    if (![undefined, 'Never'].includes(policy.borrowWithinCohort?.policy)) throw new Error('borrowWithinCohort other than Never is not modelled');
    const candidates: Held[] = [];
    // findCandidates L484-L503: withinClusterQueue LowerPriority takes strictly lower priorities.
    if (policy.withinClusterQueue === 'LowerPriority') {
      candidates.push(...[...held.values()].filter((h) => h.cq === cq && priorityOf(h.e) < priorityOf(e) && usesAny(h)));
    }
    // L505-L522: reclaimWithinCohort takes from sibling queues that borrow a resource needed (Any: any priority).
    if (clusterQueues.get(cq).cohort !== undefined && (policy.reclaimWithinCohort ?? 'Never') !== 'Never') {
      for (const other of members(cq).filter((m) => m !== cq && cqBorrowing(m))) {
        candidates.push(...[...held.values()].filter((h) => h.cq === other && usesAny(h) && (policy.reclaimWithinCohort === 'Any' || priorityOf(h.e) < priorityOf(e))));
      }
    }
    // candidatesOrdering L591-L617: other queues first, then lower priority, then most recently admitted.
    candidates.sort((a, b) => Number(a.cq === cq) - Number(b.cq === cq) || priorityOf(a.e) - priorityOf(b.e) || b.tick - a.tick);
    const fits = (allowBorrowing: boolean) => [...totals].every(([k, v]) => (allowBorrowing || used(cq, k) + v <= nominal(cq, k)) && v <= available(cq, k));
    // minimalPreemptions L275-L342: remove in order until it fits, then put back what is not needed.
    const minimal = (list: Held[], allowBorrowing: boolean): Held[] => {
      const targets: Held[] = [];
      let fit = false;
      for (const c of list) {
        if (c.cq !== cq && !cqBorrowing(c.cq)) continue;
        removed.add(c.e.w.job);
        targets.push(c);
        if ((fit = fits(allowBorrowing))) break;
      }
      if (fit) {
        for (let i = targets.length - 2; i >= 0; i--) {
          removed.delete(targets[i].e.w.job);
          if (fits(allowBorrowing)) targets.splice(i, 1);
          else removed.add(targets[i].e.w.job);
        }
      }
      removed.clear();
      return fit ? targets : [];
    };
    const same = candidates.filter((c) => c.cq === cq);
    // getTargets L161-L190 with borrowWithinCohort Never.
    if (same.length === candidates.length) return minimal(candidates, true);
    const underNominal = [...frs].every((k) => used(cq, k) < nominal(cq, k));
    const reclaimed = underNominal ? minimal(candidates, false) : [];
    return reclaimed.length > 0 ? reclaimed : minimal(same, true);
  };

  const events: Array<{ job: string; unmanaged?: ModelWorkload }> = [];
  const evicted: Array<{ job: string; by: string; reason: 'InClusterQueue' | 'InCohortReclamation' }> = [];
  const waiting = new Map<string, { e: Entry; reason: string }>();
  let tick = 0;
  const attempt = (e: Entry): string | undefined => {
    const w = e.w;
    if (e.priorityError) return e.priorityError;
    const cq = localQueues.get(`${w.namespace}/${w.queue}`);
    const cqSpec = cq ? clusterQueues.get(cq) : undefined;
    if (!cq || !cqSpec) return `LocalQueue ${w.queue} or its ClusterQueue does not exist`;
    const selected = cqSpec.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
    if (selected && selected !== w.namespace) return `ClusterQueue ${cq} does not select namespace ${w.namespace}`;
    let result = assign(w, cq);
    if (!('assigned' in result) || !result.assigned) return result.reason;
    if (result.needPreemption.size > 0) {
      const targets = targetsFor(e, cq, result.totals, result.needPreemption);
      if (targets.length === 0) return result.reason;
      for (const t of targets) {
        held.delete(t.e.w.job);
        events.splice(events.findIndex((ev) => ev.job === t.e.w.job), 1);
        evicted.push({ job: t.e.w.job, by: w.job, reason: t.cq === cq ? 'InClusterQueue' : 'InCohortReclamation' });
        waiting.set(t.e.w.job, { e: t.e, reason: `preempted by ${w.job}` });
      }
      // Once the targets are gone, the next cycle assigns flavors again and the workload fits.
      result = assign(w, cq);
      if (!result.assigned || result.needPreemption.size > 0) throw new Error(`${w.job} does not fit after preempting ${targets.map((t) => t.e.w.job).join(', ')}`);
    }
    held.set(w.job, { e, cq, assigned: result.assigned, totals: result.totals, borrowed: result.borrowed, tick: tick++ });
    events.push({ job: w.job });
    return undefined;
  };

  const byPriority = (a: Entry, b: Entry) => priorityOf(b) - priorityOf(a) || a.order - b.order;
  const sorted = [...entries].sort(byPriority);
  for (const batch of options.arrival === 'one by one' ? entries.map((e) => [e]) : [sorted]) {
    for (const e of batch) {
      if (e.w.queue) waiting.set(e.w.job, { e, reason: '' });
      else if (!e.w.suspended) events.push({ job: e.w.job, unmanaged: e.w });
    }
    // Scheduling cycles until nothing changes; an evicted workload is requeued and tried again.
    for (let cycle = 0, changed = true; changed; cycle++) {
      if (cycle > 100) throw new Error('admission never settles: workloads keep preempting each other');
      changed = false;
      for (const { e } of [...waiting.values()].sort((a, b) => byPriority(a.e, b.e))) {
        if (!waiting.has(e.w.job)) continue;
        const reason = attempt(e);
        if (reason === undefined) {
          waiting.delete(e.w.job);
          changed = true;
        } else waiting.set(e.w.job, { e, reason });
      }
    }
  }

  const pending = [
    ...entries.filter((e) => !e.w.queue && e.w.suspended).map((e) => ({ job: e.w.job, reason: 'suspended and not managed by Kueue' })),
    ...[...waiting.values()].sort((a, b) => byPriority(a.e, b.e)).map(({ e, reason }) => ({ job: e.w.job, reason })),
  ];
  const pods: Array<{ job: string; podSet: string; nodeSelector: Record<string, string>; requests: Record<string, number> }> = [];
  const admitted: Admission[] = [];
  for (const { job, unmanaged } of events) {
    const h = held.get(job);
    const w = unmanaged ?? h!.e.w;
    if (h) admitted.push({ job, clusterQueue: h.cq, flavors: h.assigned, borrowed: h.borrowed });
    const selectorFor = (ps: ModelPodSet) => (h ? Object.assign({}, ps.nodeSelector, ...Object.values(h.assigned[ps.name]).map((f) => flavors.get(f)?.nodeLabels ?? {})) : ps.nodeSelector);
    for (const ps of w.podSets) for (let i = 0; i < ps.count; i++) pods.push({ job, podSet: ps.name, nodeSelector: selectorFor(ps), requests: ps.requests });
  }
  return { admitted, pending, pods, evicted };
}

/**
 * Places pods on nodes the way a scheduler does when pods of several jobs arrive together: one pod
 * of each job in turn, each on the first node with room whose labels match. Returns the pods
 * placed, by job.
 */
export function schedule(pods: QueueOutcome['pods'], nodes: ReadonlyArray<{ labels: Record<string, string>; gpus: number }>): Map<string, number> {
  const free = nodes.map((n) => n.gpus);
  const byJob = new Map<string, Array<QueueOutcome['pods'][number]>>();
  for (const pod of pods) byJob.set(pod.job, [...(byJob.get(pod.job) ?? []), pod]);
  const placed = new Map([...byJob.keys()].map((job) => [job, 0]));
  const queues = [...byJob.values()];
  for (let round = 0; queues.some((q) => q.length > round); round++) {
    for (const queue of queues) {
      const pod = queue[round];
      if (!pod) continue;
      const gpus = pod.requests['nvidia.com/gpu'] ?? 0;
      const node = nodes.findIndex((n, i) => free[i] >= gpus && Object.entries(pod.nodeSelector).every(([k, v]) => n.labels[k] === v));
      if (node >= 0) {
        free[node] -= gpus;
        placed.set(pod.job, placed.get(pod.job)! + 1);
      }
    }
  }
  return placed;
}

/**
 * Where Kueue's admission and the namespace's ResourceQuota disagree: for each ClusterQueue and
 * resource, the most Kueue can ever admit for the queue's namespace (per flavor, nominal quota
 * plus borrowingLimit, and never more than the cohort's nominal quota of that flavor; no
 * borrowingLimit means the cohort's) plus what pods outside the queue may request there
 * (Deployments at their HorizontalPodAutoscaler's maxReplicas) must fit the ResourceQuota's
 * `requests.<resource>`. A job admitted beyond it has pods the API server refuses: it holds its
 * quota and never runs whole.
 */
export function quotaOverruns(docs: readonly any[]): string[] {
  const queues = docs.filter((d) => d.kind === 'ClusterQueue');
  const cohortNominal = (cohort: string | undefined, flavor: string, resource: string) => queues.filter((q) => cohort !== undefined && q.spec.cohort === cohort)
    .flatMap((q) => q.spec.resourceGroups).flatMap((g: any) => g.flavors).filter((f: any) => f.name === flavor)
    .flatMap((f: any) => f.resources).filter((r: any) => r.name === resource).reduce((sum: number, r: any) => sum + quantity(r.nominalQuota), 0);
  const found: string[] = [];
  for (const queue of queues) {
    const namespace = queue.spec.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
    const hard = docs.find((d) => d.kind === 'ResourceQuota' && d.metadata.namespace === namespace && !d.spec.scopeSelector)?.spec.hard ?? {};
    const admissible = new Map<string, number>();
    for (const group of queue.spec.resourceGroups) {
      for (const flavor of group.flavors) {
        for (const r of flavor.resources) {
          const nominal = quantity(r.nominalQuota);
          const inCohort = queue.spec.cohort ? cohortNominal(queue.spec.cohort, flavor.name, r.name) : nominal;
          const most = Math.min(nominal + (r.borrowingLimit === undefined ? Infinity : quantity(r.borrowingLimit)), Math.max(nominal, inCohort));
          admissible.set(r.name, (admissible.get(r.name) ?? 0) + most);
        }
      }
    }
    const outside = new Map<string, number>();
    for (const deployment of docs.filter((d) => d.kind === 'Deployment' && d.metadata.namespace === namespace)) {
      const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler' && d.metadata.namespace === namespace && d.spec.scaleTargetRef.name === deployment.metadata.name);
      const replicas = hpa?.spec.maxReplicas ?? deployment.spec.replicas ?? 1;
      for (const c of deployment.spec.template.spec.containers) {
        for (const [r, v] of Object.entries<string>(c.resources?.requests ?? {})) outside.set(r, (outside.get(r) ?? 0) + replicas * quantity(v));
      }
    }
    for (const [resource, most] of admissible) {
      const limit = hard[`requests.${resource}`];
      if (limit === undefined) continue;
      const total = most + (outside.get(resource) ?? 0);
      if (total > quantity(limit)) found.push(`${queue.metadata.name} ${resource}: Kueue may admit ${most} and pods outside the queue request ${outside.get(resource) ?? 0}, over the ResourceQuota's ${limit}`);
    }
  }
  return found;
}
