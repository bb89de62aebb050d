import { App, Chart } from 'cdk8s';
import * as v8 from 'v8';
import { SHAPES } from '../../bench/shapes';
import { declareExternalNamespace, declareExternalObject, ModelVersionPolicy, ServingExposure, TfServing } from '../../lib';
import { interned } from '../../lib/core/interned';
import { EKS_PROFILE } from '../fixtures';

/**
 * V8 keeps Latin-1 text in one byte a character. One string in the wider two-byte form makes every
 * string it is concatenated into two-byte too: a chart file's YAML chunk, then, is widened and
 * encoded again on its way to disk (10× the cost of writing it, measured in the bench's canary
 * serving). `v8.serialize` tags a one-byte string with `"` and a two-byte one with `c`.
 */
const ONE_BYTE_TAG = 0x22;
const PADDING = 0x00;
/** The tag after the serializer's header (0xFF, version) and the padding it writes to align two-byte text. */
const isOneByte = (text: string) => v8.serialize(text).subarray(2).find((byte) => byte !== PADDING) === ONE_BYTE_TAG;
const latin1 = (text: string) => /^[\u0000-\u00ff]*$/.test(text);

/** Every string in the documents, keys included, that is Latin-1 yet held in two bytes a character. */
function wideStrings(value: unknown, path: string, found: string[]): string[] {
  if (typeof value === 'string') {
    if (latin1(value) && !isOneByte(value)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => wideStrings(item, `${path}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (latin1(key) && !isOneByte(key)) found.push(`${path} key ${key}`);
      wideStrings(item, `${path}.${key}`, found);
    }
  }
  return found;
}

describe('synthesized text stays one byte a character', () => {
  /** A name as a construct id is: built at run time, then used as a property key. */
  const usedAsKey = (name: string) => {
    const children: Record<string, number> = {};
    children[name] = 1;
    return name;
  };

  test('the check tells the two forms apart', () => {
    const name = usedAsKey(`model-${process.pid}`);
    // Array.join of a string that was used as a property key returns a two-byte string.
    expect(isOneByte([name, `${name}-canary`].join('|'))).toBe(false);
    expect(isOneByte(`${name}|${name}-canary`)).toBe(true);
  });

  test('an interned name stays one byte, joined or concatenated by optimized code', () => {
    const weighted = (name: string) => `${name}-canary-weighted`;
    let wide = 0;
    for (let i = 0; i < 100_000; i++) {
      const name = interned(usedAsKey(`model-${i}`));
      if (!isOneByte(weighted(name)) || !isOneByte([name, 'x'].join('|'))) wide++;
    }
    expect(wide).toBe(0);
  });

  const wideIn = (app: App) => app.charts.flatMap((chart) => chart.toJson().flatMap((doc: any) => wideStrings(doc, `${chart.node.id}/${doc.kind}/${doc.metadata?.name}`, [])));

  test.each(SHAPES.map((s) => [s.id, s] as const))('the benchmark\'s %s', (_id, shape) => {
    const app = new App({ outdir: '/dev/null' });
    shape.build(app, 4);
    expect(wideIn(app)).toEqual([]);
  });

  test('a serving stack of two models with a canary (the readiness probe loops over the models)', () => {
    const app = new App({ outdir: '/dev/null' });
    const chart = new Chart(app, 'serving');
    declareExternalNamespace(chart, 'team-a');
    declareExternalObject(chart, 'Secret', 'team-a', 'tls');
    // Names built at run time and used as keys, as a program that reads its models from config and
    // looks them up by name has them (literals are interned, and join keeps those one-byte).
    const names = ['vision', 'resnet', 'bert'].map((base, i) => usedAsKey(`${base}-${i + 50}`));
    const [stack, ...modelNames] = names;
    const models = modelNames.map((name) => ({ name, basePath: `s3://acme-models/${name}`, versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }));
    new TfServing(chart, stack, {
      namespace: 'team-a', cluster: EKS_PROFILE, cloudIdentity: 'arn:aws:iam::111122223333:role/serving', models,
      canary: { weight: 10, model: modelNames[0], version: 2 }, expose: ServingExposure.ingress({ host: 'models.acme.dev', tlsSecretName: 'tls' }),
    });
    expect(wideIn(app)).toEqual([]);
  });
});
