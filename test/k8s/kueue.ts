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
 * Not modelled: preemption (withinClusterQueue, reclaimWithinCohort), lendingLimit, fair sharing,
 * admission checks, partial admission. `quotaOverruns` checks admission against ResourceQuotas.
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

/** Workloads (or unmanaged jobs) from synthesized objects. */
export function workloadsOf(docs: readonly any[]): ModelWorkload[] {
  return docs.flatMap((doc): ModelWorkload[] => {
    const base = { job: `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`, namespace: doc.metadata.namespace, queue: doc.metadata.labels?.[QUEUE_LABEL] };
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

/** Runs admission for `docs` (ResourceFlavors, ClusterQueues, LocalQueues and jobs), in document order. */
export function admit(docs: readonly any[], priorities: Record<string, number> = {}): QueueOutcome {
  const flavors = new Map(docs.filter((d) => d.kind === 'ResourceFlavor').map((d) => [d.metadata.name, d.spec ?? {}]));
  const clusterQueues = new Map(docs.filter((d) => d.kind === 'ClusterQueue').map((d) => [d.metadata.name, d.spec]));
  const localQueues = new Map(docs.filter((d) => d.kind === 'LocalQueue').map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d.spec.clusterQueue]));
  // usage[clusterQueue][flavor][resource]
  const usage = new Map<string, Map<string, Map<string, number>>>();
  const used = (cq: string, flavor: string, resource: string) => usage.get(cq)?.get(flavor)?.get(resource) ?? 0;
  const use = (cq: string, flavor: string, resource: string, amount: number) => {
    if (!usage.has(cq)) usage.set(cq, new Map());
    const byFlavor = usage.get(cq)!;
    if (!byFlavor.has(flavor)) byFlavor.set(flavor, new Map());
    byFlavor.get(flavor)!.set(resource, used(cq, flavor, resource) + amount);
  };
  const quotaOf = (cq: string, flavor: string, resource: string) => {
    for (const group of clusterQueues.get(cq)?.resourceGroups ?? []) {
      const entry = group.flavors.find((f: any) => f.name === flavor)?.resources.find((r: any) => r.name === resource);
      if (entry) return { nominal: quantity(entry.nominalQuota), borrowingLimit: entry.borrowingLimit === undefined ? Infinity : quantity(entry.borrowingLimit) };
    }
    return undefined;
  };
  const cohortAvailable = (cq: string, flavor: string, resource: string) => {
    const cohort = clusterQueues.get(cq)?.cohort;
    const members = cohort ? [...clusterQueues].filter(([, spec]) => spec.cohort === cohort).map(([name]) => name) : [cq];
    return members.reduce((sum, m) => sum + (quotaOf(m, flavor, resource)?.nominal ?? 0) - used(m, flavor, resource), 0);
  };

  const admitted: Admission[] = [];
  const pending: Array<{ job: string; reason: string }> = [];
  const pods: Array<{ job: string; podSet: string; nodeSelector: Record<string, string>; requests: Record<string, number> }> = [];
  const createPods = (w: ModelWorkload, selectorFor: (ps: ModelPodSet) => Record<string, string>) => {
    for (const ps of w.podSets) for (let i = 0; i < ps.count; i++) pods.push({ job: w.job, podSet: ps.name, nodeSelector: selectorFor(ps), requests: ps.requests });
  };

  const workloads = workloadsOf(docs).map((w, order) => ({ w, order }))
    .sort((a, b) => (priorities[b.w.job] ?? 0) - (priorities[a.w.job] ?? 0) || a.order - b.order)
    .map(({ w }) => w);
  for (const w of workloads) {
    if (!w.queue) {
      if (w.suspended) pending.push({ job: w.job, reason: 'suspended and not managed by Kueue' });
      else createPods(w, (ps) => ps.nodeSelector);
      continue;
    }
    const cq = localQueues.get(`${w.namespace}/${w.queue}`);
    const cqSpec = cq ? clusterQueues.get(cq) : undefined;
    if (!cq || !cqSpec) {
      pending.push({ job: w.job, reason: `LocalQueue ${w.queue} or its ClusterQueue does not exist` });
      continue;
    }
    if (cqSpec.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] && cqSpec.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] !== w.namespace) {
      pending.push({ job: w.job, reason: `ClusterQueue ${cq} does not select namespace ${w.namespace}` });
      continue;
    }
    const assigned: Record<string, Record<string, string>> = {};
    const charges: Array<[string, string, number]> = [];
    let borrowed = false;
    let reason: string | undefined;
    for (const ps of w.podSets) {
      assigned[ps.name] = {};
      for (const [resource, perPod] of Object.entries(ps.requests)) {
        const group = cqSpec.resourceGroups.find((g: any) => g.coveredResources.includes(resource));
        if (!group) {
          reason = `resource ${resource} unavailable in ClusterQueue ${cq}`;
          break;
        }
        // Resources of one group share a flavor: the first resource of the group picks it.
        const already = Object.entries(assigned[ps.name]).find(([r]) => group.coveredResources.includes(r))?.[1];
        const needed = perPod * ps.count;
        const candidates = already ? group.flavors.filter((f: any) => f.name === already) : group.flavors;
        let chosen: string | undefined;
        for (const entry of candidates) {
          const flavor = flavors.get(entry.name);
          if (!flavor) continue;
          if (!(flavor.nodeTaints ?? []).every((t: any) => tolerates(ps.tolerations, t))) continue;
          if (Object.entries<string>(flavor.nodeLabels ?? {}).some(([k, v]) => ps.nodeSelector[k] !== undefined && ps.nodeSelector[k] !== v)) continue;
          const quota = quotaOf(cq, entry.name, resource)!;
          const pendingCharge = charges.filter(([f, r]) => f === entry.name && r === resource).reduce((s, [, , n]) => s + n, 0);
          const after = used(cq, entry.name, resource) + pendingCharge + needed;
          if (after <= quota.nominal) {
            chosen = entry.name;
            break;
          }
          if (after <= quota.nominal + quota.borrowingLimit && needed + pendingCharge <= cohortAvailable(cq, entry.name, resource)) {
            chosen = entry.name;
            borrowed = true;
            break;
          }
        }
        if (!chosen) {
          reason = `insufficient quota for ${resource} in ClusterQueue ${cq} (pod set ${ps.name} needs ${needed})`;
          break;
        }
        assigned[ps.name][resource] = chosen;
        charges.push([chosen, resource, needed]);
      }
      if (reason) break;
    }
    if (reason) {
      pending.push({ job: w.job, reason });
      continue;
    }
    for (const [flavor, resource, amount] of charges) use(cq, flavor, resource, amount);
    admitted.push({ job: w.job, clusterQueue: cq, flavors: assigned, borrowed });
    createPods(w, (ps) => Object.assign({}, ps.nodeSelector, ...Object.values(assigned[ps.name]).map((f) => flavors.get(f)?.nodeLabels ?? {})));
  }
  return { admitted, pending, pods };
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
