import { ApiObject, App, Chart, JsonPatch, Yaml } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { shape } from '../../bench/shapes';
import { collectValidationErrors, Problems, synthPlatform } from '../../lib';
import { isPolicyKind } from '../../lib/policy/kubernetes-checks';
import { asOneValidationPass } from '../../lib/core/validation';

/**
 * How often synth renders each object, counted, never timed. cdk8s validates the whole app once
 * per chart it writes; the gate's rendering must not be repeated for each of those passes, and
 * the saving must never let a change made after a synth slip past the gate of the next one.
 */
function tenCharts() {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-render-count-')) });
  shape('charts-10').build(app, 10);
  const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  return { app, objects, deployment };
}

function countRenders(run: () => void): Map<ApiObject, number> {
  const counts = new Map<ApiObject, number>();
  const original = ApiObject.prototype.toJson;
  const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    counts.set(this, (counts.get(this) ?? 0) + 1);
    return original.call(this);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return counts;
}

const privileged = JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true);

describe('rendering per synth', () => {
  test('app.synth of ten charts renders every object once: the file holds the rendering the gate checked', () => {
    const { app, objects } = tenCharts();
    expect(app.charts).toHaveLength(10);
    const counts = countRenders(() => app.synth());
    const read = objects.filter((o) => isPolicyKind(o.kind));
    expect(read.length).toBeGreaterThan(50);
    expect(new Set(read.map((o) => counts.get(o)))).toEqual(new Set([1]));
    expect(new Set(objects.filter((o) => !isPolicyKind(o.kind)).map((o) => counts.get(o)))).toEqual(new Set([1]));
  });

  test('synthPlatform checks and writes in one pass: each object the gate reads is rendered once', () => {
    const { app, objects } = tenCharts();
    const counts = countRenders(() => synthPlatform({ kubernetes: app }));
    const read = objects.filter((o) => isPolicyKind(o.kind));
    expect(new Set(read.map((o) => counts.get(o)))).toEqual(new Set([1]));
  });

  test('synthYaml renders them as often as synth', () => {
    const { app, objects } = tenCharts();
    const counts = countRenders(() => app.synthYaml());
    expect(Math.max(...objects.map((o) => counts.get(o) ?? 0))).toBe(1);
  });

  test('a patch added after one synth is caught by the gate of the next synth', () => {
    const { app, deployment } = tenCharts();
    app.synth();
    deployment.addJsonPatch(privileged);
    expect(() => app.synth()).toThrow(/POLICY_POD_PRIVILEGED/);
  });

  test('a patch added after collectValidationErrors is caught when a chart is rendered on its own', () => {
    const { app, deployment } = tenCharts();
    expect(collectValidationErrors(app)).toEqual([]);
    deployment.addJsonPatch(privileged);
    expect(() => Chart.of(deployment).toJson()).toThrow(/POLICY_POD_PRIVILEGED/);
  });

  test('a patch added after one chart is rendered is caught when the next chart is rendered', () => {
    const { app, deployment } = tenCharts();
    const other = app.charts.find((c) => c !== Chart.of(deployment))!;
    other.toJson();
    deployment.addJsonPatch(privileged);
    expect(() => other.toJson()).toThrow(/POLICY_POD_PRIVILEGED/);
  });

  test('a check and a synth run as one pass (as synthPlatform does) render each gated object once', () => {
    const { app, objects } = tenCharts();
    const counts = countRenders(() => asOneValidationPass(app, () => {
      expect(collectValidationErrors(app)).toEqual([]);
      app.synth();
    }));
    expect(new Set(objects.filter((o) => isPolicyKind(o.kind)).map((o) => counts.get(o)))).toEqual(new Set([1]));
  });

  test('a change made after a synth is in the next synth\'s file and in a toJson() outside synth', () => {
    const { app, deployment } = tenCharts();
    app.synth();
    const label = JsonPatch.add('/metadata/labels/changed-after-synth', 'yes');
    deployment.addJsonPatch(label);
    expect(deployment.toJson().metadata.labels['changed-after-synth']).toBe('yes');
    expect(Chart.of(deployment).toJson().find((d: any) => d.kind === 'Deployment' && d.metadata.name === deployment.name).metadata.labels['changed-after-synth']).toBe('yes');
    app.synth();
    const file = fs.readdirSync(app.outdir).map((f) => fs.readFileSync(path.join(app.outdir, f), 'utf8')).join('\n');
    expect(file).toContain('changed-after-synth: "yes"');
  });

  test('a patch added after such a pass is caught by the next synth', () => {
    const { app, deployment } = tenCharts();
    asOneValidationPass(app, () => collectValidationErrors(app));
    deployment.addJsonPatch(privileged);
    expect(() => app.synth()).toThrow(/POLICY_POD_PRIVILEGED/);
    expect(collectValidationErrors(app).join('\n')).toMatch(/POLICY_POD_PRIVILEGED/);
  });

  test('a construct\'s deferred checks run once per app.synth, however many charts it writes', () => {
    const { app, deployment } = tenCharts();
    let runs = 0;
    Problems.of(deployment).addCheck(() => { runs++; return []; });
    app.synth();
    expect(runs).toBe(1);
  });

  test('app.synth walks the app once, not once more per chart: every validation of the tree runs once', () => {
    const { app, deployment } = tenCharts();
    let runs = 0;
    deployment.node.addValidation({ validate: () => { runs++; return []; } });
    app.synth();
    expect(runs).toBe(1);
    app.synthYaml();
    expect(runs).toBe(2);
  });

  test('outside synth, a chart\'s toJson still validates the app and renders afresh', () => {
    const { app, deployment } = tenCharts();
    app.synth();
    let runs = 0;
    deployment.node.addValidation({ validate: () => { runs++; return []; } });
    deployment.addJsonPatch(privileged);
    expect(() => Chart.of(deployment).toJson()).toThrow(/POLICY_POD_PRIVILEGED/);
    expect(runs).toBe(1);
  });

  test('a check whose answer changes after a synth fails the next synth', () => {
    const { app, deployment } = tenCharts();
    let broken = false;
    Problems.of(deployment).addCheck(() => (broken ? [{ code: 'LATE_PROBLEM', message: 'Found after the first synth.', received: 1, fix: 'none.' }] : []));
    app.synth();
    broken = true;
    expect(() => app.synth()).toThrow(/LATE_PROBLEM/);
  });

  test('an app kept after synth holds none of the renderings the synth wrote', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc: () => void = vm.runInNewContext('gc');
    const { app } = tenCharts();
    const written: object[] = [];
    // The documents the writer serializes are the renderings the gate checked.
    const stringify = jest.spyOn(Yaml, 'stringify').mockImplementation((...docs: any[]) => { written.push(...docs); return ''; });
    app.synth();
    stringify.mockRestore();
    expect(written.length).toBeGreaterThan(50);
    // splice empties the list, so only the app could still hold the documents.
    const refs = written.splice(0).map((doc) => new WeakRef(doc));
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    // The app is used after the collection, so it was alive during it.
    expect(app.charts).toHaveLength(10);
  });
});
