import { readFileSync } from 'fs';
import { Accelerator } from './accelerator';
import { Cloud } from './cloud';
import { CloudFacts, defaultCloudFacts } from './cloud-facts';
import { profileJsonProblems } from './profile-json';
import { shapeProblems as propsShapeProblems, throwProblems } from './props-shape';
import { NodeLabels, SPOT_TAINT, Taint, Toleration, tolerationFor } from './scheduling';

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
  /** `gke`, `eks`, `aks`, or any name for a cluster the library did not build (`on-prem`, `kind`). */
  readonly cloud: Cloud | string;
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly pools: readonly NodePoolProfile[];
  readonly capabilities: ClusterCapabilities;
  /**
   * Identity, load balancer, metadata endpoint and object store facts of the cloud under the cluster.
   * @default - the managed cloud's facts for gke, eks and aks; no identity and no object store otherwise
   */
  readonly facts?: CloudFacts;
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

const PROFILE_DATA_SHAPE = {
  cloud: 'string', name: 'string', kubernetesVersion: 'string', pools: { arrayOf: 'object' }, capabilities: 'object', facts: 'object',
} as const;

/**
 * The scheduling contract between a cluster and the workloads on it: plain data, produced by a
 * cluster construct (`cluster.profile`) or written by hand for a cluster that already exists.
 */
export class ClusterProfile {
  /** Reads a profile from its JSON form (as written by {@link ClusterProfile.toJson}), listing every problem found. */
  public static fromJson(json: unknown): ClusterProfile {
    throwProblems('ClusterProfile.fromJson', profileJsonProblems(json));
    return new ClusterProfile(json as ClusterProfileData);
  }

  /** Reads a profile file written by `cdktf synth` (`cdktf.out/profiles/<cluster>.json`) or by hand. */
  public static fromFile(file: string): ClusterProfile {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throwProblems(file, [{
        code: 'PROFILE_UNREADABLE',
        message: `The profile file cannot be read as JSON: ${(error as Error).message}.`,
        received: file,
        fix: 'run cdktf synth first, or point at the profile JSON of the cluster.',
      }]);
    }
    // Each problem names the file, as construct problems name their path.
    throwProblems(file, profileJsonProblems(json));
    return new ClusterProfile(json as ClusterProfileData);
  }

  constructor(private readonly data: ClusterProfileData) {
    // JavaScript callers: what every reader of a profile relies on, listed instead of a TypeError
    // later. The full rules of a profile file are fromJson's.
    throwProblems('ClusterProfile', propsShapeProblems(data, PROFILE_DATA_SHAPE, ['cloud', 'name', 'kubernetesVersion', 'pools', 'capabilities'], 'data'));
  }

  public get cloud(): Cloud | string { return this.data.cloud; }
  public get name(): string { return this.data.name; }
  public get kubernetesVersion(): string { return this.data.kubernetesVersion; }
  public get pools(): readonly NodePoolProfile[] { return this.data.pools; }
  public get capabilities(): ClusterCapabilities { return this.data.capabilities; }
  /** What workloads need to know of the cloud: identity, load balancers, metadata endpoints, object stores. */
  public get facts(): CloudFacts { return this.data.facts ?? defaultCloudFacts(this.data.cloud); }

  /** The object store facts for a URI scheme such as `gs`, or `undefined` when pods cannot read it. */
  public objectStore(scheme: string): CloudFacts['objectStores'][number] | undefined {
    if (typeof scheme !== 'string') throwProblems('ClusterProfile.objectStore', [{ code: 'PROP_TYPE_INVALID', message: 'scheme must be a string.', received: scheme, fix: 'pass a URI scheme such as "gs" or "s3".' }]);
    return this.facts.objectStores.find((store) => store.scheme === scheme);
  }

  /** Pools whose nodes carry `accelerator`. */
  public poolsWith(accelerator: Accelerator): NodePoolProfile[] {
    checkAccelerator('poolsWith', accelerator);
    return this.data.pools.filter((p) => p.accelerator === accelerator.id);
  }

  /** The most GPUs of `accelerator` the cluster can ever hold: Σ maxNodes × GPUs per node. */
  public gpuCapacity(accelerator: Accelerator): number {
    checkAccelerator('gpuCapacity', accelerator);
    return this.poolsWith(accelerator).reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
  }

  /**
   * Where pods needing `accelerator` go: a node selector on the accelerator label and a toleration
   * for every taint of the matching pools. `undefined` when no pool carries it.
   */
  public placementFor(accelerator: Accelerator, options: PlacementOptions = {}): Placement | undefined {
    checkAccelerator('placementFor', accelerator);
    throwProblems('ClusterProfile.placementFor', propsShapeProblems(options, { allowSpot: 'boolean' }, [], 'options'));
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

/** The props shape of a field that holds a ClusterProfile. */
export const CLUSTER_PROFILE_SHAPE = { instanceOf: ClusterProfile, name: 'ClusterProfile' } as const;

/**
 * A JavaScript caller's accelerator id or undefined would match the CPU pools (whose accelerator is
 * unset) and place GPU pods there; listed instead.
 */
function checkAccelerator(method: string, accelerator: unknown): void {
  if (!(accelerator instanceof Accelerator)) {
    throwProblems(`ClusterProfile.${method}`, [{ code: 'PROP_TYPE_INVALID', message: 'accelerator must be an Accelerator.', received: accelerator, fix: 'pass a catalogue entry such as Accelerator.NVIDIA_L4, or Accelerator.fromId(id) for an id.' }]);
  }
}

/** Spot pools are tainted; this is the toleration a preemptible workload adds to run there. */
export const SPOT_TOLERATION = tolerationFor(SPOT_TAINT);
