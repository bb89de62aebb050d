/**
 * ClusterProfile.fromJson under hostile hand-written profiles: a valid profile with one to three
 * fields changed, removed or added. Either fromJson lists every problem (JSON path, code, received,
 * fix), or the profile it returns drives workloads whose synth lists problems or writes objects
 * that pass the Kubernetes schemas, with valid names and no `undefined`, `NaN` or `[object Object]`.
 */
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { Accelerator, ClusterCharts, ClusterProfile, collectValidationErrors, MlPlatform, ModelVersionPolicy, ServingExposure, Tenant, TfServing, TfStrategy, TfTrainingJob, ValidationError } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { schemaErrors } from '../k8s/schema';
import { anyValue, checkOutcome, hostileNumber, hostileString, PROBLEM_LINE, runs } from '../property-helpers';

const BASE = JSON.parse(JSON.stringify({ ...EKS_PROFILE.toJson(), facts: EKS_PROFILE.facts }));

type Path = Array<string | number>;
/** Every path into `value`, containers included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [at];
  return [at, ...Object.entries(value).flatMap(([key, v]) => pathsOf(v, [...at, Array.isArray(value) ? Number(key) : key]))];
}
const PATHS = pathsOf(BASE).filter((p) => p.length > 0);

/** Values that are almost right for some field of a profile, besides the generally hostile ones. */
const nearMiss = fc.constantFrom('NoScheduleX', 'nvidia-l4', 'nvidia-b300', '10.0.0.0/33', '169.254.169.254', 'a b', 'GPU', 'gs://', 'x'.repeat(64), 0.5, -1, 65536, true, [], {}, [null]);
const mutation = fc.record({ path: fc.constantFrom(...PATHS), kind: fc.constantFrom('set', 'set', 'delete', 'add'), value: fc.oneof(anyValue, hostileString, hostileNumber, nearMiss) });

function mutate(json: any, { path, kind, value }: { path: Path; kind: string; value: unknown }): void {
  const parent = path.slice(0, -1).reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), json);
  if (!parent || typeof parent !== 'object') return;
  const key = path[path.length - 1];
  if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (kind === 'add' && typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key])) {
    parent[key].extra = value;
  } else {
    parent[key] = value;
  }
}

/** Workloads that read every part of a profile: placement, device plugin, network facts, identity, stores. */
function build(charts: ClusterCharts): void {
  new MlPlatform(charts.platform, 'platform');
  const tenant = new Tenant(charts.tenant('research'), 'tenant', { quota: { gpus: 8 }, identities: { trainer: 'arn:aws:iam::1:role/trainer' } });
  tenant.addVolumeClaim('models', { storage: '10Gi' });
  tenant.addVolumeClaim('ckpt', { storage: '10Gi', readWriteMany: true });
  new TfTrainingJob(charts.tenant('research'), 'train', { image: 'tensorflow/tensorflow:2.21.0-gpu', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2, gpus: 1, accelerator: Accelerator.NVIDIA_L4 } });
  new TfServing(charts.tenant('research'), 'serve', {
    models: [{ name: 'm', basePath: 's3://models/m', versions: ModelVersionPolicy.specific(1) }],
    cloudIdentity: 'arn:aws:iam::1:role/serving',
    expose: ServingExposure.loadBalancer({ internal: true }),
  });
}

describe('ClusterProfile.fromJson under hostile hand-written profiles', () => {
  test('listed problems, or a profile whose workloads synthesize clean objects', () => {
    let accepted = 0;
    let refused = 0;
    const written: any[] = [];
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const json = JSON.parse(JSON.stringify(BASE));
      mutations.forEach((m) => mutate(json, m));
      let profile: ClusterProfile;
      try {
        profile = ClusterProfile.fromJson(json);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors.length).toBeGreaterThan(0);
        expect((error as ValidationError).errors.filter((e) => !PROBLEM_LINE.test(e))).toEqual([]);
        refused++;
        return;
      }
      accepted++;
      const app = Testing.app();
      let errors: string[];
      let docs: any[] = [];
      try {
        build(new ClusterCharts(app, profile));
        errors = collectValidationErrors(app);
        if (errors.length === 0) docs = app.charts.flatMap((c) => c.toJson());
      } catch (error) {
        throw new Error(`raw exception from a profile fromJson accepted (${JSON.stringify(mutations)}): ${(error as Error).stack}`);
      }
      written.push(...checkOutcome({ errors, docs }));
    }), runs(150));
    expect(schemaErrors(written)).toEqual([]);
    // Both sides are reached: some changes are harmless (a label, a bigger pool), most are not.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
