/**
 * The program shapes the benchmark measures, chosen for coverage (issue 15), not for good numbers.
 * Each builds into a fresh cdk8s app at size N; every shape passes the policy gate.
 */
import { App as K8sApp, Chart } from 'cdk8s';
import {
  Accelerator, MlPlatform, ModelVersionPolicy, QueueFlavors, ServingExposure, Tenant, TfServing, TfStrategy, TfTrainingJob, TrainingBackend,
} from '../lib';
import { BENCH_CLUSTERS, buildScaledPlatform } from './scenario';

/** One shape: what N counts, the sizes it is measured at, and how to build it. */
export interface Shape {
  readonly id: string;
  readonly title: string;
  /** What N counts in this shape. */
  readonly unit: string;
  readonly sizes: readonly number[];
  build(app: K8sApp, n: number): void;
}

const GKE = BENCH_CLUSTERS[0];
const GPU = Accelerator.fromId(GKE.pools[1].accelerator!)!;

/** `count` tenants on the GKE profile, spread round-robin over `charts`; with `queued`, each with a Kueue queue. */
function tenants(charts: readonly Chart[], count: number, gpus = 64, queued = false): Array<{ chart: Chart; name: string; queueName?: string }> {
  return Array.from({ length: count }, (_, i) => {
    const chart = charts[i % charts.length];
    const name = `team-${i}`;
    const tenant = new Tenant(chart, name, { name, cluster: GKE, quota: { gpus }, editorGroups: [`${name}-devs`], identities: { trainer: `trainer-${i}` }, ...(queued ? { queue: {} } : {}) });
    // The Ingress certificate comes from cert-manager.
    tenant.declareExternalSecret('models-tls');
    return { chart, name, queueName: tenant.queueName };
  });
}

/** `count` charts for the GKE cluster, the platform in the first. */
function charts(app: K8sApp, count: number): Chart[] {
  const made = Array.from({ length: count }, (_, i) => new Chart(app, `gke-${i}`));
  new MlPlatform(made[0], 'platform', { cluster: GKE });
  return made;
}

function serving(scope: Chart, i: number, namespace: string, full: boolean): void {
  new TfServing(scope, `model-${i}`, {
    namespace,
    models: [{ name: `model-${i}`, basePath: `gs://bench/model-${i}`, versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
    cluster: GKE,
    cloudIdentity: `serving-${i}`,
    autoscaling: { minReplicas: 2, maxReplicas: 4 },
    ...(full ? { canary: { weight: 20, version: 2 }, expose: ServingExposure.ingress({ host: `m${i}.models.example.com`, tlsSecretName: 'models-tls' }) } : {}),
  });
}

/** Serving stacks in the namespaces of N/20 tenants (at least one), all in one chart. */
function servingShape(full: boolean): Shape {
  return {
    id: full ? 'serving-canary-ingress' : 'serving-plain',
    title: full ? 'Serving only, with a 20 % canary and an Ingress' : 'Serving only, no canary, cluster-internal',
    unit: 'serving stacks',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      const [chart] = charts(app, 1);
      const teams = tenants([chart], Math.max(1, Math.floor(n / 20)));
      for (let i = 0; i < n; i++) serving(chart, i, teams[i % teams.length].name, full);
    },
  };
}

function job(scope: Chart, i: number, namespace: string, workers: number, backend?: TrainingBackend, queueName?: string): void {
  new TfTrainingJob(scope, `train-${i}`, {
    namespace,
    backend,
    queueName,
    image: 'tensorflow/tensorflow:2.21.0-gpu',
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    workers: { replicas: workers, gpus: 1, accelerator: GPU },
    cluster: GKE,
    serviceAccountName: 'trainer',
  });
}

export const SHAPES: readonly Shape[] = [
  servingShape(false),
  servingShape(true),
  {
    id: 'training-small',
    title: 'Training only, many small jobs (2 one-GPU workers each)',
    unit: 'jobs',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      const [chart] = charts(app, 1);
      const teams = tenants([chart], Math.max(1, Math.floor(n / 20)));
      for (let i = 0; i < n; i++) job(chart, i, teams[i % teams.length].name, 2);
    },
  },
  ...[TrainingBackend.INDEXED_JOB, TrainingBackend.KUBEFLOW_TFJOB].map((backend): Shape => ({
    id: `training-large-${backend}`,
    // TF_CONFIG is one environment string, under 128 KiB: about 2,800 workers with these names.
    title: `Training only, three very large jobs (N workers each), ${backend} backend`,
    unit: 'workers per job',
    sizes: backend === TrainingBackend.KUBEFLOW_TFJOB ? [1000, 4000, 10000] : [500, 1000, 2500],
    build: (app, n) => {
      const [chart] = charts(app, 1);
      const [team] = tenants([chart], 1, 3 * n);
      for (let i = 0; i < 3; i++) job(chart, i, team.name, n, backend);
    },
  })),
  {
    id: 'tenants',
    title: 'Tenants only',
    unit: 'tenants',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      tenants(charts(app, 1), n);
    },
  },
  {
    id: 'tenants-queued',
    title: 'Tenants with Kueue queues in one cohort, each with a queued job of 2 one-GPU workers',
    unit: 'tenants',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      const [chart] = charts(app, 1);
      new QueueFlavors(chart, 'flavors', { cluster: GKE });
      tenants([chart], n, 64, true).forEach((t, i) => job(chart, i, t.name, 2, undefined, t.queueName));
    },
  },
  {
    id: 'mixed',
    title: 'The mixed platform: N serving stacks (HPA, 50 % canary, monitors), N/5 tenants and N/5 four-GPU jobs over GKE, EKS and AKS, one chart per cluster',
    unit: 'serving stacks',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      buildScaledPlatform(app, n);
    },
  },
  ...[1, 10, 50].map((chartCount): Shape => ({
    id: `charts-${chartCount}`,
    title: `The same objects in ${chartCount} chart${chartCount > 1 ? 's' : ''}: N canary serving stacks, N/5 tenants, N/5 jobs`,
    unit: 'serving stacks',
    sizes: [100, 500, 2000],
    build: (app, n) => {
      const made = charts(app, chartCount);
      const teams = tenants(made, Math.max(1, Math.floor(n / 5)));
      teams.forEach((t, i) => job(t.chart, i, t.name, 2));
      for (let i = 0; i < n; i++) {
        const team = teams[i % teams.length];
        serving(made[i % chartCount], i, team.name, true);
      }
    },
  })),
];

export function shape(id: string): Shape {
  const found = SHAPES.find((s) => s.id === id);
  if (!found) throw new Error(`no shape ${id}: ${SHAPES.map((s) => s.id).join(', ')}`);
  return found;
}
