import { App, Yaml } from 'cdk8s';
import { buildScaledPlatform } from '../bench/scenario';

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
