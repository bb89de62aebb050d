/**
 * Shared pieces of the property campaigns over the public constructs: hostile values a TypeScript
 * caller can write, anything a JavaScript or JSON caller can hand in, and the property itself.
 * Runs use a fixed seed; `FUZZ_SCALE` and `FUZZ_SEED` (scripts/fuzz.js) make them longer and new.
 */
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { ClusterCharts, collectValidationErrors, PlatformApps, synthPlatform, ValidationError } from '../lib';
import { EKS_PROFILE } from './fixtures';

export const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

/** Runs per property: `base` in CI, `FUZZ_SCALE` times as many in a longer campaign. */
export function runs(base: number): { seed: number; numRuns: number } {
  return { seed: SEED, numRuns: Math.round(base * Number(process.env.FUZZ_SCALE ?? 1)) };
}

/** Strings that break names, YAML, templates and quantities. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', 'a b', 'A', '-a', 'a-', '1abc', '${TOKEN}', '{{ x }}', '~', 'null', 'yes', 'no', '1e3', '0x1F', 'ümlaut', '日本', 'a\nb', 'a: b', '# c', 'a'.repeat(64), 'a'.repeat(300), '10Gi', '250m', '-1', '0', '/', '..'),
);
/** Numbers that break counts, sizes and quantities. */
export const hostileNumber = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.constantFrom(NaN, Infinity, -Infinity, 0.5, 1e-4, 1e21, -0, 2 ** 31, 1e7));
/** A valid value most of the time, a hostile one otherwise. */
export const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: hostile, weight: 1 });
export const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
/** Anything at all, as JSON config or a JavaScript caller can give it. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(hostileString, { maxLength: 3 }), fc.dictionary(hostileString, hostileString, { maxKeys: 2 }), fc.constant(() => 1));
/** Props objects with the known fields (and a misspelling) set to anything. */
export const untypedProps = (fields: readonly string[]) => fc.oneof(anyValue, fc.dictionary(fc.constantFrom(...fields, `${fields[0]}s`), anyValue, { maxKeys: 4 }));

/** One listed problem: construct path, code, message, value received and fix (not "undefined"). */
export const PROBLEM_LINE = /^\[[^\]]+\] [A-Z][A-Z0-9_]+: .+ Received: .+\. Fix: (?!undefined$).+/s;
const BAD_TEXT = /undefined|NaN|Infinity|\[object Object\]/;

export interface Outcome {
  readonly errors: string[];
  readonly docs: any[];
}

/** Builds into a fresh app and returns its problems, or the objects it writes when there are none. */
export function kubernetesOutcome(build: (charts: ClusterCharts) => void): Outcome {
  const app = Testing.app();
  const charts = new ClusterCharts(app, EKS_PROFILE);
  let errors: string[];
  try {
    build(charts);
    errors = collectValidationErrors(app);
    if (errors.length === 0) return { errors, docs: app.charts.flatMap((c) => c.toJson()) };
  } catch (error) {
    // A factory outside the construct tree (ServingExposure.ingress, TrainingCheckpoint.bucket) throws its listed problems.
    if (error instanceof ValidationError) return { errors: [...error.errors], docs: [] };
    return { errors: [`RAW EXCEPTION: ${(error as Error).stack}`], docs: [] };
  }
  expectRefusedSynthWritesNothing({ kubernetes: app });
  return { errors, docs: [] };
}

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/**
 * For apps whose problems are already listed: synthPlatform into their fresh output directories is
 * refused with a ValidationError, and leaves no manifest, Terraform or profile file there, and no
 * staging directory beside them.
 */
export function expectRefusedSynthWritesNothing(apps: PlatformApps): void {
  const outdirs = [apps.kubernetes?.outdir, apps.terraform?.outdir].filter((d): d is string => d !== undefined);
  const before = outdirs.map((d) => filesBelow(d));
  let thrown: unknown;
  try {
    synthPlatform(apps);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect(outdirs.map((d) => filesBelow(d))).toEqual(before);
  for (const dir of outdirs) {
    const base = path.basename(path.resolve(dir));
    expect(fs.readdirSync(path.dirname(path.resolve(dir))).filter((name) => name.startsWith(`.${base}.`))).toEqual([]);
  }
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Where an object's name breaks the rule of its kind (apimachinery's name validators). */
export function nameErrors(doc: any): string[] {
  const name: unknown = doc?.metadata?.name;
  const rule = doc.kind === 'Service' ? { re: LABEL_1035, max: 63 }
    : doc.kind === 'Namespace' || doc.kind === 'Job' ? { re: LABEL_1123, max: 63 }
    : { re: SUBDOMAIN, max: 253 };
  const namespace: unknown = doc?.metadata?.namespace;
  const errors: string[] = [];
  if (typeof name !== 'string' || name.length > rule.max || !rule.re.test(name)) errors.push(`${doc.kind} name ${JSON.stringify(name)}`);
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !LABEL_1123.test(namespace))) errors.push(`${doc.kind} ${name} namespace ${JSON.stringify(namespace)}`);
  return errors;
}

/**
 * The property: problems are all listed ones, or the output has no `undefined`, `NaN`, `Infinity`
 * or `[object Object]` and every name is valid for its kind. Documents are returned to be checked
 * against the schemas once per property (a child process each time would be slow).
 */
export function checkOutcome({ errors, docs }: Outcome): any[] {
  if (errors.length > 0) {
    expect(errors.filter((e) => !PROBLEM_LINE.test(e))).toEqual([]);
    return [];
  }
  expect(docs.map((d) => JSON.stringify(d)).filter((text) => BAD_TEXT.test(text))).toEqual([]);
  expect(docs.flatMap(nameErrors)).toEqual([]);
  return docs;
}

/** For untyped input the only acceptable outcome is a listed problem, unless the value happens to be well-typed. */
export function expectListed({ errors }: Outcome): void {
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.filter((e) => !PROBLEM_LINE.test(e))).toEqual([]);
}

/**
 * The two campaigns every workload construct gets: type-correct hostile props end in listed
 * problems or in objects that pass the schemas (and some do reach the output side); untyped props
 * end in listed problems only.
 */
export function hostileInputSuite(name: string, typedProps: fc.Arbitrary<unknown>, fields: readonly string[], build: (props: unknown) => (charts: ClusterCharts) => void): void {
  // Loaded here: the schemas are large, and the cluster campaigns do not read them.
  const { schemaErrors } = require('./k8s/schema') as typeof import('./k8s/schema');
  let written: any[] = [];
  describe(`${name} under hostile input`, () => {
    beforeEach(() => { written = []; });
    afterEach(() => expect(schemaErrors(written)).toEqual([]));

    test('type-correct props: listed problems, or objects that pass the schemas', () => {
      let passed = 0;
      fc.assert(fc.property(typedProps, (props) => {
        const docs = checkOutcome(kubernetesOutcome(build(props)));
        if (docs.length > 0) passed++;
        written.push(...docs);
      }), runs(120));
      // The generator reaches the output side too, not only refusals.
      expect(passed).toBeGreaterThan(0);
    });

    test('untyped props (JavaScript, JSON): only listed problems, never a crash', () => {
      fc.assert(fc.property(untypedProps(fields), (props) => expectListed(kubernetesOutcome(build(props)))), runs(150));
    });
  });
}
