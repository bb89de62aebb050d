import { ApiObject, App, Yaml } from 'cdk8s';
import { buildScaledPlatform } from '../bench/scenario';
import { SHAPES } from '../bench/shapes';

/**
 * Keeps the benchmark's scaling shape honest with deterministic figures (objects and bytes), never
 * times: the synthesized platform must grow linearly with the number of serving stacks.
 */
function shape(n: number) {
  const app = new App({ outdir: '/dev/null' });
  buildScaledPlatform(app, n);
  const documents = app.charts.flatMap((chart) => chart.toJson());
  return { objects: documents.length, bytes: Buffer.byteLength(Yaml.stringify(...documents)) };
}

describe('benchmark scenario shape', () => {
  // Multiples of 15: N/5 tenants split evenly over the three clusters (GKE tenants carry one more policy).
  const sizes = [15, 30, 60, 120].map((n) => ({ n, ...shape(n) }));

  test('objects grow exactly linearly: a fixed count per serving stack and its share of tenants and jobs', () => {
    const perStep = sizes.slice(1).map((s, i) => (s.objects - sizes[i].objects) / (s.n - sizes[i].n));
    expect(new Set(perStep).size).toBe(1);
    expect(perStep[0]).toBeGreaterThan(10);
  });

  test('bytes grow linearly (within 3 % per stack, names get longer with N)', () => {
    const perStack = sizes.slice(1).map((s, i) => (s.bytes - sizes[i].bytes) / (s.n - sizes[i].n));
    for (const value of perStack) expect(Math.abs(value / perStack[0] - 1)).toBeLessThan(0.03);
  });
});

describe('every benchmark shape', () => {
  const objects = (id: string, n: number) => {
    const app = new App({ outdir: '/dev/null' });
    SHAPES.find((s) => s.id === id)!.build(app, n);
    // Counted in the tree: rendering 50 charts one by one would validate the app 50 times.
    return app.node.findAll().filter((c) => c instanceof ApiObject).length;
  };

  // Sizes at which N/20 and N/5 tenants divide evenly (over the three clusters, for the mixed platform).
  test.each(SHAPES.filter((s) => !s.id.startsWith('training-large')).map((s) => s.id))('%s: objects grow exactly linearly with N', (id) => {
    const [a, b, c] = (id === 'mixed' ? [30, 60, 120] : [40, 80, 160]).map((n) => objects(id, n));
    expect(c - b).toBe(2 * (b - a));
    expect(b - a).toBeGreaterThan(40);
  });

  test.each(SHAPES.filter((s) => s.id.startsWith('training-large')).map((s) => s.id))('%s: the number of objects does not depend on the number of workers', (id) => {
    expect(new Set([100, 400].map((n) => objects(id, n))).size).toBe(1);
  });
});
