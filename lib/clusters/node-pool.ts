import { Accelerator } from '../core/accelerator';
import { Cloud } from '../core/cloud';
import { NodePoolProfile } from '../core/cluster-profile';
import { labelKeyProblems, labelValueProblems } from '../core/labels';
import { checkName, NameRule } from '../core/names';
import { GPU_TAINT, NodeLabels, SPOT_TAINT, Taint, TaintEffect } from '../core/scheduling';
import { Problem } from '../core/validation';

/** Options every cloud's node pool accepts. */
export interface NodePoolOptions {
  /**
   * The pool's name in the cloud.
   * @default - the construct id
   */
  readonly name?: string;
  /** Machine type, instance type or VM size, as the cloud spells it (`e2-standard-8`, `m6i.2xlarge`, `Standard_D8s_v5`). */
  readonly machineType: string;
  /**
   * Fewest nodes the autoscaler keeps.
   * @default 1
   */
  readonly minNodes?: number;
  /** Most nodes the autoscaler may create. */
  readonly maxNodes: number;
  /**
   * Use spot capacity. Spot pools get the `ml-platform.io/spot=true:NoSchedule` taint, so only
   * workloads that opt in to preemption land there.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Extra node labels.
   * @default - only the labels the library and the cloud add
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra node taints.
   * @default - only the taints the library and the cloud add
   */
  readonly taints?: readonly Taint[];
  /**
   * Boot disk size.
   * @default 100
   */
  readonly diskSizeGiB?: number;
  /**
   * Zones the pool's nodes may run in, for accelerators that only some zones have: GKE zone names
   * (`europe-west4-a`), AKS zone numbers (`1`, `2`, `3`). On EKS, give the pool `subnetIds` instead.
   * @default - every zone of the cluster
   */
  readonly zones?: readonly string[];
}

/** Options every cloud's GPU pool accepts. */
export interface GpuPoolOptions extends Omit<NodePoolOptions, 'machineType'> {
  readonly accelerator: Accelerator;
  /**
   * GPUs on each node.
   * @default 1
   */
  readonly gpusPerNode?: number;
  /**
   * Machine type; must carry `gpusPerNode` of `accelerator`.
   * @default - the smallest machine the cloud sells with `gpusPerNode` of `accelerator`
   */
  readonly machineType?: string;
  /**
   * Fewest nodes; GPU pools scale from zero so idle GPUs cost nothing.
   * @default 0
   */
  readonly minNodes?: number;
}

/** A pool's options after defaults and validation, in cloud-neutral terms. */
export interface ResolvedPool {
  readonly id: string;
  readonly name: string;
  readonly machineType: string;
  /** @default - none: a CPU pool */
  readonly accelerator?: Accelerator;
  readonly gpusPerNode: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly spot: boolean;
  readonly diskSizeGiB: number;
  /** @default - every zone of the cluster */
  readonly zones?: readonly string[];
  /** Labels to declare on the nodes: the library's convention plus the user's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints to declare on the nodes (on GKE the GPU taint is the cloud's own and is not declared). */
  readonly taints: readonly Taint[];
}

/** What one cloud adds to pools by itself, and how it names and sizes them. */
export interface PoolRules {
  readonly cloud: Cloud;
  readonly nameRule: NameRule;
  /** Whether the cloud taints GPU nodes itself (GKE does; EKS and AKS do not). */
  readonly cloudTaintsGpuNodes: boolean;
  readonly machineTypePattern: RegExp;
  readonly machineTypeExample: string;
  /**
   * How the cloud names zones.
   * @default - no zones: pools take subnets instead (EKS)
   */
  readonly zonePattern?: RegExp;
  readonly zoneExample: string;
}

/** The largest boot disk of a node: GKE persistent disks, EKS gp3 volumes, AKS managed OS disks. */
const MAX_DISK_GIB: Readonly<Record<string, number>> = { [Cloud.GKE]: 65536, [Cloud.EKS]: 16384, [Cloud.AKS]: 4095 };

/** Applies defaults, the library's label and taint convention, and every per-pool rule. */
export function resolvePool(
  rules: PoolRules,
  id: string,
  options: NodePoolOptions | GpuPoolOptions,
  accelerator: Accelerator | undefined,
): { pool: ResolvedPool; problems: Problem[] } {
  const problems: Problem[] = [];
  const name = options.name ?? id;
  problems.push(...checkName(name, rules.nameRule, 'POOL_NAME_INVALID'));

  const minNodes = options.minNodes ?? (accelerator ? 0 : 1);
  const { maxNodes } = options;
  for (const [field, value] of [['minNodes', minNodes], ['maxNodes', maxNodes]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      problems.push({ code: 'POOL_SIZE_INVALID', message: `Pool "${name}" ${field} must be a whole number of nodes.`, received: value, fix: `set ${field} to 0 or more.` });
    }
  }
  if (maxNodes < 1) {
    problems.push({ code: 'POOL_MAX_NODES_ZERO', message: `Pool "${name}" could never run a node.`, received: maxNodes, fix: 'set maxNodes to 1 or more.' });
  }
  if (minNodes > maxNodes) {
    problems.push({
      code: 'POOL_MIN_GT_MAX',
      message: `Pool "${name}" has minNodes (${minNodes}) greater than maxNodes (${maxNodes}).`,
      received: { minNodes, maxNodes },
      fix: 'make minNodes less than or equal to maxNodes.',
    });
  }

  const gpusPerNode = accelerator ? ((options as GpuPoolOptions).gpusPerNode ?? 1) : 0;
  const machineType = accelerator
    ? resolveGpuMachine(rules.cloud, name, accelerator, gpusPerNode, options.machineType, problems)
    : options.machineType;
  if (machineType !== undefined && !rules.machineTypePattern.test(machineType)) {
    problems.push({ code: 'MACHINE_TYPE_INVALID', message: `Pool "${name}" machine type is not a ${rules.cloud.toUpperCase()} machine type.`, received: machineType, fix: `use the cloud's spelling, e.g. ${rules.machineTypeExample}.` });
  }
  const builtIn = machineType !== undefined && !accelerator ? Accelerator.builtInto(rules.cloud, machineType) : undefined;
  if (builtIn) {
    problems.push({
      code: 'GPU_MACHINE_IN_CPU_POOL',
      message: `Pool "${name}" uses ${machineType}, which always comes with ${builtIn}; as a CPU pool its GPUs would be unschedulable and untainted.`,
      received: machineType,
      fix: `declare it with addGpuPool({ accelerator: Accelerator.${constantName(builtIn)} }) or pick a CPU machine type.`,
    });
  }

  const userLabels = options.labels ?? {};
  const userTaints = options.taints ?? [];
  for (const [key, value] of Object.entries(userLabels)) {
    problems.push(...labelKeyProblems(key, 'LABEL_INVALID'), ...labelValueProblems(value, 'LABEL_INVALID'));
  }
  for (const taint of userTaints) {
    problems.push(...labelKeyProblems(taint.key, 'TAINT_INVALID'), ...labelValueProblems(taint.value ?? '', 'TAINT_INVALID'));
  }
  for (const zone of options.zones ?? []) {
    if (!rules.zonePattern || !rules.zonePattern.test(zone)) {
      problems.push({
        code: 'POOL_ZONE_INVALID',
        message: `Pool "${name}" names a zone ${rules.cloud.toUpperCase()} does not ${rules.zonePattern ? 'have' : 'take for node pools'}.`,
        received: zone,
        fix: rules.zoneExample,
      });
    }
  }
  if (options.zones !== undefined && options.zones.length === 0) {
    problems.push({ code: 'POOL_ZONE_INVALID', message: `Pool "${name}" lists no zone.`, received: [], fix: 'list at least one zone, or leave zones out for every zone of the cluster.' });
  }
  const diskSizeGiB = options.diskSizeGiB ?? 100;
  if (!Number.isInteger(diskSizeGiB) || diskSizeGiB < 20) {
    problems.push({ code: 'POOL_DISK_TOO_SMALL', message: `Pool "${name}" disk cannot hold the node image and container images.`, received: diskSizeGiB, fix: 'set diskSizeGiB to a whole number of at least 20 (100 or more for GPU images).' });
  } else if (diskSizeGiB > MAX_DISK_GIB[rules.cloud]) {
    problems.push({ code: 'POOL_DISK_TOO_LARGE', message: `Pool "${name}" disk is larger than a ${rules.cloud.toUpperCase()} node's boot disk can be.`, received: diskSizeGiB, fix: `set diskSizeGiB to at most ${MAX_DISK_GIB[rules.cloud]}.` });
  }

  const spot = options.spot ?? false;
  const labels: Record<string, string> = {
    ...userLabels,
    [NodeLabels.POOL]: name,
    [NodeLabels.CAPACITY]: spot ? 'spot' : 'on-demand',
    ...(accelerator ? { [NodeLabels.ACCELERATOR]: accelerator.id } : {}),
  };
  const taints: Taint[] = [
    ...userTaints,
    ...(accelerator && !rules.cloudTaintsGpuNodes ? [GPU_TAINT] : []),
    ...(spot ? [SPOT_TAINT] : []),
  ];
  return {
    pool: { id, name, machineType: machineType ?? '', accelerator, gpusPerNode, minNodes, maxNodes, spot, diskSizeGiB, zones: options.zones, labels, taints },
    problems,
  };
}

function resolveGpuMachine(
  cloud: Cloud,
  pool: string,
  accelerator: Accelerator,
  gpus: number,
  requested: string | undefined,
  problems: Problem[],
): string | undefined {
  const offer = accelerator.offerOn(cloud);
  if (!offer) {
    const offered = Accelerator.all().filter((a) => a.offerOn(cloud)).map(constantName);
    problems.push({
      code: 'ACCELERATOR_NOT_OFFERED',
      message: `${cloud.toUpperCase()} does not offer ${accelerator} (pool "${pool}").`,
      received: accelerator.id,
      fix: `choose one of Accelerator.${offered.join(', Accelerator.')}, or put this pool on a cloud that offers it.`,
    });
    return requested;
  }
  const allCounts = [...new Set(offer.machines.flatMap((m) => m.gpuCounts))].sort((a, b) => a - b);
  if (requested === undefined) {
    const machine = accelerator.smallestMachine(cloud, gpus);
    if (!machine) {
      problems.push({
        code: 'GPU_COUNT_UNAVAILABLE',
        message: `No ${cloud.toUpperCase()} machine carries ${gpus} × ${accelerator} (pool "${pool}").`,
        received: gpus,
        fix: `set gpusPerNode to one of ${allCounts.join(', ')}.`,
      });
    }
    return machine;
  }
  const counts = accelerator.gpuCountsOn(cloud, requested);
  if (counts.length === 0) {
    const carrier = Accelerator.builtInto(cloud, requested);
    problems.push({
      code: 'ACCELERATOR_NOT_ON_MACHINE',
      message: `${requested} cannot carry ${accelerator} (pool "${pool}")${carrier ? `; it comes with ${carrier}` : ''}.`,
      received: requested,
      fix: `use a machine of the ${offer.name} offer, e.g. ${offer.machines.slice(0, 3).map((m) => m.machineType).join(', ')}, or omit machineType to get the smallest one.`,
    });
  } else if (!counts.includes(gpus)) {
    problems.push({
      code: 'GPU_COUNT_NOT_ON_MACHINE',
      message: `${requested} does not come with ${gpus} × ${accelerator} (pool "${pool}").`,
      received: gpus,
      fix: `set gpusPerNode to ${counts.join(' or ')} for ${requested}, or pick the machine that has ${gpus} (${accelerator.smallestMachine(cloud, gpus) ?? 'none exists'}).`,
    });
  }
  return requested;
}

function constantName(accelerator: Accelerator): string {
  return accelerator.id.toUpperCase().replace(/-/g, '_');
}

/** The profile entry of a pool, with what the cloud adds on top of what we declare. */
export function poolProfile(
  pool: ResolvedPool,
  cloudLabels: Readonly<Record<string, string>>,
  cloudTaints: readonly Taint[],
  devicePluginRequired: boolean,
): NodePoolProfile {
  return {
    name: pool.name,
    machineType: pool.machineType,
    ...(pool.accelerator ? { accelerator: pool.accelerator.id } : {}),
    gpusPerNode: pool.gpusPerNode,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
    spot: pool.spot,
    labels: { ...cloudLabels, ...pool.labels },
    taints: [...pool.taints, ...cloudTaints],
    devicePluginRequired,
  };
}

const TAINT_EFFECT: Record<TaintEffect, string> = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
};

/** Terraform's spelling of a taint in GKE and EKS node pools. */
export function terraformTaint(taint: Taint) {
  return { key: taint.key, value: taint.value ?? '', effect: TAINT_EFFECT[taint.effect] };
}
