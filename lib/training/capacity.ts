import { Accelerator } from '../core/accelerator';
import { ClusterProfile, NodePoolProfile } from '../core/cluster-profile';
import { NodeLabels, Toleration, tolerationFor } from '../core/scheduling';
import * as k8s from '../imports/k8s';

/** Which nodes a training job's GPU roles may run on. */
export enum TrainingCapacity {
  /** On-demand pools only: the job is never reclaimed, only drained. */
  ON_DEMAND = 'on-demand',
  /** Spot pools only: cheapest, and the whole job is reclaimed and restarted from checkpoints. */
  SPOT = 'spot',
  /**
   * On-demand first, spot for the rest. Queued, Kueue gives the whole job one flavor (on-demand when
   * the queue's on-demand quota fits it, else spot); unqueued, the scheduler prefers on-demand nodes
   * and may put the rest on spot.
   */
  ON_DEMAND_THEN_SPOT = 'on-demand-then-spot',
}

/** Node selector, tolerations and affinity that land a role on the chosen capacity. */
export interface CapacityPlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** @default - none */
  readonly affinity?: k8s.Affinity;
  /** The pools the role may land on. */
  readonly pools: readonly NodePoolProfile[];
}

/** Whether `capacity` lets pods run on pools with `spot`. */
export function capacityAllows(capacity: TrainingCapacity, spot: boolean): boolean {
  if (capacity === TrainingCapacity.ON_DEMAND) return !spot;
  if (capacity === TrainingCapacity.SPOT) return spot;
  return true;
}

/** Whether the job may be reclaimed on this capacity. */
export function mayRunOnSpot(capacity: TrainingCapacity): boolean {
  return capacity !== TrainingCapacity.ON_DEMAND;
}

/**
 * Where pods needing `accelerator` go on `capacity`, from the profile's pools alone: the accelerator
 * and capacity labels every pool carries, and a toleration for each taint of the pools chosen.
 * `undefined` when no pool of that capacity carries the accelerator.
 */
export function capacityPlacement(cluster: ClusterProfile, accelerator: Accelerator, capacity: TrainingCapacity): CapacityPlacement | undefined {
  const pools = cluster.poolsWith(accelerator).filter((p) => capacityAllows(capacity, p.spot));
  if (pools.length === 0) return undefined;
  const tolerations = new Map<string, Toleration>();
  for (const taint of pools.flatMap((p) => p.taints)) {
    const toleration = tolerationFor(taint);
    tolerations.set(JSON.stringify(toleration), toleration);
  }
  const mixed = new Set(pools.map((p) => p.spot)).size > 1;
  const nodeSelector: Record<string, string> = { [NodeLabels.ACCELERATOR]: accelerator.id };
  // Select on the capacity label only where every chosen pool carries it (hand-written profiles may not).
  const capacityLabels = new Set(pools.map((p) => p.labels[NodeLabels.CAPACITY]));
  const [label] = [...capacityLabels];
  if (!mixed && capacityLabels.size === 1 && label !== undefined) nodeSelector[NodeLabels.CAPACITY] = label;
  // Both kinds allowed: prefer on-demand nodes; spot takes what does not fit.
  const affinity: k8s.Affinity | undefined = mixed ? {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        preference: { matchExpressions: [{ key: NodeLabels.CAPACITY, operator: 'In', values: ['on-demand'] }] },
      }],
    },
  } : undefined;
  return { nodeSelector, tolerations: [...tolerations.values()], ...(affinity ? { affinity } : {}), pools };
}
