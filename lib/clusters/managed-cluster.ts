import type { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Cloud } from '../core/cloud';
import { managedCloudFacts, ObjectStoreFacts } from '../core/cloud-facts';
import { ClusterCapabilities, ClusterProfile, NodePoolProfile } from '../core/cluster-profile';
import { assertValid, isCollectingValidationErrors, Problems } from '../core/validation';
import { installTerraformGate } from '../policy/gate';
import { HelmChart } from './addon-charts';
import { GpuPoolOptions, NodePoolOptions, PoolRules, resolvePool, ResolvedPool } from './node-pool';
import { cdktf } from './bindings';
import { PropsShape, propsToBuild } from '../core/props-shape';
import { IN_STACK, POOL_SHAPE, poolPlaceholders } from './cluster-props';
import { checkConstructArguments, constructIdProblems } from '../core/construct-arguments';
import { installReplacementCheck } from './replacement-check';

/**
 * What GKE, EKS and AKS clusters share: pools resolved the same way, the profile built from them,
 * and validation that reports every problem of the app before any stack is written.
 */
export abstract class ManagedCluster<TPool> extends Construct {
  public abstract readonly cloud: Cloud;
  public abstract readonly clusterName: string;
  public abstract readonly kubernetesVersion: string;

  protected readonly problems: Problems;
  /** Whether ClusterAddons installs `requiredReleases()` on this cluster. */
  protected releasesInstalled = false;
  private readonly resolved: ResolvedPool[] = [];

  constructor(scope: Construct, id: string) {
    checkConstructArguments(new.target.name, scope, id, IN_STACK);
    super(scope, id);
    this.problems = Problems.of(this);
    this.problems.addCheck(() => this.duplicatePoolNames());
    installSynthGate(this);
    const stack = cdktf().TerraformStack.of(this);
    installTerraformGate(stack);
    installReplacementCheck(stack);
  }

  /** Adds a pool of CPU nodes. */
  public addNodePool(id: string, options: NodePoolOptions): TPool {
    return this.addPool(id, options, false);
  }

  /** Adds a pool of GPU nodes, tainted so that only pods asking for GPUs land there. */
  public addGpuPool(id: string, options: GpuPoolOptions): TPool {
    return this.addPool(id, options, true);
  }

  /** The scheduling contract for workloads on this cluster, as of now. */
  public get profile(): ClusterProfile {
    return new ClusterProfile({
      cloud: this.cloud,
      name: this.clusterName,
      kubernetesVersion: this.kubernetesVersion,
      pools: this.resolved.map((pool) => this.poolProfile(pool)),
      capabilities: this.capabilities(),
      facts: { ...managedCloudFacts(this.cloud), objectStores: this.objectStores(), readWriteManyStorageClass: this.readWriteManyStorageClass() },
    });
  }

  /** In-cluster software the cluster needs to work as declared (EKS: its autoscaler); ClusterAddons installs it. */
  public requiredReleases(): ClusterHelmRelease[] {
    return [];
  }

  /**
   * Called by ClusterAddons once it installs `requiredReleases()`.
   * @internal
   */
  public markReleasesInstalled(): void {
    this.releasesInstalled = true;
  }

  /** Service annotations that keep the ingress controller's load balancer inside the network: the profile's facts. */
  public internalLoadBalancerAnnotations(): Readonly<Record<string, string>> {
    return this.profile.facts.loadBalancer.internalAnnotations;
  }

  /** The shell command that writes this cluster's kubeconfig entry. */
  public abstract credentialsCommand(): string;

  /** How Terraform's Kubernetes and Helm providers reach the API server: endpoint, CA and exec credentials. */
  public abstract kubernetesConnection(): KubernetesConnection;

  protected abstract readonly poolRules: PoolRules;
  protected abstract createPool(id: string, pool: ResolvedPool, options: NodePoolOptions | GpuPoolOptions): TPool;
  protected abstract poolProfile(pool: ResolvedPool): NodePoolProfile;
  protected abstract capabilities(): ClusterCapabilities;

  /** Object stores pods can mount: only those whose CSI driver the cluster turns on. */
  protected objectStores(): readonly ObjectStoreFacts[] {
    return managedCloudFacts(this.cloud).objectStores;
  }

  /** The StorageClass of ReadWriteMany volumes the cluster sets up; `undefined` when it has none. */
  protected readWriteManyStorageClass(): string | undefined {
    return managedCloudFacts(this.cloud).readWriteManyStorageClass;
  }

  /** The shape of this cloud's pool options; GPU fields only on GPU pools. */
  protected poolShape(gpu: boolean): PropsShape {
    if (gpu) return POOL_SHAPE;
    const { accelerator, gpusPerNode, ...cpu } = POOL_SHAPE;
    return cpu;
  }

  private addPool(given: string, raw: NodePoolOptions | GpuPoolOptions, gpu: boolean): TPool {
    // A missing or taken id would be the constructs library's error, with no path: listed, and built under a placeholder.
    const idProblems = constructIdProblems(this, given);
    idProblems.forEach((p) => this.problems.add(p));
    const id = idProblems.length === 0 ? given : `invalid-pool-${this.resolved.length}`;
    // JavaScript callers and JSON config: the options' shape first, so nothing below reads a missing field.
    const options = propsToBuild<NodePoolOptions | GpuPoolOptions>((p) => this.problems.add(p), raw, this.poolShape(gpu),
      gpu ? ['accelerator', 'maxNodes'] : ['machineType', 'maxNodes'], poolPlaceholders(this.poolRules.machineTypeExample, gpu) as NodePoolOptions, `pool ${id}`);
    const accelerator = gpu ? (options as GpuPoolOptions).accelerator : undefined;
    const { pool, problems } = resolvePool(this.poolRules, id, options, accelerator);
    problems.forEach((p) => this.problems.add(p));
    this.resolved.push(pool);
    if (pool.accelerator && !this.placesPool(pool, options)) {
      this.problems.warn({
        code: 'GPU_POOL_ZONES_UNSET',
        message: `Pool "${pool.name}" may place ${pool.accelerator} nodes in any zone of the cluster, and not every zone has that GPU: scale-up fails in those that lack it.`,
        received: pool.accelerator.id,
        fix: 'list the zones that offer it (zones, or subnetIds on EKS).',
      });
    }
    return this.createPool(id, pool, options);
  }

  /** Whether the pool's options keep it to chosen zones. */
  protected placesPool(pool: ResolvedPool, _options: NodePoolOptions | GpuPoolOptions): boolean {
    return pool.zones !== undefined;
  }

  private duplicatePoolNames() {
    const seen = new Set<string>();
    return this.resolved.flatMap((pool) => {
      if (!seen.has(pool.name)) {
        seen.add(pool.name);
        return [];
      }
      return [{ code: 'POOL_NAME_DUPLICATE', message: `Two pools of cluster "${this.clusterName}" are named "${pool.name}".`, received: pool.name, fix: 'give each pool its own name.' }];
    });
  }
}

/** Where `synthPlatform` writes each cluster's profile, below the Terraform output directory. */
export const PROFILES_DIR = 'profiles';

/** The connection block the helm and kubernetes Terraform providers take. */
export interface KubernetesConnection {
  readonly host: string;
  readonly clusterCaCertificate: string;
  readonly exec: { readonly apiVersion: string; readonly command: string; readonly args: string[] };
}

/** A Helm release a cluster needs inside itself. */
export interface ClusterHelmRelease {
  readonly name: string;
  readonly chart: HelmChart;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/** The API version of the exec credential plugins the clouds ship. */
export const EXEC_CREDENTIAL_API = 'client.authentication.k8s.io/v1beta1';

const GATED = new WeakSet<TerraformStack>();

/**
 * cdktf validates and writes one stack at a time, so a problem in the second stack would surface
 * only after the first was written. The first stack in synth order (the earliest created, so it
 * exists once any cluster does) gets a gate that validates the whole app and throws the complete
 * list before any file is written; the stacks after it need not repeat that.
 */
function installSynthGate(scope: IConstruct): void {
  const root = scope.node.root;
  const first = root.node.findAll().find((c): c is TerraformStack => cdktf().TerraformStack.isStack(c));
  if (!first || GATED.has(first)) return;
  GATED.add(first);
  first.node.addValidation({
    validate: () => {
      if (!isCollectingValidationErrors()) assertValid(root);
      return [];
    },
  });
}
