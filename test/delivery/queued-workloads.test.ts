import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import {
  Accelerator, ClusterCharts, ClusterProfile, GitOpsDelivery, GitOpsEngine, KUEUE_PRIORITY_LABEL, KUEUE_QUEUE_LABEL, MlPlatform, PriorityClasses, QueueFlavors, synthPlatform, Tenant, TfStrategy, TfTrainingJob, TrainingBackend,
} from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { fieldAfterResync, KUEUE_SUSPEND_PATH, kueueAdmits, kueueKey, kueueRefusesUpdate, readDocs, suspendAfterResync } from './engine-model';

const filesBelow = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));

/** The default example plus a cluster with a queued job on each backend, delivered by `engine`. */
function deliver(engine: GitOpsEngine) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-queued-'));
  const terraform = new App({ outdir: path.join(root, 'cdktf.out') });
  const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
  buildMultiCloud(terraform, kubernetes);
  const profile = ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), name: 'queued' });
  const charts = new ClusterCharts(kubernetes, profile);
  new QueueFlavors(charts.platform, 'flavors');
  new MlPlatform(charts.platform, 'platform');
  const tenant = new Tenant(charts.tenant('team-q'), 'tenant', { name: 'team-q', cluster: profile, quota: { gpus: 8 }, queue: {} });
  for (const backend of [TrainingBackend.INDEXED_JOB, TrainingBackend.JOBSET, TrainingBackend.KUBEFLOW_TFJOB]) {
    new TfTrainingJob(charts.tenant('team-q'), backend, {
      name: `train-${backend}`,
      namespace: 'team-q',
      cluster: profile,
      image: 'tensorflow/tensorflow:2.21.0-gpu',
      strategy: TfStrategy.MULTI_WORKER_MIRRORED,
      workers: { replicas: 2, cpu: 1, memoryGiB: 4, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
      backend,
      queueName: tenant.queueName,
      priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE,
    });
  }
  new GitOpsDelivery(kubernetes, 'delivery', { engine, repoUrl: 'https://github.com/acme/ml-platform.git' });
  synthPlatform({ terraform, kubernetes });
  const dist = path.join(root, 'dist');
  const engineObjects = (cluster: string) => readDocs(path.join(dist, 'gitops', `${cluster}.yaml`));
  const queued = filesBelow(dist).filter((f) => f.endsWith('.k8s.yaml')).map((f) => ({ cluster: path.relative(dist, f).split(path.sep)[0], docs: readDocs(f) }))
    .flatMap(({ cluster, docs }) => docs.filter((d) => d.metadata?.labels?.[KUEUE_QUEUE_LABEL] !== undefined && KUEUE_SUSPEND_PATH[kueueKey(d)]).map((doc) => ({ cluster, doc })));
  return { engineObjects, queued };
}

describe.each([GitOpsEngine.ARGO_CD, GitOpsEngine.FLUX])('queued training delivered by %s', (engine) => {
  const { engineObjects, queued } = deliver(engine);

  test('every backend\'s queued workload is there, and starts suspended', () => {
    expect([...new Set(queued.map((q) => kueueKey(q.doc)))].sort()).toEqual(['batch/Job', 'jobset.x-k8s.io/JobSet', 'kubeflow.org/TFJob']);
    expect(queued.map((q) => q.cluster)).toContain('ml-eks');
    for (const { doc } of queued) expect(KUEUE_SUSPEND_PATH[kueueKey(doc)].reduce((v: any, k) => v?.[k], doc)).toBe(true);
  });

  test('a sync after Kueue admitted the workload leaves it running: the engine does not suspend it again', () => {
    const evicted = queued.filter(({ cluster, doc }) => suspendAfterResync(engineObjects(cluster), doc, kueueAdmits(doc)) !== false)
      .map(({ cluster, doc }) => `${cluster}: ${doc.kind} ${doc.metadata.namespace}/${doc.metadata.name}`);
    expect(evicted).toEqual([]);
  });

  test('a job created before it carried its WorkloadPriorityClass label is not refused on the next sync: the engine leaves the label as it is', () => {
    const preemptible = queued.filter(({ doc }) => doc.metadata.labels[KUEUE_PRIORITY_LABEL] !== undefined);
    expect(preemptible.length).toBe(3);
    const refused = preemptible.flatMap(({ cluster, doc }) => {
      const live = kueueAdmits(doc);
      delete live.metadata.labels[KUEUE_PRIORITY_LABEL];
      const label = fieldAfterResync(engineObjects(cluster), doc, live, ['metadata', 'labels', KUEUE_PRIORITY_LABEL]);
      const updated = { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, ...(label === undefined ? {} : { [KUEUE_PRIORITY_LABEL]: label }) } } };
      const refusal = kueueRefusesUpdate(live, updated);
      return refusal ? [`${doc.kind} ${doc.metadata.name}: ${refusal}`] : [];
    });
    expect(refused).toEqual([]);
  });
});
