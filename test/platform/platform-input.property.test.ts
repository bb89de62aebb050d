/**
 * Property tests over the platform constructs with hostile input, typed and untyped: synth either
 * fails listing problems (each with construct path, code, value and fix) or writes objects that
 * pass the Kubernetes schemas with no `undefined`, `NaN`, `Infinity` or `[object Object]` in them.
 * Counterexamples found are kept below as named cases.
 */
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { ClusterCharts, collectValidationErrors, MlPlatform, Tenant } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { schemaErrors } from '../k8s/schema';
import { nameErrors, PROBLEM_LINE, runs } from '../property-helpers';

const { seed: SEED, numRuns: RUNS } = runs(150);

const hostileString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', 'Ingress NGINX', '${TOKEN}', '~', 'null', 'yes', '1e3', 'ümlaut', 'a'.repeat(300), '10Gi', '250m', '-1', '0'),
);
const hostileNumber = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.constantFrom(NaN, Infinity, -Infinity, 0.5, 1e21, -0));
const anyValue = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(hostileString, { maxLength: 3 }), fc.dictionary(hostileString, hostileString, { maxKeys: 2 }));

/** Tenant props a TypeScript caller can write (right types, hostile values). */
const typedTenantProps = fc.record({
  quota: fc.record({ cpu: hostileString, memory: hostileString, gpus: hostileNumber, pods: hostileNumber, storage: hostileString, gpusByPriorityClass: fc.dictionary(hostileString, hostileNumber, { maxKeys: 2 }) }, { requiredKeys: [] }),
  containerDefaults: fc.record({ cpuRequest: hostileString, cpuLimit: hostileString, memoryRequest: hostileString, memoryLimit: hostileString }, { requiredKeys: [] }),
  editorGroups: fc.array(hostileString, { maxLength: 2 }),
  extraRules: fc.array(fc.record({ apiGroups: fc.array(hostileString, { maxLength: 2 }), resources: fc.array(hostileString, { maxLength: 2 }), verbs: fc.array(hostileString, { maxLength: 2 }) }), { maxLength: 2 }),
  identities: fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
  ingressControllerNamespace: hostileString,
  servingClientCidrs: fc.array(fc.oneof(hostileString, fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '10.0.0.1/33')), { maxLength: 2 }),
}, { requiredKeys: [] });

/** Anything a JavaScript caller or a JSON file can hand in. */
const untypedTenantProps = fc.oneof(anyValue, fc.dictionary(fc.constantFrom('name', 'quota', 'editorGroups', 'extraRules', 'identities', 'cluster', 'qouta', 'allowSecretsRead'), anyValue, { maxKeys: 4 }));

const BAD_TEXT = /undefined|NaN|Infinity|\[object Object\]/;

function outcome(build: (charts: ClusterCharts) => void): { errors: string[]; docs: any[] } {
  const app = Testing.app();
  const charts = new ClusterCharts(app, EKS_PROFILE);
  try {
    build(charts);
  } catch (error) {
    return { errors: [`RAW EXCEPTION: ${(error as Error).stack}`], docs: [] };
  }
  const errors = collectValidationErrors(app);
  return { errors, docs: errors.length > 0 ? [] : app.charts.flatMap((c) => c.toJson()) };
}

/** Documents written by runs that passed, validated against the schemas once per property (a child process each time would be slow). */
let written: any[] = [];

function holds({ errors, docs }: { errors: string[]; docs: any[] }): void {
  if (errors.length > 0) {
    expect(errors.filter((e) => !PROBLEM_LINE.test(e))).toEqual([]);
    return;
  }
  expect(docs.map((d) => JSON.stringify(d)).filter((text) => BAD_TEXT.test(text.replace(/"(undefined|NaN|Infinity)"/g, '')))).toEqual([]);
  expect(docs.flatMap(nameErrors)).toEqual([]);
  // A claim's class is not in the schema's patterns: "" (no dynamic provisioning) or a StorageClass name.
  const classes = docs.filter((d) => d.kind === 'PersistentVolumeClaim').map((d) => d.spec.storageClassName).filter((c) => c !== undefined && c !== '');
  expect(classes.filter((c) => !(typeof c === 'string' && c.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(c)))).toEqual([]);
  written.push(...docs);
}

beforeEach(() => { written = []; });
afterEach(() => expect(schemaErrors(written)).toEqual([]));

describe('platform constructs under hostile input', () => {
  test('Tenant with type-correct props', () => {
    fc.assert(fc.property(typedTenantProps, (props) => holds(outcome((charts) => new Tenant(charts.tenant('research'), 'tenant', props as any)))), { seed: SEED, numRuns: RUNS });
  });

  test('Tenant with untyped props (JavaScript, JSON): only listed problems, never a crash', () => {
    fc.assert(fc.property(untypedTenantProps, (props) => holds(outcome((charts) => new Tenant(charts.tenant('research'), 'tenant', props as any)))), { seed: SEED, numRuns: RUNS });
  });

  test('MlPlatform with untyped props', () => {
    const props = fc.oneof(anyValue, fc.dictionary(fc.constantFrom('cluster', 'devicePluginImage', 'monitoringNamespace', 'dcgmExporterNamespace', 'monitoringNamespce'), anyValue, { maxKeys: 3 }));
    fc.assert(fc.property(props, (p) => holds(outcome((charts) => new MlPlatform(charts.platform, 'platform', p as any)))), { seed: SEED, numRuns: RUNS });
  });

  test('Tenant methods with type-correct arguments: listed problems, or claims and accounts Kubernetes takes', () => {
    const name = fc.oneof({ arbitrary: fc.constantFrom('models', 'ckpt', 'runner'), weight: 4 }, hostileString);
    const claim = fc.record({ storage: fc.oneof({ arbitrary: fc.constantFrom('1Gi', '500Mi'), weight: 4 }, hostileString), storageClassName: fc.oneof(fc.constantFrom('gp3', 'efs', ''), hostileString), readWriteMany: fc.boolean() }, { requiredKeys: ['storage'] });
    const calls = fc.array(fc.oneof(
      fc.tuple(fc.constant('claim' as const), name, claim),
      fc.tuple(fc.constant('account' as const), name, fc.option(fc.oneof(fc.constant('arn:aws:iam::1:role/runner'), hostileString), { nil: undefined })),
      fc.tuple(fc.constant('secret' as const), name, fc.constant(undefined)),
    ), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(calls, (list) => holds(outcome((charts) => {
      const tenant = new Tenant(charts.tenant('research'), 'tenant', {});
      for (const [method, n, arg] of list) {
        if (method === 'claim') tenant.addVolumeClaim(n, arg as any);
        else if (method === 'account') tenant.addServiceAccount(n, arg as any);
        else tenant.declareExternalSecret(n);
      }
    }))), { seed: SEED, numRuns: RUNS });
  });

  describe('counterexamples kept as regressions', () => {
    test.each<[string, unknown, RegExp]>([
      ['props is null', null, /PROPS_INVALID: props must be an object\. Received: null/],
      ['a misspelled prop', { qouta: { gpus: 4 } }, /PROP_UNKNOWN: props\.qouta is not a property; it would be ignored\. Received: "qouta"\. Fix: use one of name, cluster/],
      ['editorGroups is a string', { editorGroups: 'ml-team' }, /PROP_TYPE_INVALID: props\.editorGroups must be an array of strings/],
      ['cluster is plain JSON, not a ClusterProfile', { cluster: EKS_PROFILE.toJson() }, /PROP_TYPE_INVALID: props\.cluster must be a ClusterProfile/],
    ])('%s', (_, props, message) => {
      const { errors } = outcome((charts) => new Tenant(charts.tenant('research'), 'tenant', props as any));
      expect(errors).toContainEqual(expect.stringMatching(message));
    });
  });
});
