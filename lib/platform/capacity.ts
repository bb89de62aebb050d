import { IConstruct } from 'constructs';
import { ClusterProfile } from '../core/cluster-profile';
import { Problem } from '../core/validation';
import { appIndex } from '../core/workload';

/** What the capacity checks read of a tenant. */
export interface TenantLike extends IConstruct {
  readonly name: string;
  readonly cluster: ClusterProfile;
  readonly gpuQuota: number;
}

/**
 * Training jobs and serving stacks in the tenant's namespace whose fixed GPU demand exceeds its quota.
 * @internal
 */
export function tenantGpuProblems(tenant: TenantLike): Problem[] {
  // Queued jobs hold GPUs only once Kueue admits them against the queue: the queue checks those.
  const workloads = (appIndex(tenant).workloadsIn.get(tenant.name) ?? [])
    .filter((w) => w.clusterName === tenant.cluster.name && w.fixedGpuDemand() > 0 && (w as { queueName?: string }).queueName === undefined);
  const demand = workloads.reduce((sum, w) => sum + w.fixedGpuDemand(), 0);
  if (demand <= tenant.gpuQuota) return [];
  return [{
    code: 'TENANT_GPU_QUOTA_EXCEEDED',
    message: `Workloads of tenant "${tenant.name}" hold ${demand} GPUs at once (${workloads.map((w) => `${w.name}: ${w.fixedGpuDemand()}`).join(', ')}), but its quota allows ${tenant.gpuQuota}; the excess pods would be refused.`,
    received: demand,
    fix: `raise quota.gpus of tenant "${tenant.name}" to at least ${demand}, or shrink those workloads.`,
  }];
}

/**
 * A warning when the tenants of a cluster are promised more GPUs than its pools can ever hold.
 * @internal
 */
export function gpuOvercommitWarnings(scope: IConstruct, cluster: ClusterProfile): Problem[] {
  const tenants = scope.node.root.node.findAll()
    .filter((c): c is TenantLike => typeof (c as Partial<TenantLike>).gpuQuota === 'number' && (c as Partial<TenantLike>).cluster?.name === cluster.name);
  const promised = tenants.reduce((sum, t) => sum + t.gpuQuota, 0);
  const capacity = cluster.pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
  if (promised <= capacity) return [];
  return [{
    code: 'GPU_QUOTA_OVERCOMMITTED',
    message: `Tenants of cluster "${cluster.name}" may request ${promised} GPUs (${tenants.map((t) => `${t.name}: ${t.gpuQuota}`).join(', ')}), but its pools hold at most ${capacity} (${cluster.pools.filter((p) => p.gpusPerNode > 0).map((p) => `${p.name}: ${p.maxNodes} × ${p.gpusPerNode}`).join(', ')}); some requests will wait.`,
    received: promised,
    fix: 'lower tenant GPU quotas or raise maxNodes of the GPU pools, if waiting is not intended.',
  }];
}
