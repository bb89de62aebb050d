import { readFileSync } from 'fs';
import { Accelerator } from './accelerator';
import { ALL_CLOUDS, Cloud } from './cloud';
import { NodeLabels, SPOT_TAINT, Taint, Toleration, tolerationFor } from './scheduling';
import { ValidationError } from './validation';

/** One node pool as workloads see it. */
export interface NodePoolProfile {
  readonly name: string;
  readonly machineType: string;
  /**
   * Catalogue id of the accelerator (`Accelerator.id`).
   * @default - none: a CPU pool
   */
  readonly accelerator?: string;
  /** 0 on CPU pools. */
  readonly gpusPerNode: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly spot: boolean;
  /** Every label the nodes carry that workloads may select on: ours and the cloud's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Every taint the nodes carry: those we declare and those the cloud adds itself. */
  readonly taints: readonly Taint[];
  /** The NVIDIA device plugin DaemonSet must run on these nodes for `nvidia.com/gpu` to exist. */
  readonly devicePluginRequired: boolean;
}

/** What the cluster does for workloads by itself. */
export interface ClusterCapabilities {
  /** Some pool needs the NVIDIA device plugin DaemonSet (EKS AL2023 NVIDIA AMIs, AKS). */
  readonly devicePluginRequired: boolean;
  /** The cloud installs the GPU drivers on GPU nodes. */
  readonly managedGpuDrivers: boolean;
  /** The ExtendedResourceToleration admission plugin adds GPU tolerations (GKE only). */
  readonly extendedResourceToleration: boolean;
  /** NetworkPolicy objects are enforced. */
  readonly networkPolicyEnforced: boolean;
  /** Pods can take a cloud identity through their ServiceAccount. */
  readonly workloadIdentity: boolean;
}

/** The JSON form of a {@link ClusterProfile}. */
export interface ClusterProfileData {
  readonly cloud: Cloud;
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly pools: readonly NodePoolProfile[];
  readonly capabilities: ClusterCapabilities;
}

/** Node selector and tolerations that land a pod on the right pool. */
export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

/** Options for {@link ClusterProfile.placementFor}. */
export interface PlacementOptions {
  /**
   * Let the pod run on spot pools (it tolerates their taint). Only for work that survives preemption.
   * @default false
   */
  readonly allowSpot?: boolean;
}

/**
 * The scheduling contract between a cluster and the workloads on it: plain data, produced by a
 * cluster construct (`cluster.profile`) or written by hand for a cluster that already exists.
 */
export class ClusterProfile {
  /** Reads a profile from its JSON form (as written by {@link toJson}), listing every problem found. */
  public static fromJson(json: unknown): ClusterProfile {
    const problems = shapeProblems(json);
    if (problems.length > 0) {
      throw new ValidationError(problems.map((p) => `PROFILE_INVALID: ${p}`));
    }
    return new ClusterProfile(json as ClusterProfileData);
  }

  /** Reads a profile file written by `cdktf synth` (`cdktf.out/profiles/<cluster>.json`) or by hand. */
  public static fromFile(file: string): ClusterProfile {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ValidationError([`PROFILE_UNREADABLE: ${file}: ${(error as Error).message}. Fix: run cdktf synth first, or point at the profile JSON of the cluster.`]);
    }
    return ClusterProfile.fromJson(json);
  }

  constructor(private readonly data: ClusterProfileData) {}

  public get cloud(): Cloud { return this.data.cloud; }
  public get name(): string { return this.data.name; }
  public get kubernetesVersion(): string { return this.data.kubernetesVersion; }
  public get pools(): readonly NodePoolProfile[] { return this.data.pools; }
  public get capabilities(): ClusterCapabilities { return this.data.capabilities; }

  /** Pools whose nodes carry `accelerator`. */
  public poolsWith(accelerator: Accelerator): NodePoolProfile[] {
    return this.data.pools.filter((p) => p.accelerator === accelerator.id);
  }

  /** The most GPUs of `accelerator` the cluster can ever hold: Σ maxNodes × GPUs per node. */
  public gpuCapacity(accelerator: Accelerator): number {
    return this.poolsWith(accelerator).reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
  }

  /**
   * Where pods needing `accelerator` go: a node selector on the accelerator label and a toleration
   * for every taint of the matching pools. `undefined` when no pool carries it.
   */
  public placementFor(accelerator: Accelerator, options: PlacementOptions = {}): Placement | undefined {
    const pools = this.poolsWith(accelerator).filter((p) => options.allowSpot || !p.spot);
    if (pools.length === 0) return undefined;
    const tolerations = new Map<string, Toleration>();
    for (const taint of pools.flatMap((p) => p.taints)) {
      const toleration = tolerationFor(taint);
      tolerations.set(JSON.stringify(toleration), toleration);
    }
    return { nodeSelector: { [NodeLabels.ACCELERATOR]: accelerator.id }, tolerations: [...tolerations.values()] };
  }

  /** The JSON form: stable key order, so files written from it diff cleanly. */
  public toJson(): ClusterProfileData {
    return JSON.parse(JSON.stringify(this.data));
  }
}

/** Spot pools are tainted; this is the toleration a preemptible workload adds to run there. */
export const SPOT_TOLERATION = tolerationFor(SPOT_TAINT);

function shapeProblems(json: unknown): string[] {
  if (typeof json !== 'object' || json === null) return [`expected an object, received ${JSON.stringify(json)}.`];
  const data = json as Record<string, unknown>;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, value: unknown) => {
    if (!ok) problems.push(`${what}; received ${JSON.stringify(value)}.`);
  };
  expect(ALL_CLOUDS.includes(data.cloud as Cloud), `"cloud" must be one of ${ALL_CLOUDS.join(', ')}`, data.cloud);
  expect(typeof data.name === 'string' && data.name.length > 0, '"name" must be a non-empty string', data.name);
  expect(typeof data.kubernetesVersion === 'string', '"kubernetesVersion" must be a string such as "1.33"', data.kubernetesVersion);
  expect(typeof data.capabilities === 'object' && data.capabilities !== null, '"capabilities" must be an object', data.capabilities);
  if (!Array.isArray(data.pools)) {
    expect(false, '"pools" must be an array', data.pools);
    return problems;
  }
  data.pools.forEach((pool: Record<string, unknown>, i: number) => {
    const at = `pools[${i}]`;
    expect(typeof pool.name === 'string', `${at}.name must be a string`, pool.name);
    expect(typeof pool.machineType === 'string', `${at}.machineType must be a string`, pool.machineType);
    expect(pool.accelerator === undefined || Accelerator.fromId(String(pool.accelerator)) !== undefined,
      `${at}.accelerator must be a catalogue id (${Accelerator.all().map((a) => a.id).join(', ')})`, pool.accelerator);
    for (const key of ['gpusPerNode', 'minNodes', 'maxNodes']) {
      expect(Number.isInteger(pool[key]) && (pool[key] as number) >= 0, `${at}.${key} must be a non-negative integer`, pool[key]);
    }
    expect(typeof pool.spot === 'boolean', `${at}.spot must be a boolean`, pool.spot);
    expect(typeof pool.labels === 'object' && pool.labels !== null, `${at}.labels must be an object`, pool.labels);
    expect(Array.isArray(pool.taints), `${at}.taints must be an array`, pool.taints);
  });
  return problems;
}
