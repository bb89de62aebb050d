import { App, Chart } from 'cdk8s';
import { Node } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH_CLUSTERS } from '../../bench/scenario';
import { Accelerator, MlPlatform, QueueFlavors, Tenant, TfStrategy, TfTrainingJob } from '../../lib';

const GKE = BENCH_CLUSTERS[0];

/**
 * Walks of the whole app (`node.findAll`) during one synth of `tenants` tenants, each with a queue
 * and a queued job: counted, never timed. Each queue reads its cohort, the GPUs held outside the
 * queues and its namespace's objects; a walk per queue made synth quadratic in tenants.
 */
function walksOfSynth(tenants: number): number {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-queue-scaling-')) });
  const chart = new Chart(app, 'gke');
  new MlPlatform(chart, 'platform', { cluster: GKE });
  new QueueFlavors(chart, 'flavors', { cluster: GKE });
  for (let i = 0; i < tenants; i++) {
    const name = `team-${i}`;
    const tenant = new Tenant(chart, name, { name, cluster: GKE, quota: { gpus: 8 }, queue: {} });
    new TfTrainingJob(chart, `job-${i}`, {
      namespace: name, cluster: GKE, queueName: tenant.queueName, image: 'tensorflow/tensorflow:2.21.0-gpu',
      strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
    });
  }
  const walks = jest.spyOn(Node.prototype, 'findAll');
  try {
    app.synth();
    return walks.mock.calls.length;
  } finally {
    walks.mockRestore();
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

test('synth walks the app as many times with 12 queued tenants as with 3', () => {
  expect(walksOfSynth(12)).toBe(walksOfSynth(3));
});
