import { DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * The constructs under `scope` in the order of cdk8s's `new DependencyGraph(scope.node).topology()`,
 * which `App.synth` uses to order charts and each chart's objects.
 *
 * The graph costs a vertex, two sets and a path string per construct, all alive until the order
 * is read, so a synth of tens of thousands of constructs moves them to the old generation of the
 * heap. With no dependency under `scope`, its order is `findAll()`'s, except where a construct's
 * path is an array index (a top-level id such as "0"): the graph keys its vertices by path in a
 * plain object, which lists such keys first. Then the graph is built.
 */
export function dependencyOrder(scope: IConstruct): IConstruct[] {
  const all = scope.node.findAll();
  const treeOrder = all.every((c) => c.node.dependencies.length === 0 && !(isTopLevel(c) && isArrayIndex(c.node.id)));
  return treeOrder ? all : new DependencyGraph(scope.node).topology();
}

/** A child of the root: the only constructs whose path is their id. */
function isTopLevel(c: IConstruct): boolean {
  return c.node.scope !== undefined && c.node.scope.node.scope === undefined;
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}
