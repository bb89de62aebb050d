import { Construct, IConstruct } from 'constructs';

/** One thing wrong with the input of a construct, reported at synth. */
export interface Problem {
  /** Stable identifier, e.g. `POOL_MIN_GT_MAX`; safe to match on in tooling. */
  readonly code: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** The value that was received. */
  readonly received: unknown;
  /** How to fix it. */
  readonly fix: string;
}

/** Renders a problem as one line; the construct path is prefixed by the synthesizer. */
export function formatProblem(problem: Problem): string {
  return `${problem.code}: ${problem.message} Received: ${formatReceived(problem.received)}. Fix: ${problem.fix}`;
}

/**
 * A received value as JSON, except where JSON would hide it: a value not set, NaN and the
 * infinities (JSON writes `null`), functions, class instances with cycles (a construct passed as a prop).
 * @internal
 */
export function formatReceived(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  try {
    const text = JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? `<${v}>` : v));
    return text.replace(/"<(NaN|Infinity|-Infinity)>"/g, '$1');
  } catch {
    const name = (value as object).constructor?.name;
    return name ? `a ${name}` : String(value);
  }
}

/**
 * Collects the problems of one construct and reports them all when the app is
 * validated, so the user sees every mistake in one run instead of one per run.
 */
export class Problems {
  /** The problem collector of `scope`, created on first use. */
  public static of(scope: IConstruct): Problems {
    assertScope('Problems.of', scope);
    let problems = PROBLEMS.get(scope);
    if (!problems) {
      problems = new Problems();
      PROBLEMS.set(scope, problems);
      const owned = problems;
      // cdk8s validates the whole app once more per chart it writes; the checks run once per pass.
      scope.node.addValidation({ validate: () => owned.allThisPass(scope).map(formatProblem) });
    }
    return problems;
  }

  private readonly found: Problem[] = [];
  private readonly checks: Array<() => Problem[]> = [];
  private readonly foundWarnings: Problem[] = [];
  private readonly warningChecks: Array<() => Problem[]> = [];

  private constructor() {}

  /** Whether `scope` or a construct above it recorded a problem while constructing. */
  public static recordedAbove(scope: IConstruct): boolean {
    assertScope('Problems.recordedAbove', scope);
    return scope.node.scopes.some((s) => (PROBLEMS.get(s)?.found.length ?? 0) > 0);
  }

  /** Records a problem found while constructing. */
  public add(problem: Problem): void {
    checkProblem('Problems.add', problem);
    this.found.push(problem);
  }

  /** Records something worth a look that does not stop synth. */
  public warn(problem: Problem): void {
    checkProblem('Problems.warn', problem);
    this.foundWarnings.push(problem);
  }

  /** Records a check for warnings that runs when warnings are collected. */
  public addWarningCheck(check: () => Problem[]): void {
    checkFunction('Problems.addWarningCheck', check);
    this.warningChecks.push(listedOnly(check));
  }

  /** Findings that do not stop synth but that the user should read. */
  public get warnings(): Problem[] {
    return [...this.foundWarnings, ...this.warningChecks.flatMap((check) => check())];
  }

  /** Records a check that runs at validation time, for rules that span objects added later. */
  public addCheck(check: () => Problem[]): void {
    checkFunction('Problems.addCheck', check);
    this.checks.push(listedOnly(check));
  }

  /** Every problem: those recorded plus those the deferred checks find now. */
  public all(): Problem[] {
    return [...this.found, ...this.checks.flatMap((check) => check())];
  }

  /**
   * As `all()`, with the deferred checks run once per validation pass of `scope`'s app (cdk8s
   * validates the whole app once more for every chart it writes); recorded problems are always new.
   */
  private allThisPass(scope: IConstruct): Problem[] {
    if (this.checks.length === 0) return [...this.found];
    const checked = perValidationPass(scope, 'checks', () => new Map<Problems, Problem[]>());
    let found = checked.get(this);
    if (!found) {
      found = this.checks.flatMap((check) => check());
      checked.set(this, found);
    }
    return [...this.found, ...found];
  }
}

const PROBLEMS = new WeakMap<IConstruct, Problems>();

// What the synthesizer can list (and tooling match on): a code, a sentence, and a fix.
const CODE = /^[A-Z][A-Z0-9_]+$/;

function malformed(problem: unknown): string | undefined {
  if (typeof problem !== 'object' || problem === null) return 'a problem is an object { code, message, received, fix }';
  const { code, message, fix } = problem as Record<string, unknown>;
  if (typeof code !== 'string' || !CODE.test(code)) return 'its code must be upper-case letters, digits and "_", such as POOL_MIN_GT_MAX';
  if (typeof message !== 'string' || message.trim() === '') return 'its message must say what is wrong';
  if (typeof fix !== 'string' || fix.trim() === '') return 'its fix must say how to fix it';
  return undefined;
}

function invalidProblem(problem: unknown, reason: string): Problem {
  return { code: 'PROBLEM_INVALID', message: `A check recorded a malformed problem: ${reason}.`, received: problem, fix: 'record problems as { code, message, received, fix }.' };
}

/** A custom check's problem that could not be listed (it crashed synth, or printed "undefined") is thrown where it is recorded. */
function checkProblem(where: string, problem: unknown): void {
  const reason = malformed(problem);
  if (reason) throwProblems(where, [invalidProblem(problem, reason)]);
}

function checkFunction(where: string, check: unknown): void {
  if (typeof check !== 'function') {
    throwProblems(where, [{ code: 'PROP_TYPE_INVALID', message: 'check must be a function returning problems.', received: check, fix: 'pass () => Problem[].' }]);
  }
}

/** Deferred checks run at synth, far from the code that added them: a malformed result is listed there, not a crash. */
function listedOnly(check: () => Problem[]): () => Problem[] {
  return () => {
    const found: unknown = check();
    if (!Array.isArray(found)) return [invalidProblem(found, 'a check returns an array of problems')];
    return found.map((p) => {
      const reason = malformed(p);
      return reason ? invalidProblem(p, reason) : p as Problem;
    });
  };
}


/**
 * Every validation error in the tree below `root`, each prefixed with its construct path.
 * This is what the synth gates report.
 */
export function collectValidationErrors(root: IConstruct): string[] {
  assertScope('collectValidationErrors', root);
  collecting++;
  try {
    return asOneValidationPass(root, () => root.node.findAll().flatMap((c) => c.node.validate().map((error) => `[${c.node.path}] ${error}`)));
  } finally {
    collecting--;
  }
}

let collecting = 0;

/**
 * True while {@link collectValidationErrors} runs; whole-app gates stay quiet then, since it covers them.
 * @internal
 */
export function isCollectingValidationErrors(): boolean {
  return collecting > 0;
}

/** Every warning below `root`, each prefixed with its construct path. */
export function collectWarnings(root: IConstruct): string[] {
  assertScope('collectWarnings', root);
  return asOneValidationPass(root, () => root.node.findAll().flatMap((c) => (PROBLEMS.get(c)?.warnings ?? []).map((w) => `[${c.node.path}] ${formatProblem(w)}`)));
}

const PASS_VALUES = new WeakMap<IConstruct, Map<string, unknown>>();

/**
 * A value of the whole app `scope` belongs to, computed at most once per validation pass, for
 * checks that would otherwise each walk the tree (which made synth quadratic). The values are
 * dropped where a pass starts (every validation visits the root first) and where a pass of
 * {@link asOneValidationPass} ends.
 * @internal
 */
export function perValidationPass<T>(scope: IConstruct, key: string, compute: (root: IConstruct) => T): T {
  const root = rootOf(scope);
  let values = PASS_VALUES.get(root);
  if (!values) {
    const fresh = new Map<string, unknown>();
    PASS_VALUES.set(root, fresh);
    root.node.addValidation({
      validate: () => {
        if (fresh.size > 0 && !UNCHANGED.has(root)) fresh.clear();
        return [];
      },
    });
    values = fresh;
  }
  let value = values.get(key);
  if (value === undefined && !values.has(key)) {
    value = compute(root);
    values.set(key, value);
  }
  return value as T;
}

/**
 * Every construct of the app `scope` belongs to, in `findAll` order, from one walk per validation
 * pass shared by the checks that index the whole app.
 * @internal
 */
export function constructsOfApp(scope: IConstruct): readonly IConstruct[] {
  return perValidationPass(scope, 'constructs', (root) => root.node.findAll());
}

/**
 * `scope.node.root`, without the array of every scope that `node.root` builds on each call (it is
 * asked once per object and check in every validation pass).
 * @internal
 */
export function rootOf(scope: IConstruct): IConstruct {
  let root = scope;
  for (let above = root.node.scope; above !== undefined; above = above.node.scope) root = above;
  return root;
}

const UNCHANGED = new WeakSet<IConstruct>();

/**
 * Runs `steps` (validations and syntheses of the app of `scope`, nothing that changes it) as one
 * pass: what the first validation computes serves the later ones, e.g. `synthPlatform`'s own
 * check and then `app.synth()`. The values are dropped when the outermost pass ends, so that an app
 * kept after synth holds no second copy of its documents, and a read after a change to the app
 * computes them afresh.
 * @internal
 */
export function asOneValidationPass<T>(scope: IConstruct, steps: () => T): T {
  const root = rootOf(scope);
  if (UNCHANGED.has(root)) return steps();
  PASS_VALUES.get(root)?.clear();
  UNCHANGED.add(root);
  try {
    return steps();
  } finally {
    UNCHANGED.delete(root);
    PASS_VALUES.get(root)?.clear();
  }
}

/** Thrown when an app has problems; the message lists every one. */
export class ValidationError extends Error {
  constructor(public readonly errors: readonly string[]) {
    super(`Validation failed with ${errors.length} problem(s):\n  ${errors.join('\n  ')}`);
    this.name = 'ValidationError';
  }
}

/** Throws a {@link ValidationError} listing every problem below `root`, if there is any. */
export function assertValid(root: IConstruct): void {
  const errors = collectValidationErrors(root);
  if (errors.length > 0) {
    throw new ValidationError(errors);
  }
}

/**
 * For functions that run outside a construct tree (factories, registries): throws the problems as
 * a ValidationError, each with `where` as its path, so a JavaScript caller's mistake is
 * listed like any other instead of surfacing later as a TypeError.
 */
export function throwProblems(where: string, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new ValidationError(problems.map((p) => `[${where}] ${formatProblem(p)}`));
}

/** A ValidationError unless `scope` is a construct: without one there is nowhere to record a problem. */
export function assertScope(where: string, scope: unknown): asserts scope is IConstruct {
  if (!Construct.isConstruct(scope)) {
    throwProblems(where, [{ code: 'PROP_TYPE_INVALID', message: 'scope must be a construct.', received: scope, fix: 'pass the construct (chart, stack, tenant, workload) this applies to.' }]);
  }
}
