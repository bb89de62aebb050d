import { JsonPatch } from 'cdk8s';
import { declareExternalObject, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests } from '../k8s-helpers';

const BASE: TfTrainingJobProps = {
  namespace: 'team-a',
  image: 'tensorflow/tensorflow:2.21.0',
  command: ['python', '/app/train.py'],
  strategy: TfStrategy.MULTI_WORKER_MIRRORED,
  chief: {},
  workers: { replicas: 2 },
  cluster: EKS_PROFILE,
};

describe('handles of TfTrainingJob', () => {
  test('indexed-job backend: one Job per role and the headless Service, patched through the handles', () => {
    let job!: TfTrainingJob;
    const docs = synthManifests((chart) => {
      job = new TfTrainingJob(chart, 'mnist', BASE);
      job.jobs.worker!.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { 'example.com/owner': 'team-a' }));
      job.headlessService!.metadata.addLabel('example.com/tier', 'training');
    });
    expect(Object.keys(job.jobs).sort()).toEqual(['chief', 'worker']);
    expect([job.jobs.chief!.kind, job.jobs.chief!.name]).toEqual(['Job', 'mnist-chief']);
    expect([job.headlessService!.kind, job.networkPolicy!.kind, job.serviceAccount!.kind]).toEqual(['Service', 'NetworkPolicy', 'ServiceAccount']);
    expect(job.jobSet).toBeUndefined();
    expect(job.tfJob).toBeUndefined();
    const worker = byKind(docs, 'Job').find((j) => j.metadata.name === 'mnist-worker');
    expect(worker.spec.template.metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
    expect(byKind(docs, 'Service')[0].metadata.labels['example.com/tier']).toBe('training');
  });

  test('JobSet and TFJob backends: the one object that runs the pods, and no Jobs or Service of the job\'s own', () => {
    synthManifests((chart) => {
      const jobSet = new TfTrainingJob(chart, 'a', { ...BASE, backend: TrainingBackend.JOBSET });
      const tfJob = new TfTrainingJob(chart, 'b', { ...BASE, backend: TrainingBackend.KUBEFLOW_TFJOB, serviceAccountName: 'trainer' });
      declareExternalObject(chart, 'ServiceAccount', 'team-a', 'trainer');
      expect([jobSet.jobSet!.kind, jobSet.jobSet!.toJson().spec.replicatedJobs.map((r: any) => r.name)]).toEqual(['JobSet', ['chief', 'worker']]);
      expect([jobSet.jobs, jobSet.headlessService, jobSet.tfJob]).toEqual([{}, undefined, undefined]);
      expect(Object.keys(tfJob.tfJob!.toJson().spec.tfReplicaSpecs)).toEqual(['Chief', 'Worker']);
      // The ServiceAccount is made elsewhere: the job has none of its own.
      expect(tfJob.serviceAccount).toBeUndefined();
    });
  });
});
