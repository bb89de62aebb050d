import { Cloud, ClusterProfile, TfStrategy, TfTrainingJob, TrainingBackend } from '../../lib';
import { synthManifests } from '../k8s-helpers';
import { PodEnd, restartDecision } from '../k8s/restart-policy';

/** The controller model on cases whose answer the Kubernetes, JobSet and training-operator sources give. */
const CPU = new ClusterProfile({
  cloud: Cloud.GKE,
  name: 'ci',
  kubernetesVersion: '1.33',
  capabilities: { devicePluginRequired: false, managedGpuDrivers: true, extendedResourceToleration: true, networkPolicyEnforced: true, workloadIdentity: true },
  pools: [{ name: 'cpu', machineType: 'e2-standard-8', gpusPerNode: 0, minNodes: 1, maxNodes: 3, spot: false, labels: {}, taints: [], devicePluginRequired: false }],
});
const synth = (backend: TrainingBackend, retryableExitCodes?: number[], maxRestarts = 2) => synthManifests((chart) => {
  new TfTrainingJob(chart, 'job', { namespace: 'a', image: 'tensorflow/tensorflow:2.21.0', cluster: CPU, strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, backend, retryableExitCodes, maxRestarts });
});
const end = (task: string, exitCode: number, disrupted = false): PodEnd => ({ task, exitCode, disrupted });

describe('restart model', () => {
  test('indexed Job: a crash counts; past backoffLimit the Job fails with BackoffLimitExceeded', () => {
    const docs = synth(TrainingBackend.INDEXED_JOB, undefined, 1);
    expect(restartDecision(docs, [end('worker-0', 1)])).toMatchObject({ failed: false, counted: 1, recreated: ['worker-0'] });
    expect(restartDecision(docs, [end('worker-0', 1), end('worker-1', 1)])).toMatchObject({ failed: true, reason: 'Job job-worker: BackoffLimitExceeded' });
  });

  test('a DisruptionTarget pattern without status matches a True condition, as the API server defaults it', () => {
    const docs = synth(TrainingBackend.INDEXED_JOB, [137]);
    delete docs.find((d) => d.kind === 'Job').spec.podFailurePolicy.rules[0].onPodConditions[0].status;
    expect(restartDecision(docs, [end('worker-0', 1, true)])).toMatchObject({ failed: false, counted: 0 });
  });

  test('JobSet: a counted failure restarts the whole set until maxRestarts is used up', () => {
    const docs = synth(TrainingBackend.JOBSET, undefined, 1);
    expect(restartDecision(docs, [end('worker-1', 1)])).toMatchObject({ failed: false, counted: 1, recreated: ['worker-0', 'worker-1'] });
    expect(restartDecision(docs, [end('worker-1', 1)], 1)).toMatchObject({ failed: true, reason: 'BackoffLimitExceeded: maxRestarts 1 used up' });
  });

  test('JobSet with retryable codes: a listed code restarts the set, another fails it through FailJobSet', () => {
    const docs = synth(TrainingBackend.JOBSET, [137]);
    expect(restartDecision(docs, [end('worker-0', 137)])).toMatchObject({ failed: false, counted: 1 });
    expect(restartDecision(docs, [end('worker-0', 2)])).toMatchObject({ failed: true, reason: 'child Job worker: PodFailurePolicy; rule permanent-exit-code: FailJobSet' });
  });

  test('TFJob under OnFailure counts every restart; under ExitCode 128-255 never count', () => {
    const docs = synth(TrainingBackend.KUBEFLOW_TFJOB);
    expect(restartDecision(docs, [end('worker-0', 137), end('worker-1', 143)])).toMatchObject({ failed: false, counted: 0 });
    const onFailure = JSON.parse(JSON.stringify(docs));
    onFailure.find((d: any) => d.kind === 'TFJob').spec.tfReplicaSpecs.Worker.restartPolicy = 'OnFailure';
    expect(restartDecision(onFailure, [end('worker-0', 137), end('worker-1', 143)])).toMatchObject({ failed: false, counted: 2 });
    expect(restartDecision(onFailure, [end('worker-0', 137), end('worker-1', 143)], 1)).toMatchObject({ failed: true, reason: 'backoffLimit exceeded' });
  });
});
