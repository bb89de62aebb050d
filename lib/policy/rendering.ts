import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { asOneValidationPass, perValidationPass, rootOf } from '../core/validation';
import { dependencyOrder } from './dependency-order';
import { withYamlInChunks } from './yaml-in-chunks';

/**
 * One rendering of each object the policy gate reads, per synth: the gate checks it, and the
 * writer of the same `App.synth` writes that JSON instead of rendering the object again. Rendering
 * is most of what synth costs besides YAML, and the files are then exactly what the gate checked.
 *
 * The writer uses a rendering only while the app's own `synth` or `synthYaml` runs, where cdk8s
 * runs no user code between validating and writing; any other `toJson()` call renders afresh.
 */

const SYNTHESIZING = new WeakSet<IConstruct>();
const WRAPPED = new WeakSet<IConstruct>();
const SHARED = new WeakSet<ApiObject>();

/** The rendering of `object` for this validation pass, made once. */
export function renderOnce(object: ApiObject): any {
  shareRendering(object);
  const renderings = perValidationPass(object, 'renderings', () => new Map<ApiObject, any>());
  let json = renderings.get(object);
  if (json === undefined) {
    json = Object.getPrototypeOf(object).toJson.call(object);
    renderings.set(object, json);
  }
  return json;
}

/** Lets the writer of the app's synth take the gate's rendering of `object`. */
function shareRendering(object: ApiObject): void {
  if (SHARED.has(object)) return;
  SHARED.add(object);
  // Own property, so a subclass's toJson (the generated classes override it) still renders.
  Object.defineProperty(object, 'toJson', { configurable: true, writable: true, value: toJsonSharingRendering });
}

// One function for every object, instead of a closure and its context per object.
function toJsonSharingRendering(this: ApiObject): any {
  return SYNTHESIZING.has(rootOf(this)) ? renderOnce(this) : Object.getPrototypeOf(this).toJson.call(this);
}

/**
 * A chart's objects in dependency order, as `Chart.toJson` renders them, without what
 * `Chart.toJson` does first: resolve the whole app's dependencies and validate the whole app.
 * Inside `App.synth` and `App.synthYaml` both were just done for the app, and repeating them for
 * every chart made synth grow with charts × constructs.
 */
function renderChart(chart: Chart): any[] {
  return dependencyOrder(chart)
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.toJson());
}

/**
 * Marks the time `root.synth()` or `root.synthYaml()` runs; while it does, charts and their
 * objects are ordered without cdk8s's dependency graph where nothing depends on anything, and the
 * chart files are written in chunks. The gate calls it when it is installed.
 */
export function markSynthesis(root: IConstruct): void {
  if (WRAPPED.has(root) || !(root instanceof App)) return;
  WRAPPED.add(root);
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = (root as any)[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(root, method, {
      configurable: true,
      writable: true,
      value: function synthesizing(this: App, ...args: unknown[]) {
        if (SYNTHESIZING.has(root)) return original.apply(this, args);
        SYNTHESIZING.add(root);
        const charts = root.node.findAll().filter((c): c is Chart => Chart.isChart(c));
        for (const chart of charts) Object.defineProperty(chart, 'toJson', { configurable: true, writable: true, value: () => renderChart(chart) });
        Object.defineProperty(root, 'charts', { configurable: true, get: () => dependencyOrder(root).filter(Chart.isChart) });
        try {
          return asOneValidationPass(root, () => withYamlInChunks(() => original.apply(this, args)));
        } finally {
          for (const chart of charts) delete (chart as { toJson?: unknown }).toJson;
          delete (root as { charts?: unknown }).charts;
          SYNTHESIZING.delete(root);
        }
      },
    });
  }
}
