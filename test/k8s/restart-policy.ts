/**
 * What the Job, JobSet and TFJob controllers do when training pods end, from the synthesized
 * object alone: a model of Kubernetes' pod failure policy (pkg/controller/job/pod_failure_policy.go:
 * rules in order, the first match wins, `Ignore` is not counted, `FailJob` fails the Job with reason
 * PodFailurePolicy, no match counts; a Job fails with BackoffLimitExceeded when counted failures
 * exceed backoffLimit), of JobSet v0.8's failure policy (rules matched on the child Job's failure
 * reason, first match wins, no match restarts the set; restarts past maxRestarts fail it;
 * RestartJobSetAndIgnoreMaxRestarts does not count), and of the TFJob operator v1.9 (ExitCode:
 * 128-255 recreate the pod and are never counted, 1-127 fail the job; OnFailure restarts the
 * container in place and counts toward backoffLimit).
 */

/** How one training pod ended. */
export interface PodEnd {
  /** `<role>-<index>`, e.g. `worker-1`. */
  readonly task: string;
  readonly exitCode: number;
  /** The pod carries the DisruptionTarget condition (status True): reclaimed, drained, evicted. */
  readonly disrupted: boolean;
}

export interface RestartDecision {
  /** The job (or set) has failed for good. */
  readonly failed: boolean;
  /** Tasks the controllers run again. */
  readonly recreated: readonly string[];
  /** Restarts used from maxRestarts / backoffLimit. */
  readonly counted: number;
  readonly reason: string;
}

type Action = 'Ignore' | 'FailJob' | 'Count';

function matchRule(rules: readonly any[], end: PodEnd): { action: Action; index?: number } {
  for (const [index, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const { operator, values } = rule.onExitCodes;
      if (end.exitCode === 0) continue;
      const listed = values.includes(end.exitCode);
      if ((operator === 'In' && listed) || (operator === 'NotIn' && !listed)) return { action: rule.action, index };
    } else if (rule.onPodConditions) {
      // The API server defaults a pattern's missing status to "True".
      const matches = rule.onPodConditions.some((c: any) => c.type === 'DisruptionTarget' && (c.status ?? 'True') === 'True');
      if (matches && end.disrupted) return { action: rule.action, index };
    }
  }
  return { action: 'Count' };
}

/** One Job's reaction: its failure reason, or the tasks it recreates. */
function jobOutcome(jobSpec: any, ends: readonly PodEnd[]): { reason?: string; recreated: string[]; counted: number } {
  const rules = jobSpec.podFailurePolicy?.rules ?? [];
  let counted = 0;
  const recreated: string[] = [];
  for (const end of ends.filter((e) => e.exitCode !== 0)) {
    const { action } = matchRule(rules, end);
    if (action === 'FailJob') return { reason: 'PodFailurePolicy', recreated: [], counted };
    if (action === 'Count') counted++;
    recreated.push(end.task);
  }
  if (counted > (jobSpec.backoffLimit ?? 6)) return { reason: 'BackoffLimitExceeded', recreated: [], counted };
  return { recreated, counted };
}

const roleOf = (task: string) => task.replace(/-\d+$/, '');

/** What the controllers do with `ends` for the training object among `docs` (Jobs, a JobSet or a TFJob). */
export function restartDecision(docs: readonly any[], ends: readonly PodEnd[], restartsSoFar = 0): RestartDecision {
  const jobSet = docs.find((d) => d.kind === 'JobSet');
  const tfJob = docs.find((d) => d.kind === 'TFJob');
  if (jobSet) {
    const allTasks = jobSet.spec.replicatedJobs.flatMap((r: any) => Array.from({ length: r.template.spec.completions }, (_, i) => `${r.name}-${i}`));
    for (const replicated of jobSet.spec.replicatedJobs) {
      const outcome = jobOutcome(replicated.template.spec, ends.filter((e) => roleOf(e.task) === replicated.name));
      if (!outcome.reason) continue;
      const policy = jobSet.spec.failurePolicy ?? {};
      const rule = (policy.rules ?? []).find((r: any) => (!r.onJobFailureReasons?.length || r.onJobFailureReasons.includes(outcome.reason))
        && (!r.targetReplicatedJobs?.length || r.targetReplicatedJobs.includes(replicated.name)));
      const action = rule?.action ?? 'RestartJobSet';
      if (action === 'FailJobSet') return { failed: true, recreated: [], counted: 0, reason: `child Job ${replicated.name}: ${outcome.reason}; rule ${rule.name}: FailJobSet` };
      if (action === 'RestartJobSetAndIgnoreMaxRestarts') return { failed: false, recreated: allTasks, counted: 0, reason: `${outcome.reason}: set restarted, not counted` };
      if (restartsSoFar >= (policy.maxRestarts ?? 0)) return { failed: true, recreated: [], counted: 0, reason: `${outcome.reason}: maxRestarts ${policy.maxRestarts ?? 0} used up` };
      return { failed: false, recreated: allTasks, counted: 1, reason: `${outcome.reason}: set restarted, counted` };
    }
    const recreated = ends.filter((e) => e.exitCode !== 0).map((e) => e.task);
    return { failed: false, recreated, counted: 0, reason: 'child Jobs recreate the pods' };
  }
  if (tfJob) {
    const recreated: string[] = [];
    let counted = 0;
    for (const end of ends.filter((e) => e.exitCode !== 0)) {
      const type = Object.keys(tfJob.spec.tfReplicaSpecs).find((t) => t.toLowerCase() === roleOf(end.task));
      const policy = tfJob.spec.tfReplicaSpecs[type!].restartPolicy ?? 'Never';
      if (policy === 'ExitCode') {
        if (end.exitCode >= 128) recreated.push(end.task);
        else return { failed: true, recreated: [], counted, reason: `${end.task} exited ${end.exitCode}: permanent under ExitCode` };
      } else if (policy === 'OnFailure' || policy === 'Always') {
        counted++;
        recreated.push(end.task);
      } else {
        return { failed: true, recreated: [], counted, reason: `${end.task} failed under restartPolicy ${policy}` };
      }
    }
    if (counted + restartsSoFar > (tfJob.spec.runPolicy?.backoffLimit ?? Infinity)) return { failed: true, recreated: [], counted, reason: 'backoffLimit exceeded' };
    return { failed: false, recreated, counted, reason: 'operator recreates the pods' };
  }
  const recreated: string[] = [];
  let counted = 0;
  for (const job of docs.filter((d) => d.kind === 'Job')) {
    const role = job.metadata.labels?.['ml-platform.io/training-role'];
    const outcome = jobOutcome(job.spec, ends.filter((e) => roleOf(e.task) === role));
    counted += outcome.counted;
    if (outcome.reason) return { failed: true, recreated: [], counted, reason: `Job ${job.metadata.name}: ${outcome.reason}` };
    recreated.push(...outcome.recreated);
  }
  return { failed: false, recreated, counted, reason: 'Job controller recreates the pods' };
}
