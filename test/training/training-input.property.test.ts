/**
 * TfTrainingJob under hostile input, typed and untyped: synth either fails listing problems or
 * writes objects that pass the Kubernetes and CRD (JobSet, TFJob) schemas, with every name valid
 * for its kind and no `undefined`, `NaN`, `Infinity` or `[object Object]`.
 */
import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { Accelerator, ClusterCharts, MlPlatform, Tenant, TfStrategy, TfTrainingJob, TrainingBackend, TrainingCapacity, TrainingCheckpoint, TrainingSuccess } from '../../lib';
import { dnsName, hostileInputSuite, hostileNumber, hostileString, mostly } from '../property-helpers';

const count = (min: number, max: number) => mostly(fc.integer({ min, max }), hostileNumber);
const text = (valid: fc.Arbitrary<string>) => mostly(valid, hostileString);
const seconds = mostly(fc.integer({ min: 1, max: 7200 }).map((s) => Duration.seconds(s)), hostileNumber.filter((n) => !(n < 0)).map((n) => Duration.millis(n)));

const role = (max: number) => fc.record({
  replicas: count(1, max),
  cpu: mostly(fc.constantFrom(0.5, 1, 4), hostileNumber),
  memoryGiB: mostly(fc.constantFrom(1, 8, 0.5), hostileNumber),
  gpus: mostly(fc.constantFrom(0, 1), hostileNumber),
  accelerator: fc.constantFrom(Accelerator.NVIDIA_L4, Accelerator.NVIDIA_T4),
  image: text(fc.constant('tensorflow/tensorflow:2.21.0-gpu')),
  command: fc.array(text(fc.constant('python')), { maxLength: 2 }),
  args: fc.array(hostileString, { maxLength: 2 }),
}, { requiredKeys: [] });

/** TfTrainingJob props a TypeScript caller can write: right types, values from valid to hostile. */
const typedProps = fc.record({
  name: text(dnsName),
  image: text(fc.constant('tensorflow/tensorflow:2.21.0')),
  command: fc.array(text(fc.constant('python')), { maxLength: 2 }),
  args: fc.array(hostileString, { maxLength: 2 }),
  env: fc.dictionary(text(fc.constantFrom('EPOCHS', 'DATA_DIR')), hostileString, { maxKeys: 2 }),
  strategy: fc.constantFrom(...Object.values(TfStrategy)),
  chief: role(1),
  workers: role(6),
  parameterServers: role(2),
  evaluator: role(1),
  port: count(1, 65535),
  backend: fc.constantFrom(...Object.values(TrainingBackend)),
  maxRestarts: count(0, 10),
  retryableExitCodes: fc.array(count(1, 255), { maxLength: 2 }),
  gracePeriod: seconds,
  activeDeadline: seconds,
  ttlAfterFinished: seconds,
  priorityClassName: text(fc.constantFrom('ml-training-high', 'ml-training-preemptible')),
  serviceAccountName: text(fc.constant('trainer')),
  cloudIdentity: text(fc.constant('arn:aws:iam::1:role/trainer')),
  checkpoint: fc.oneof(text(fc.constant('s3://ckpt/run')).map((u) => TrainingCheckpoint.bucket(u)), fc.constant(TrainingCheckpoint.volume({ name: 'ckpt' }))),
  capacity: fc.constantFrom(...Object.values(TrainingCapacity)),
  queueName: text(fc.constant('training')),
  successPolicy: fc.constantFrom(...Object.values(TrainingSuccess)),
}, { requiredKeys: ['image', 'strategy', 'workers'] }).chain((all) => fc.subarray(Object.keys(all), { maxLength: 4 })
  // A few fields at a time, so that runs reach the output side as well as the refusals.
  .map((keys) => Object.fromEntries(Object.entries(all).filter(([key]) => ['image', 'strategy', 'workers'].includes(key) || keys.includes(key)))));

const FIELDS = ['name', 'namespace', 'image', 'strategy', 'workers', 'chief', 'parameterServers', 'env', 'port', 'backend', 'activeDeadline', 'checkpoint', 'capacity'];

function build(props: unknown) {
  return (charts: ClusterCharts) => {
    new MlPlatform(charts.platform, 'platform');
    const tenant = new Tenant(charts.tenant('research'), 'tenant', { quota: { gpus: 16 }, identities: { trainer: 'arn:aws:iam::1:role/trainer' } });
    tenant.addVolumeClaim('ckpt', { storage: '10Gi', readWriteMany: true });
    new TfTrainingJob(charts.tenant('research'), 'train', props as any);
  };
}

hostileInputSuite('TfTrainingJob', typedProps, FIELDS, build);
