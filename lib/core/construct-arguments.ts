import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { throwProblems } from './props-shape';
import { Problem } from './validation';

/** What must be above a construct for it to render: a cdk8s Chart, a cdktf TerraformStack. */
export interface ConstructContainer {
  /** Its name in a message, e.g. `cdk8s Chart`. */
  readonly name: string;
  /** Where to place the construct instead. */
  readonly fix: string;
  /** Whether `scope` is one, or is inside one. */
  has(scope: IConstruct): boolean;
}

/** The charts of ClusterCharts, where every Kubernetes-side construct goes. */
export const IN_CHART: ConstructContainer = {
  name: 'cdk8s Chart',
  fix: 'place it in a chart of ClusterCharts: charts.platform, or charts.tenant(name) for a tenant\'s objects.',
  has: (scope) => scope.node.scopes.some((s) => Chart.isChart(s)),
};

/** Problems with the id of a construct about to be added to `scope`: missing, not a string, or taken. */
export function constructIdProblems(scope: IConstruct, id: unknown): Problem[] {
  if (typeof id !== 'string' || id === '') {
    return [{ code: 'PROP_TYPE_INVALID', message: 'id must be a non-empty string.', received: id, fix: 'pass the construct\'s id, unique in its scope, before its props.' }];
  }
  if (scope.node.tryFindChild(id) !== undefined) {
    return [{ code: 'CONSTRUCT_ID_DUPLICATE', message: `id "${id}" is taken by another construct in ${scope.node.path || 'the app'}.`, received: id, fix: 'give each construct its own id in its scope.' }];
  }
  return [];
}

/**
 * The scope and id of a construct, checked before `super`: the constructs library's own errors
 * ("Only root constructs may have an empty ID", "There is already a Construct with name …") and
 * cdk8s's "cannot find a parent chart" name no path and no fix. Throws them as listed problems,
 * since without a scope there is nowhere to record one.
 */
export function checkConstructArguments(what: string, scope: unknown, id: unknown, container: ConstructContainer): void {
  const problems: Problem[] = [];
  if (!Construct.isConstruct(scope)) {
    problems.push({ code: 'PROP_TYPE_INVALID', message: 'scope must be a construct.', received: scope, fix: container.fix });
    if (typeof id !== 'string' || id === '') problems.push(...constructIdProblems(scope as never, id));
  } else {
    if (!container.has(scope)) problems.push({ code: 'SCOPE_INVALID', message: `scope must be a ${container.name} or inside one.`, received: scope, fix: container.fix });
    problems.push(...constructIdProblems(scope, id));
  }
  const at = Construct.isConstruct(scope) && typeof id === 'string' ? ` ${[scope.node.path, id].filter(Boolean).join('/')}` : '';
  throwProblems(`new ${what}${at}`, problems);
}
