import { ApiObject, Chart } from 'cdk8s';
// Types only: a Kubernetes-only program never loads cdktf (about two thirds of the library's import).
import type { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { appendTo } from '../core/append-to';
import { assertScope } from '../core/props-shape';
import { constructsOfApp, formatProblem, perValidationPass, Problem, Problems, rootOf } from '../core/validation';
import { Finding, isPolicyKind, kubernetesFindings, Manifest } from './kubernetes-checks';
import { markSynthesis, renderOnce } from './rendering';
import { POLICY_RULES, PolicyRuleId } from './rules';
import { terraformFindings } from './terraform-checks';

/**
 * The policy gate: at synth it checks the final output (after every JSON patch and override)
 * against POLICY_RULES. A finding is a synth error, unless its rule is a warning or the finding
 * sits below a construct that waives the rule with a written reason.
 */

const WAIVERS = new WeakMap<IConstruct, Map<PolicyRuleId, string>>();

/** Waives `rule` for everything at and below `scope`. The reason is shown in every synth summary. */
export function waivePolicy(scope: IConstruct, rule: PolicyRuleId, reason: string): void {
  assertScope('waivePolicy', scope);
  if (typeof rule !== 'string' || !(rule in POLICY_RULES)) {
    Problems.of(scope).add({ code: 'WAIVER_RULE_UNKNOWN', message: 'A waiver names a rule the gate does not have.', received: rule, fix: `use one of ${Object.keys(POLICY_RULES).join(', ')}.` });
  }
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    Problems.of(scope).add({ code: 'WAIVER_REASON_MISSING', message: `The waiver of ${rule} gives no real reason.`, received: reason, fix: 'say in a sentence why this exception is safe.' });
  }
  if (!WAIVERS.has(scope)) WAIVERS.set(scope, new Map());
  WAIVERS.get(scope)!.set(rule, reason);
}

function waiverFor(construct: IConstruct, rule: PolicyRuleId): { scope: IConstruct; reason: string } | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const reason = WAIVERS.get(scope)?.get(rule);
    if (reason !== undefined) return { scope, reason };
  }
  return undefined;
}

function toProblem(f: Finding): Problem {
  const rule: { title: string; rationale: string; fix: string } = POLICY_RULES[f.rule];
  return {
    code: `POLICY_${f.rule}`,
    message: `${f.subject} (${f.path}): ${f.detail}. ${rule.title}: ${rule.rationale}`,
    received: f.received,
    fix: `${f.fix ?? rule.fix} If this exception is intended, waivePolicy(scope, '${f.rule}', '<reason>').`,
  };
}

/** What one evaluation found, sorted by the construct that reports it. */
interface Outcome {
  readonly errors: Map<IConstruct, Problem[]>;
  readonly warnings: Map<IConstruct, Problem[]>;
  /** `RULE at path: reason` for each waiver that took effect. */
  readonly waived: string[];
}

function sortFindings(findings: ReadonlyArray<{ finding: Finding; source: IConstruct; owner: IConstruct }>): Outcome {
  const outcome: Outcome = { errors: new Map(), warnings: new Map(), waived: [] };
  for (const { finding, source, owner } of findings) {
    // A construct that already refused its input has said what is wrong; the gate would repeat it.
    if (Problems.recordedAbove(source)) continue;
    const waiver = waiverFor(source, finding.rule);
    if (waiver) {
      outcome.waived.push(`${finding.rule} at ${finding.path}: ${waiver.reason}`);
      continue;
    }
    const bucket = POLICY_RULES[finding.rule].severity === 'error' ? outcome.errors : outcome.warnings;
    bucket.set(owner, [...(bucket.get(owner) ?? []), toProblem(finding)]);
  }
  outcome.waived.sort();
  return outcome;
}

// The Terraform outcome of each stack, from its latest validation; Kubernetes ones are per pass.
const OUTCOMES = new WeakMap<IConstruct, Outcome>();
const GATED = new WeakSet<IConstruct>();
/** Apps with charts under the gate. */
const CHARTS_GATED = new WeakSet<IConstruct>();

// Objects of different clusters share an app: namespaces, budgets and accounts are matched per cluster.
const CHART_CLUSTER = new WeakMap<Chart, string>();

function kubernetesOutcome(scope: IConstruct): Outcome {
  return perValidationPass(scope, 'policy-gate', (root) => {
    const byPath = new Map<string, ApiObject>();
    const byCluster = new Map<string, Manifest[]>();
    for (const o of constructsOfApp(root)) {
      if (!(o instanceof ApiObject) || !isPolicyKind(o.kind)) continue;
      const path = o.node.path;
      byPath.set(path, o);
      const cluster = CHART_CLUSTER.get(Chart.of(o)) ?? '';
      appendTo(byCluster, cluster, { doc: renderOnce(o), path });
    }
    const findings = [...byCluster.values()].flatMap((group) => kubernetesFindings(group));
    return sortFindings(findings.map((finding) => {
      const source = byPath.get(finding.path)!;
      return { finding, source, owner: Chart.of(source) };
    }));
  });
}

function errorsOf(outcome: Outcome, owner: IConstruct): string[] {
  return (outcome.errors.get(owner) ?? []).map(formatProblem);
}

/**
 * Puts every chart of the app of `scope` under the gate, and records that the chart of `scope`
 * describes `clusterName`. Library constructs call it, so the gate is on by default.
 * @internal
 */
export function installKubernetesGate(scope: IConstruct, clusterName: string): void {
  const chart = Chart.of(scope);
  const assigned = CHART_CLUSTER.get(chart);
  if (assigned === undefined) CHART_CLUSTER.set(chart, clusterName);
  else if (assigned !== clusterName) {
    Problems.of(scope).add({ code: 'CHART_SPANS_CLUSTERS', message: `Chart ${chart.node.path} holds objects for clusters "${assigned}" and "${clusterName}", which would land in one file.`, received: clusterName, fix: 'use one chart per cluster, e.g. with ClusterCharts.' });
  }
  const root = rootOf(scope);
  if (!CHARTS_GATED.has(root)) {
    // Charts made after the last library construct (or never seen by one) answer here, at the root,
    // so the gate covers the whole app whatever the construction order.
    perValidationPass(root, 'policy-gate-root', () => undefined);
    markSynthesis(root);
    root.node.addValidation({ validate: () => ungatedErrors(kubernetesOutcome(root)) });
  }
  CHARTS_GATED.add(root);
  // Charts are the app's children (and the scope's own chart); walking the whole tree per construct made construction quadratic.
  for (const each of new Set([chart, ...root.node.children.filter((c): c is Chart => Chart.isChart(c))])) {
    if (GATED.has(each)) continue;
    GATED.add(each);
    each.node.addValidation({ validate: () => errorsOf(kubernetesOutcome(root), each) });
    Problems.of(each).addWarningCheck(() => kubernetesOutcome(root).warnings.get(each) ?? []);
  }
}

/** Findings on objects of charts that have no gate of their own, with the chart named. */
function ungatedErrors(outcome: Outcome): string[] {
  return [...outcome.errors.keys()].filter((owner) => !GATED.has(owner)).flatMap((owner) => errorsOf(outcome, owner).map((e) => `(chart ${owner.node.path}) ${e}`));
}

/**
 * Puts a Terraform stack under the gate; the cluster constructs call it.
 * @internal
 */
export function installTerraformGate(stack: TerraformStack): void {
  if (GATED.has(stack)) return;
  GATED.add(stack);
  const evaluate = () => {
    const paths = new Map(stack.node.findAll().map((c) => [c.node.path, c]));
    const outcome = sortFindings(terraformFindings(stack.toTerraform()).map((finding) => ({ finding, source: paths.get(finding.path) ?? stack, owner: stack })));
    OUTCOMES.set(stack, outcome);
    return outcome;
  };
  stack.node.addValidation({ validate: () => errorsOf(evaluate(), stack) });
  Problems.of(stack).addWarningCheck(() => (OUTCOMES.get(stack) ?? evaluate()).warnings.get(stack) ?? []);
}

/** The waivers that took effect in the last validation of the app of `scope`. */
export function collectWaivers(scope: IConstruct): string[] {
  const root = scope.node.root;
  const stacks = root.node.findAll().filter((c) => OUTCOMES.has(c));
  const kubernetes = CHARTS_GATED.has(root) ? kubernetesOutcome(root).waived : [];
  return [...new Set([...kubernetes, ...stacks.flatMap((s) => OUTCOMES.get(s)?.waived ?? [])])].sort();
}
