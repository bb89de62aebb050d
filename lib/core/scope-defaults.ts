import { IConstruct } from 'constructs';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from './cluster-profile';
import { interned } from './interned';
import { checkName, DNS_LABEL } from './names';
import { assertScope, shapeProblems, throwProblems } from './props-shape';
import { Problems } from './validation';

/** Facts a chart states once for every construct placed in it. */
export interface ScopeDefaults {
  readonly cluster: ClusterProfile;
  /** @default - none: constructs name their namespace */
  readonly namespace?: string;
}

const DEFAULTS = new WeakMap<IConstruct, ScopeDefaults>();

/** Makes `cluster` (and `namespace`) the default of every construct below `scope`. */
export function setScopeDefaults(scope: IConstruct, defaults: ScopeDefaults): void {
  assertScope('setScopeDefaults', scope);
  const shape = shapeProblems(defaults, { cluster: CLUSTER_PROFILE_SHAPE, namespace: 'string' }, ['cluster'], 'defaults');
  throwProblems('setScopeDefaults', shape.length > 0 || defaults.namespace === undefined ? shape : checkName(defaults.namespace, DNS_LABEL, 'NAMESPACE_INVALID'));
  DEFAULTS.set(scope, defaults);
}

/** The nearest defaults above `scope`, if a chart set any. */
export function scopeDefaults(scope: IConstruct): ScopeDefaults | undefined {
  assertScope('scopeDefaults', scope);
  const scopes = scope.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = DEFAULTS.get(scopes[i]);
    if (found) return found;
  }
  return undefined;
}

/** A placeholder profile, so a construct missing its cluster records the problem instead of crashing. */
const NO_CLUSTER = new ClusterProfile({
  cloud: 'unknown',
  name: 'unknown',
  kubernetesVersion: '1.33',
  pools: [],
  capabilities: { devicePluginRequired: false, managedGpuDrivers: false, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: false },
});

/**
 * The cluster and namespace of a workload: its own props first, then its chart's defaults. A missing
 * one is recorded as a problem, and a placeholder keeps construction going. Workload kinds written
 * outside the library use it too.
 */
export function resolveWorkloadScope(
  scope: IConstruct,
  props: { readonly cluster?: ClusterProfile; readonly namespace?: string },
  problems: Problems,
): { cluster: ClusterProfile; namespace: string } {
  // Called from a custom workload's constructor: a JavaScript caller's mistake is listed, not a TypeError.
  assertScope('resolveWorkloadScope', scope);
  throwProblems('resolveWorkloadScope', [
    ...(typeof props !== 'object' || props === null ? [{ code: 'PROP_TYPE_INVALID', message: 'props must be the workload\'s props object.', received: props, fix: 'pass the props the workload was given ({} when it has none).' }] : []),
    ...(problems instanceof Problems ? [] : [{ code: 'PROP_TYPE_INVALID', message: 'problems must be the workload\'s Problems.', received: problems, fix: 'pass Problems.of(this).' }]),
  ]);
  const defaults = scopeDefaults(scope);
  const cluster = props.cluster ?? defaults?.cluster;
  const namespace = props.namespace ?? defaults?.namespace;
  if (!(cluster instanceof ClusterProfile)) {
    problems.add({
      code: 'CLUSTER_MISSING',
      message: 'No cluster profile: the construct is not in a ClusterCharts chart and has no `cluster` prop.',
      received: cluster,
      fix: 'place it in ClusterCharts.tenant(...) or .platform, or pass `cluster: <ClusterProfile>`.',
    });
  }
  if (typeof namespace !== 'string') {
    problems.add({
      code: 'NAMESPACE_MISSING',
      message: 'No namespace: the construct is not in a tenant chart and has no `namespace` prop.',
      received: namespace,
      fix: 'place it in ClusterCharts.tenant(name), or pass `namespace`.',
    });
  }
  return { cluster: cluster instanceof ClusterProfile ? cluster : NO_CLUSTER, namespace: typeof namespace === 'string' ? interned(namespace) : 'default' };
}
