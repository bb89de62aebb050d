import type { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { Construct } from 'constructs';
import { aws } from './bindings';
import type { ResolvedPool } from './node-pool';

const AUTOSCALER_TEMPLATE = 'k8s.io/cluster-autoscaler/node-template';

/**
 * An empty group has no node to copy labels, taints and GPUs from; the cluster autoscaler reads
 * them from these tags on the Auto Scaling group instead.
 */
export function tagForScaleFromZero(scope: Construct, id: string, group: EksNodeGroup, pool: ResolvedPool): void {
  const { AutoscalingGroupTag } = aws();
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(pool.labels)) tags[`${AUTOSCALER_TEMPLATE}/label/${key}`] = value;
  for (const taint of pool.taints) tags[`${AUTOSCALER_TEMPLATE}/taint/${taint.key}`] = `${taint.value ?? ''}:${taint.effect}`;
  if (pool.accelerator) tags[`${AUTOSCALER_TEMPLATE}/resources/nvidia.com/gpu`] = String(pool.gpusPerNode);
  const asgName = group.resources.get(0).autoscalingGroups.get(0).name;
  // Keyed by tag key, not position: adding a label must not rewrite the tags after it.
  Object.entries(tags).forEach(([key, value]) => {
    new AutoscalingGroupTag(scope, `${id}-tag-${tagId(key)}`, {
      autoscalingGroupName: asgName,
      tag: { key, value, propagateAtLaunch: false },
    });
  });
}

/** A construct id from a tag key: `/` and `.` are not allowed in ids, and distinct keys stay distinct. */
function tagId(key: string): string {
  return key.replace(AUTOSCALER_TEMPLATE + '/', '').replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
