/**
 * What a tenant's ClusterQueue may admit without its pods being refused by the tenant's
 * ResourceQuota, which counts every pod of the namespace: queued jobs, and serving outside queues.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { appendTo } from '../core/append-to';
import { parseQuantity } from '../core/quantities';
import { scopeDefaults } from '../core/scope-defaults';
import { constructsOfApp, perValidationPass } from '../core/validation';

const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/**
 * Requests (by resource, in base units) that Deployments of `namespace` on cluster `clusterName`
 * may hold at their largest: replicas, or their HorizontalPodAutoscaler's maxReplicas. Read from
 * the objects, at synth. Objects outside ClusterCharts count for every cluster.
 */
export function requestsOutsideQueues(root: IConstruct, clusterName: string, namespace: string): Map<string, number> {
  const onCluster = (c: IConstruct) => { const cluster = scopeDefaults(c)?.cluster; return cluster === undefined || cluster.name === clusterName; };
  const objects = (objectsByNamespace(root).get(namespace) ?? []).filter(onCluster);
  const maxReplicas = new Map(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => {
    const spec = o.toJson().spec;
    return [spec.scaleTargetRef.name as string, spec.maxReplicas as number];
  }));
  const requests = new Map<string, number>();
  for (const deployment of objects.filter((o) => o.kind === 'Deployment' && o.metadata.getLabel(QUEUE_LABEL) === undefined)) {
    const spec = deployment.toJson().spec;
    const replicas = maxReplicas.get(deployment.name) ?? spec.replicas ?? 1;
    for (const container of spec.template.spec.containers ?? []) {
      for (const [resource, value] of Object.entries<string | number>(container.resources?.requests ?? {})) {
        requests.set(resource, (requests.get(resource) ?? 0) + replicas * (parseQuantity(String(value)) ?? 0));
      }
    }
  }
  return requests;
}

// Every tenant queue asks for its namespace: one walk of the app per validation pass, not one per queue.
function objectsByNamespace(root: IConstruct): ReadonlyMap<string | undefined, readonly ApiObject[]> {
  return perValidationPass(root, 'objects-by-namespace', () => {
    const byNamespace = new Map<string | undefined, ApiObject[]>();
    for (const c of constructsOfApp(root)) {
      if (!(c instanceof ApiObject)) continue;
      appendTo(byNamespace, c.metadata.namespace, c);
    }
    return byNamespace;
  });
}

/** `quota` less what is held outside the queues, as a quantity Kueue reads (CPU in millicores, memory in MiB). */
export function queueShare(resource: 'cpu' | 'memory', quota: string, outside: number): string {
  const left = Math.max(0, (parseQuantity(quota) ?? 0) - outside);
  return resource === 'cpu' ? `${Math.floor(left * 1000)}m` : `${Math.floor(left / 2 ** 20)}Mi`;
}

/**
 * GPUs a tenant's queue may borrow on each flavor, in flavor order (on-demand first): together
 * never more than the ResourceQuota leaves after the nominal quotas and the namespace's serving,
 * and on each flavor never more than the other queues of the cohort could lend there.
 */
export function splitBorrowing(budget: number, flavors: ReadonlyArray<{ readonly nominal: number; readonly cohortNominal: number }>): number[] {
  let left = Math.max(0, budget);
  return flavors.map((f) => {
    const limit = Math.min(left, Math.max(0, f.cohortNominal - f.nominal));
    left -= limit;
    return limit;
  });
}
