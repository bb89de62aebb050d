import { App as K8sApp, Chart, Duration } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Accelerator, ClusterCharts, ClusterProfile, GitOpsDelivery, GitOpsEngine, MlPlatform, synthPlatform, Tenant, TfServing, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend,
} from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { afterFinished, fluxHealthChecked, fluxStatusWhileRunning, readDocs, TTL_PATH, kueueKey } from './engine-model';

// Training jobs run for hours and finish once; the GitOps engines keep re-applying what is in the
// repository. These tests feed a cluster with serving, a checkpoint volume and a training job on
// every backend (queued and not) to models of what Argo CD and Flux then do.

const filesBelow = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));

/** One two-worker job on each backend in `chart`. */
function trainOnEveryBackend(chart: Chart, extra: Partial<TfTrainingJobProps> = {}): void {
  for (const backend of [TrainingBackend.INDEXED_JOB, TrainingBackend.JOBSET, TrainingBackend.KUBEFLOW_TFJOB]) {
    new TfTrainingJob(chart, backend, {
      name: `train-${backend}`,
      image: 'tensorflow/tensorflow:2.21.0-gpu',
      strategy: TfStrategy.MULTI_WORKER_MIRRORED,
      workers: { replicas: 2, cpu: 1, memoryGiB: 4, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
      backend,
      ...extra,
    });
  }
}

function deliver(engine: GitOpsEngine) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-training-delivery-'));
  const terraform = new App({ outdir: path.join(root, 'cdktf.out') });
  const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
  const profile = ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), name: 'train' });
  const charts = new ClusterCharts(kubernetes, profile);
  new MlPlatform(charts.platform, 'platform');
  const tenant = new Tenant(charts.tenant('team-t'), 'tenant', { name: 'team-t', quota: { gpus: 8 } });
  tenant.addVolumeClaim('checkpoints', { storage: '100Gi' });
  new TfServing(charts.tenant('team-t'), 'ranker', { models: [{ name: 'ranker', basePath: 's3://acme-models/ranker' }], cloudIdentity: 'arn:aws:iam::111122223333:role/serving' });
  trainOnEveryBackend(charts.tenant('team-t'));
  new GitOpsDelivery(kubernetes, 'delivery', { engine, repoUrl: 'https://github.com/acme/ml-platform.git' });
  synthPlatform({ terraform, kubernetes });
  const dist = path.join(root, 'dist');
  const docsIn = (dir: string) => filesBelow(path.join(dist, dir)).filter((f) => f.endsWith('.k8s.yaml')).flatMap(readDocs);
  return { engineObjects: readDocs(path.join(dist, 'gitops', 'train.yaml')), docsIn };
}

describe.each([GitOpsEngine.ARGO_CD, GitOpsEngine.FLUX])('training delivered by %s', (engine) => {
  const { engineObjects, docsIn } = deliver(engine);
  const training = docsIn('train/tenants').filter((d) => TTL_PATH[kueueKey(d)]);

  test('a finished training job stays finished: the engine never creates it again, so it never runs twice', () => {
    expect(training.map((d) => kueueKey(d)).sort()).toEqual(['batch/Job', 'jobset.x-k8s.io/JobSet', 'kubeflow.org/TFJob']);
    expect(training.map((d) => `${d.kind} ${d.metadata.name}: ${afterFinished(engineObjects, d)}`))
      .toEqual(training.map((d) => `${d.kind} ${d.metadata.name}: kept`));
  });
});

describe('Flux health checks while training runs', () => {
  const { engineObjects, docsIn } = deliver(GitOpsEngine.FLUX);
  const kustomizations = engineObjects.filter((o) => o.kind === 'Kustomization');

  test.each(['platform', 'tenants'])('the %s Kustomization is healthy with serving rolled out, jobs running and a volume waiting for its first pod', (dir) => {
    const kustomization = kustomizations.find((k) => k.spec.path.endsWith(`/${dir}`));
    const docs = docsIn(`train/${dir}`);
    const checked = fluxHealthChecked(kustomization, docs, () => true);
    expect(checked.filter((d) => 'missing' in d || fluxStatusWhileRunning(d, docs) !== 'Current').map((d) => ('missing' in d ? `missing ${d.missing}` : `${d.kind} ${d.metadata.name}`))).toEqual([]);
    // The check still waits for every rollout of its directory.
    const rollouts = docs.filter((d) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(d.kind));
    expect(checked).toEqual(expect.arrayContaining(rollouts));
    if (dir === 'tenants') expect(rollouts.map((d) => d.kind)).toContain('Deployment');
  });
});

describe('a time-to-live on a finished job', () => {
  const build = (withDelivery: boolean) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-ttl-'));
    const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
    const profile = ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), name: 'train' });
    const charts = new ClusterCharts(kubernetes, profile);
    new Tenant(charts.tenant('team-t'), 'tenant', { name: 'team-t', quota: { gpus: 8 } });
    trainOnEveryBackend(charts.tenant('team-t'), { ttlAfterFinished: Duration.hours(2) });
    if (withDelivery) new GitOpsDelivery(kubernetes, 'delivery', { engine: GitOpsEngine.FLUX, repoUrl: 'https://github.com/acme/ml-platform.git' });
    return { kubernetes, dist: path.join(root, 'dist') };
  };

  test('is written when something else applies the manifests once', () => {
    const { kubernetes, dist } = build(false);
    synthPlatform({ kubernetes });
    const training = filesBelow(dist).flatMap(readDocs).filter((d) => TTL_PATH[kueueKey(d)]);
    expect(training.map((d) => TTL_PATH[kueueKey(d)].reduce((v: any, k) => v?.[k], d))).toEqual([7200, 7200, 7200]);
  });

  test('is refused with GitOps delivery, naming each job, and nothing is written', () => {
    const { kubernetes, dist } = build(true);
    expect(() => synthPlatform({ kubernetes })).toThrow(/GITOPS_JOB_TTL: Job team-t\/train-indexed-job-worker is deleted 7200 s after it finishes \(spec.ttlSecondsAfterFinished\); Flux would then find it missing and create it again/);
    expect(() => synthPlatform({ kubernetes })).toThrow(/GITOPS_JOB_TTL: TFJob team-t\/train-kubeflow-tfjob is deleted 7200 s after it finishes \(spec.runPolicy.ttlSecondsAfterFinished\)/);
    expect(fs.existsSync(dist) ? filesBelow(dist) : []).toEqual([]);
  });
});
