/**
 * Node labels and taints the library puts on every pool, identical on every cloud, so workloads
 * select nodes one way everywhere. Cloud-specific labels are recorded in the profile as well.
 */
export const LABEL_PREFIX = 'ml-platform.io';

export const NodeLabels = {
  /** The pool a node belongs to. */
  POOL: `${LABEL_PREFIX}/pool`,
  /** The accelerator id from the catalogue (`nvidia-l4`), on GPU pools only. */
  ACCELERATOR: `${LABEL_PREFIX}/accelerator`,
  /** `spot` or `on-demand`. */
  CAPACITY: `${LABEL_PREFIX}/capacity`,
} as const;

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A Kubernetes node taint. */
export interface Taint {
  readonly key: string;
  /** @default - a taint without value */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Keeps pods that do not ask for GPUs off GPU nodes. */
export const GPU_TAINT: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

/** Keeps pods that cannot tolerate preemption (serving) off spot nodes. */
export const SPOT_TAINT: Taint = { key: `${LABEL_PREFIX}/spot`, value: 'true', effect: 'NoSchedule' };

/** `key=value:Effect`, the form kubectl, AKS and the cluster autoscaler use. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value === undefined ? '' : `=${taint.value}`}:${taint.effect}`;
}

/** A Kubernetes toleration, as it appears in a pod spec. */
export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  /** @default - none, with the Exists operator */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** The toleration that matches exactly `taint`. */
export function tolerationFor(taint: Taint): Toleration {
  return taint.value === undefined
    ? { key: taint.key, operator: 'Exists', effect: taint.effect }
    : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect };
}
