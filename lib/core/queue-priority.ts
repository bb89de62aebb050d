/**
 * Kueue orders the workloads of a ClusterQueue by priority and lets a higher one evict a lower one
 * (withinClusterQueue LowerPriority). It takes that priority from the pods' PriorityClass value but
 * ignores the class's preemptionPolicy, so a "preemptible" job (value 1000, policy Never) would
 * evict a job with no class (0). Kueue reads a job's WorkloadPriorityClass label before its pods'
 * class: queued preemptible jobs carry one valued below no class at all, so in the queues they are
 * admitted last and never evict other training. Their pods keep their PriorityClass.
 */

/** The job label Kueue takes a Workload's priority from, before the pods' PriorityClass. */
export const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

/** The PriorityClass of checkpointed training that waits instead of preempting. */
export const TRAINING_PREEMPTIBLE_PRIORITY_CLASS = 'ml-training-preemptible';

/** The WorkloadPriorityClass queued preemptible training is ordered by in Kueue. */
export const PREEMPTIBLE_QUEUE_PRIORITY = {
  name: TRAINING_PREEMPTIBLE_PRIORITY_CLASS,
  value: -1000,
  description: 'Checkpointed training in the queues: admitted after all other training, and never evicts it.',
} as const;

/** The labels that give a queued job whose pods have `priorityClassName` its priority in Kueue. */
export function queuePriorityLabels(priorityClassName: string | undefined): Record<string, string> {
  return priorityClassName === TRAINING_PREEMPTIBLE_PRIORITY_CLASS ? { [KUEUE_PRIORITY_LABEL]: PREEMPTIBLE_QUEUE_PRIORITY.name } : {};
}
