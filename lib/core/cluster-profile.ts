import { readFileSync } from 'fs';
import { Accelerator } from './accelerator';
import { Cloud } from './cloud';
import { CloudFacts, defaultCloudFacts } from './cloud-facts';
import { labelKeyProblems, labelValueProblems } from './labels';
import { DNS_LABEL } from './names';
import { shapeProblems as propsShapeProblems, throwProblems } from './props-shape';
import { NodeLabels, SPOT_TAINT, Taint, TaintEffect, Toleration, tolerationFor } from './scheduling';
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
      throw new ValidationError([`[${file}] PROFILE_UNREADABLE: ${(error as Error).message}. Fix: run cdktf synth first, or point at the profile JSON of the cluster.`]);
    }
    try {
      return ClusterProfile.fromJson(json);
    } catch (error) {
      // Each problem names the file, as construct problems name their path.
      if (error instanceof ValidationError) throw new ValidationError(error.errors.map((e) => `[${file}] ${e}`));
      throw error;
    }
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
    return this.facts.objectStores.find((store) => store.scheme === scheme);
  }

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
  if (!isRecord(json)) return [`expected an object, received ${JSON.stringify(json)}.`];
  const data = json;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, value: unknown) => {
    if (!ok) problems.push(`${what}; received ${JSON.stringify(value)}.`);
  };
  expect(typeof data.cloud === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(data.cloud), '"cloud" must be a lower-case name such as gke, eks, aks or on-prem', data.cloud);
  if (data.facts !== undefined) factsProblems(data.facts).forEach((p) => problems.push(p));
  expect(typeof data.name === 'string' && DNS_LABEL.pattern.test(data.name) && data.name.length <= DNS_LABEL.maxLength, '"name" must be a DNS label (lower-case letters, digits and "-", at most 63)', data.name);
  expect(typeof data.kubernetesVersion === 'string' && /^1\.\d{2}$/.test(data.kubernetesVersion), '"kubernetesVersion" must be a minor version such as "1.33"', data.kubernetesVersion);
  expect(isRecord(data.capabilities) && CAPABILITIES.every((key) => typeof (data.capabilities as Record<string, unknown>)[key] === 'boolean'),
    `"capabilities" must be an object with the booleans ${CAPABILITIES.join(', ')}`, data.capabilities);
  if (!Array.isArray(data.pools)) {
    expect(false, '"pools" must be an array', data.pools);
    return problems;
  }
  const names = new Set<string>();
  data.pools.forEach((entry: unknown, i: number) => {
    const at = `pools[${i}]`;
    if (!isRecord(entry)) {
      expect(false, `${at} must be an object`, entry);
      return;
    }
    const pool = entry;
    expect(typeof pool.name === 'string' && pool.name.length > 0 && !names.has(pool.name), `${at}.name must be a non-empty string, unique among the pools`, pool.name);
    names.add(String(pool.name));
    expect(typeof pool.machineType === 'string' && pool.machineType.length > 0, `${at}.machineType must be a non-empty string`, pool.machineType);
    expect(pool.accelerator === undefined || Accelerator.fromId(String(pool.accelerator)) !== undefined,
      `${at}.accelerator must be a catalogue id (${Accelerator.all().map((a) => a.id).join(', ')})`, pool.accelerator);
    for (const key of ['gpusPerNode', 'minNodes', 'maxNodes']) {
      expect(Number.isInteger(pool[key]) && (pool[key] as number) >= 0, `${at}.${key} must be a non-negative integer`, pool[key]);
    }
    expect(!(Number(pool.minNodes) > Number(pool.maxNodes)), `${at}.minNodes must not exceed maxNodes`, { minNodes: pool.minNodes, maxNodes: pool.maxNodes });
    expect((pool.accelerator === undefined) === (pool.gpusPerNode === 0), `${at} must have an accelerator exactly when gpusPerNode is above 0`, { accelerator: pool.accelerator, gpusPerNode: pool.gpusPerNode });
    expect(typeof pool.spot === 'boolean', `${at}.spot must be a boolean`, pool.spot);
    expect(typeof pool.devicePluginRequired === 'boolean', `${at}.devicePluginRequired must be a boolean`, pool.devicePluginRequired);
    if (!isRecord(pool.labels)) expect(false, `${at}.labels must be an object`, pool.labels);
    else {
      for (const [key, value] of Object.entries(pool.labels)) {
        const found = [...labelKeyProblems(key, 'LABEL'), ...(typeof value === 'string' ? labelValueProblems(value, 'LABEL') : [{ message: 'not a string' }])];
        expect(found.length === 0, `${at}.labels["${key}"] must be a valid label (${found.map((p) => p.message).join(' ')})`, value);
      }
    }
    if (!Array.isArray(pool.taints)) expect(false, `${at}.taints must be an array`, pool.taints);
    else {
      pool.taints.forEach((taint: unknown, t: number) => {
        const ok = isRecord(taint) && typeof taint.key === 'string' && labelKeyProblems(taint.key, 'TAINT').length === 0
          && (taint.value === undefined || (typeof taint.value === 'string' && labelValueProblems(taint.value, 'TAINT').length === 0))
          && TAINT_EFFECTS.includes(taint.effect as TaintEffect);
        expect(ok, `${at}.taints[${t}] must be { key, value?, effect } with a label-syntax key and value and effect ${TAINT_EFFECTS.join(', ')}`, taint);
      });
    }
  });
  return problems;
}

const CAPABILITIES: ReadonlyArray<keyof ClusterCapabilities> = ['devicePluginRequired', 'managedGpuDrivers', 'extendedResourceToleration', 'networkPolicyEnforced', 'workloadIdentity'];
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A StorageClass name is a DNS-1123 subdomain. */
const STORAGE_CLASS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function factsProblems(facts: unknown): string[] {
  if (typeof facts !== 'object' || facts === null) return [`"facts" must be an object; received ${JSON.stringify(facts)}.`];
  const f = facts as Record<string, any>;
  const problems: string[] = [];
  const isStringMap = (v: unknown) => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
  if (f.workloadIdentity !== undefined && (typeof f.workloadIdentity?.serviceAccountAnnotation !== 'string' || !isStringMap(f.workloadIdentity?.podLabels))) {
    problems.push(`"facts.workloadIdentity" needs serviceAccountAnnotation (string) and podLabels (string map); received ${JSON.stringify(f.workloadIdentity)}.`);
  }
  if (!isStringMap(f.loadBalancer?.internalAnnotations) || !isStringMap(f.loadBalancer?.externalAnnotations)) {
    problems.push(`"facts.loadBalancer" needs internalAnnotations and externalAnnotations (string maps); received ${JSON.stringify(f.loadBalancer)}.`);
  }
  if (!Array.isArray(f.metadata?.blockedCidrs) || !Array.isArray(f.metadata?.identityEndpoints)) {
    problems.push(`"facts.metadata" needs blockedCidrs and identityEndpoints (arrays); received ${JSON.stringify(f.metadata)}.`);
  }
  if (!Array.isArray(f.objectStores) || !f.objectStores.every((s: any) => typeof s?.scheme === 'string')) {
    problems.push(`"facts.objectStores" must be an array of { scheme, csiDriver? }; received ${JSON.stringify(f.objectStores)}.`);
  }
  const rwx = f.readWriteManyStorageClass;
  if (rwx !== undefined && !(typeof rwx === 'string' && STORAGE_CLASS_NAME.test(rwx) && rwx.length <= 253)) {
    problems.push(`"facts.readWriteManyStorageClass" must be a StorageClass name (a DNS subdomain such as "efs"), or left out when the cluster has none; received ${JSON.stringify(rwx)}.`);
  }
  return problems;
}
