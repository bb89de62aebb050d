/**
 * The cluster side of the Kueue queues: one ResourceFlavor per accelerator and capacity type of the
 * cluster profile's pools, and the WorkloadPriorityClass of preemptible training.
 */
import { Construct } from 'constructs';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile, NodePoolProfile } from '../core/cluster-profile';
import { propsToBuild } from '../core/props-shape';
import { PREEMPTIBLE_QUEUE_PRIORITY } from '../core/queue-priority';
import { NodeLabels } from '../core/scheduling';
import { scopeDefaults } from '../core/scope-defaults';
import { Problems } from '../core/validation';
import * as kueue from '../imports/kueue.x-k8s.io';
import { kubeObject } from '../k8s/kube-object';

/** The flavor for CPU and memory: any node, so it never narrows where pods go. */
export const ANY_NODE_FLAVOR = 'any-node';

/** One ResourceFlavor: the pools of one accelerator and one capacity type. */
export interface QueueFlavor {
  readonly name: string;
  readonly accelerator: string;
  readonly spot: boolean;
  /** GPUs the pools of this flavor can ever hold. */
  readonly capacityGpus: number;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly nodeTaints: readonly { key: string; value?: string; effect: string }[];
}

/** The GPU flavors of a cluster, on-demand before spot, in pool order. */
export function queueFlavors(cluster: ClusterProfile): QueueFlavor[] {
  const groups = new Map<string, NodePoolProfile[]>();
  for (const pool of cluster.pools) {
    if (!pool.accelerator || pool.gpusPerNode === 0) continue;
    const name = `${pool.accelerator}-${pool.spot ? 'spot' : 'on-demand'}`;
    groups.set(name, [...(groups.get(name) ?? []), pool]);
  }
  const flavors = [...groups].map(([name, pools]): QueueFlavor => {
    // Only labels and taints every pool of the flavor carries: Kueue injects the labels as a node selector.
    const labels = Object.fromEntries([NodeLabels.ACCELERATOR, NodeLabels.CAPACITY]
      .map((key) => [key, pools[0].labels[key]] as const)
      .filter(([key, value]) => value !== undefined && pools.every((p) => p.labels[key] === value)));
    const taints = pools[0].taints.filter((t) => pools.every((p) => p.taints.some((u) => JSON.stringify(u) === JSON.stringify(t))));
    return {
      name,
      accelerator: pools[0].accelerator!,
      spot: pools[0].spot,
      capacityGpus: pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0),
      nodeLabels: labels,
      nodeTaints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
    };
  });
  return [...flavors.filter((f) => !f.spot), ...flavors.filter((f) => f.spot)];
}

/** A cluster with no pools, to build on after a recorded problem (nothing built from it is written). */
export const unknownCluster = () => new ClusterProfile({ cloud: 'unknown', name: 'unknown', kubernetesVersion: '1.33', pools: [], capabilities: { devicePluginRequired: false, managedGpuDrivers: false, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: false } });

/** Options of {@link QueueFlavors}. */
export interface QueueFlavorsProps {
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
}

/**
 * The cluster's ResourceFlavors and the WorkloadPriorityClass of preemptible training
 * (`PREEMPTIBLE_QUEUE_PRIORITY`), once per cluster, in its platform chart. Tenants with a `queue`
 * need them, and `ClusterAddons({ kueue: true })` installs the Kueue controller they feed.
 */
export class QueueFlavors extends Construct {
  public readonly cluster: ClusterProfile;
  public readonly flavors: readonly QueueFlavor[];

  constructor(scope: Construct, id: string, props: QueueFlavorsProps = {}) {
    checkConstructArguments('QueueFlavors', scope, id, IN_CHART);
    super(scope, id);
    props = propsToBuild((p) => Problems.of(this).add(p), props, { cluster: CLUSTER_PROFILE_SHAPE }, [], {});
    const cluster = props.cluster ?? scopeDefaults(this)?.cluster;
    if (!cluster) {
      Problems.of(this).add({ code: 'CLUSTER_MISSING', message: 'No cluster profile for the queue flavors.', received: undefined, fix: 'place QueueFlavors in ClusterCharts.platform, or pass `cluster`.' });
    }
    this.cluster = cluster ?? unknownCluster();
    this.flavors = queueFlavors(this.cluster);
    kubeObject(this, ANY_NODE_FLAVOR, kueue.ResourceFlavor.GVK, kueue.toJson_ResourceFlavorProps, { metadata: { name: ANY_NODE_FLAVOR }, spec: {} });
    for (const flavor of this.flavors) {
      kubeObject(this, flavor.name, kueue.ResourceFlavor.GVK, kueue.toJson_ResourceFlavorProps, {
        metadata: { name: flavor.name },
        spec: { nodeLabels: { ...flavor.nodeLabels }, nodeTaints: flavor.nodeTaints.length > 0 ? flavor.nodeTaints.map((t) => ({ ...t })) : undefined },
      });
    }
    kubeObject(this, 'priority-preemptible', kueue.WorkloadPriorityClass.GVK, kueue.toJson_WorkloadPriorityClassProps, {
      metadata: { name: PREEMPTIBLE_QUEUE_PRIORITY.name },
      value: PREEMPTIBLE_QUEUE_PRIORITY.value,
      description: PREEMPTIBLE_QUEUE_PRIORITY.description,
    });
  }
}
