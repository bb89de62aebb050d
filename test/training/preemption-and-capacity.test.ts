import { Duration } from 'cdk8s';
import {
  Accelerator, Cloud, ClusterProfile, NodeLabels, TfStrategy, TfTrainingJob, TfTrainingJobProps, TrainingBackend, TrainingCapacity, TrainingCheckpoint, TrainingSuccess,
} from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { schemaErrors } from '../k8s/schema';

const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;
const SPOT_TAINT = { key: 'ml-platform.io/spot', value: 'true', effect: 'NoSchedule' } as const;

/** A cluster of `cloud` with an on-demand and a spot L4 pool, both labelled with their capacity. */
function profile(cloud: Cloud | string = Cloud.EKS, objectStores?: Array<{ scheme: string }>): ClusterProfile {
  const labels = (spot: boolean) => ({ [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.CAPACITY]: spot ? 'spot' : 'on-demand' });
  return new ClusterProfile({
    cloud,
    name: 'c',
    kubernetesVersion: '1.33',
    capabilities: { devicePluginRequired: true, managedGpuDrivers: true, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: true },
    pools: [
      { name: 'l4', machineType: 'm', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: 2, spot: false, labels: labels(false), taints: [GPU_TAINT], devicePluginRequired: true },
      { name: 'l4spot', machineType: 'm', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 0, maxNodes: 2, spot: true, labels: labels(true), taints: [GPU_TAINT, SPOT_TAINT], devicePluginRequired: true },
    ],
    ...(objectStores ? { facts: { loadBalancer: { internalAnnotations: {}, externalAnnotations: {} }, metadata: { blockedCidrs: [], identityEndpoints: [] }, objectStores } } : {}),
  });
}

const BASE: TfTrainingJobProps = {
  namespace: 'team-a',
  image: 'tensorflow/tensorflow:2.21.0-gpu',
  strategy: TfStrategy.MULTI_WORKER_MIRRORED,
  workers: { replicas: 3, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
  cluster: profile(),
};
const synth = (props: Partial<TfTrainingJobProps>) => synthManifests((chart) => new TfTrainingJob(chart, 'job', { ...BASE, ...props }));
const fail = (props: Partial<TfTrainingJobProps>) => synthManifestsError((chart) => new TfTrainingJob(chart, 'job', { ...BASE, ...props }));
const podSpecs = (docs: any[]) => [
  ...byKind(docs, 'Job').map((j) => j.spec.template.spec),
  ...byKind(docs, 'JobSet').flatMap((j) => j.spec.replicatedJobs.map((r: any) => r.template.spec.template.spec)),
  ...byKind(docs, 'TFJob').flatMap((j) => Object.values<any>(j.spec.tfReplicaSpecs).map((r) => r.template.spec)),
];

describe('capacity', () => {
  test('on-demand (the default): the on-demand label, no spot toleration', () => {
    const [pod] = podSpecs(synth({}));
    expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.CAPACITY]: 'on-demand' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    expect(pod.affinity).toBeUndefined();
  });

  test('spot only: the spot label and the spot toleration, so no worker lands on-demand', () => {
    const [pod] = podSpecs(synth({ backend: TrainingBackend.JOBSET, capacity: TrainingCapacity.SPOT }));
    expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4', [NodeLabels.CAPACITY]: 'spot' });
    expect(pod.tolerations).toContainEqual({ key: 'ml-platform.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
  });

  test('on-demand first, then spot: spot tolerated, on-demand preferred', () => {
    const [pod] = podSpecs(synth({ backend: TrainingBackend.KUBEFLOW_TFJOB, capacity: TrainingCapacity.ON_DEMAND_THEN_SPOT }));
    expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
    expect(pod.tolerations).toContainEqual({ key: 'ml-platform.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, preference: { matchExpressions: [{ key: 'ml-platform.io/capacity', operator: 'In', values: ['on-demand'] }] } },
    ]);
  });

  test('a profile whose pools carry no capacity label gets no capacity selector (taints still keep on-demand jobs off spot)', () => {
    const [pod] = podSpecs(synth({ cluster: EKS_PROFILE }));
    expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
    expect(pod.tolerations.map((t: any) => t.key)).toEqual(['nvidia.com/gpu']);
  });

  test('a single-task indexed job may run on spot: there is no group to restart', () => {
    expect(() => synth({ capacity: TrainingCapacity.SPOT, workers: { replicas: 1, gpus: 1, accelerator: Accelerator.NVIDIA_L4 } })).not.toThrow();
  });
});

describe('preemption', () => {
  test('the grace period defaults to 2 minutes and can be set', () => {
    expect(podSpecs(synth({})).map((p) => p.terminationGracePeriodSeconds)).toEqual([120]);
    expect(podSpecs(synth({ backend: TrainingBackend.KUBEFLOW_TFJOB, gracePeriod: Duration.minutes(10) })).map((p) => p.terminationGracePeriodSeconds)).toEqual([600]);
  });

  test('JobSet: preemption exits are ignored by the child Job; counted failures restart the set', () => {
    const [jobSet] = byKind(synth({ backend: TrainingBackend.JOBSET }), 'JobSet');
    const child = jobSet.spec.replicatedJobs[0].template.spec;
    expect(child.backoffLimit).toBe(0);
    expect(child.podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['Ignore', 'Ignore']);
    expect(jobSet.spec.failurePolicy).toEqual({ maxRestarts: 3 });
  });

  test('TFJob: ExitCode on every replica type, codes 128-255 may be listed as retryable', () => {
    const [tfJob] = byKind(synth({ backend: TrainingBackend.KUBEFLOW_TFJOB, retryableExitCodes: [137] }), 'TFJob');
    expect(tfJob.spec.tfReplicaSpecs.Worker.restartPolicy).toBe('ExitCode');
  });
});

describe('success policies', () => {
  const psJob: Partial<TfTrainingJobProps> = { strategy: TfStrategy.PARAMETER_SERVER, chief: {}, parameterServers: {}, evaluator: {}, workers: { replicas: 2 } };

  test.each<[TrainingSuccess, string[]]>([
    [TrainingSuccess.CHIEF, ['chief']],
    [TrainingSuccess.CHIEF_AND_EVALUATOR, ['chief', 'evaluator']],
    [TrainingSuccess.ALL_WORKERS, ['chief', 'worker']],
  ])('JobSet %s ends on %j', (successPolicy, targets) => {
    const docs = synth({ ...psJob, backend: TrainingBackend.JOBSET, successPolicy });
    expect(byKind(docs, 'JobSet')[0].spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: targets });
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('TFJob: all workers maps to the operator\'s AllWorkers; chief is its default', () => {
    expect(byKind(synth({ ...psJob, backend: TrainingBackend.KUBEFLOW_TFJOB, successPolicy: TrainingSuccess.ALL_WORKERS }), 'TFJob')[0].spec.successPolicy).toBe('AllWorkers');
    expect(byKind(synth({ ...psJob, backend: TrainingBackend.KUBEFLOW_TFJOB }), 'TFJob')[0].spec.successPolicy).toBeUndefined();
  });

  test('indexed job, all workers: every index must succeed, not only worker 0', () => {
    expect(byKind(synth({ successPolicy: TrainingSuccess.ALL_WORKERS }), 'Job')[0].spec.successPolicy).toBeUndefined();
  });
});

describe('checkpoints and identity', () => {
  test('cloudIdentity annotates the job\'s own ServiceAccount from the profile, and labels pods where the cloud needs it', () => {
    const aks = synth({ cluster: profile(Cloud.AKS), cloudIdentity: '00000000-0000-0000-0000-000000000009' });
    expect(byKind(aks, 'ServiceAccount')[0].metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000009' });
    expect(byKind(aks, 'Job')[0].spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
  });

  test('a gs:// checkpoint on a cluster that reads Cloud Storage, with an identity, is written as CHECKPOINT_DIR', () => {
    const docs = synth({ cluster: profile(Cloud.GKE), checkpoint: TrainingCheckpoint.bucket('gs://acme/ckpt'), cloudIdentity: 'trainer@p.iam.gserviceaccount.com' });
    expect(byKind(docs, 'Job')[0].spec.template.spec.containers[0].env).toContainEqual({ name: 'CHECKPOINT_DIR', value: 'gs://acme/ckpt' });
  });

  test('an image that opens s3:// itself may checkpoint to S3 on a cluster that reads it', () => {
    expect(() => synth({ checkpoint: TrainingCheckpoint.bucket('s3://acme/ckpt', { imageReadsScheme: true }), cloudIdentity: 'arn:aws:iam::1:role/t' })).not.toThrow();
  });
});

describe('fails when', () => {
  test.each<[string, Partial<TfTrainingJobProps>, string]>([
    ['a multi-worker indexed job may run on spot', { capacity: TrainingCapacity.ON_DEMAND_THEN_SPOT }, 'SPOT_NEEDS_GROUP_RESTART: Training job "job" has 3 tasks on spot capacity, but the indexed-job backend restarts a reclaimed task alone'],
    ['spot is asked for where no spot pool exists', { cluster: new ClusterProfile({ ...EKS_PROFILE.toJson(), pools: EKS_PROFILE.pools.filter((p) => !p.spot) }), backend: TrainingBackend.JOBSET, capacity: TrainingCapacity.SPOT }, 'ACCELERATOR_NOT_IN_CLUSTER: No spot pool of cluster "ml-eks" carries NVIDIA L4'],
    ['the grace period is zero', { gracePeriod: Duration.seconds(0) }, 'GRACE_PERIOD_INVALID'],
    ['TFJob is asked to wait for the evaluator', { backend: TrainingBackend.KUBEFLOW_TFJOB, successPolicy: TrainingSuccess.CHIEF_AND_EVALUATOR }, 'SUCCESS_POLICY_UNSUPPORTED: The kubeflow-tfjob backend cannot wait for the evaluator'],
    ['JobSet is asked to wait for an evaluator it lacks', { backend: TrainingBackend.JOBSET, successPolicy: TrainingSuccess.CHIEF_AND_EVALUATOR }, 'SUCCESS_POLICY_UNSUPPORTED: The job waits for an evaluator it does not have.'],
    ['cloudIdentity and serviceAccountName are both given', { cloudIdentity: 'arn:aws:iam::1:role/t', serviceAccountName: 'trainer' }, 'IDENTITY_CONFLICT'],
    ['an s3:// checkpoint with the stock image', { checkpoint: TrainingCheckpoint.bucket('s3://acme/ckpt'), cloudIdentity: 'arn:aws:iam::1:role/t' }, 'CHECKPOINT_SCHEME_UNSUPPORTED: TensorFlow has had no s3:// file system since 2.6 (it moved to tensorflow-io), and Mountpoint for Amazon S3 cannot rename files'],
    ['an abfss:// checkpoint', { cluster: profile(Cloud.AKS), checkpoint: TrainingCheckpoint.bucket('abfss://ckpt@acme.dfs.core.windows.net/resnet'), cloudIdentity: 'x' }, 'CHECKPOINT_SCHEME_UNSUPPORTED: abfss:// is a Hadoop scheme, not a TensorFlow one'],
    ['an az:// checkpoint', { cluster: profile(Cloud.AKS), checkpoint: TrainingCheckpoint.bucket('az://acme/ckpt'), cloudIdentity: 'x' }, 'CHECKPOINT_SCHEME_UNSUPPORTED: TensorFlow has no Azure Blob file system'],
    ['a gs:// checkpoint from a cluster that cannot read Cloud Storage', { checkpoint: TrainingCheckpoint.bucket('gs://acme/ckpt'), cloudIdentity: 'arn:aws:iam::1:role/t' }, 'CHECKPOINT_STORE_UNREACHABLE: Pods of cluster "c" cannot reach gs:// buckets with their identity; the profile lists s3://.'],
    ['a hand-written profile lists no store', { cluster: profile('on-prem', []), checkpoint: TrainingCheckpoint.bucket('gs://acme/ckpt') }, 'CHECKPOINT_STORE_UNREACHABLE: Pods of cluster "c" cannot reach gs:// buckets with their identity; the profile lists no object store.'],
    ['a bucket checkpoint has no identity', { cluster: profile(Cloud.GKE), checkpoint: TrainingCheckpoint.bucket('gs://acme/ckpt') }, 'CHECKPOINT_IDENTITY_MISSING: The job writes checkpoints to gs://acme/ckpt but its pods have no cloud identity'],
    ['a cloud identity on a cluster without workload identity', { cluster: profile('on-prem', []), cloudIdentity: 'someone' }, 'WORKLOAD_IDENTITY_UNSUPPORTED'],
  ])('%s', (_, props, text) => {
    const message = fail(props);
    expect(message).toContain(`[test/job] ${text}`);
    expect(message).toMatch(/Received: .+\. Fix: .+/);
  });
});
