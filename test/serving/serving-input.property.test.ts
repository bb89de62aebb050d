/**
 * TfServing under hostile input, typed and untyped: synth either fails listing problems (each with
 * construct path, code, value and fix) or writes objects that pass the Kubernetes and CRD schemas,
 * with every name valid for its kind and no `undefined`, `NaN`, `Infinity` or `[object Object]`.
 * Counterexamples are kept as named cases in test/input-regressions.test.ts.
 */
import fc from 'fast-check';
import { Accelerator, ClusterCharts, MlPlatform, ModelDelivery, ModelVersionPolicy, ServingExposure, Tenant, TfServing } from '../../lib';
import { dnsName, hostileInputSuite, hostileNumber, hostileString, mostly } from '../property-helpers';

const count = (min: number, max: number) => mostly(fc.integer({ min, max }), hostileNumber);
const text = (valid: fc.Arbitrary<string>) => mostly(valid, hostileString);
const versions = fc.array(count(1, 4), { minLength: 0, maxLength: 3 });

const model = fc.constantFrom('resnet', 'bert', 'm').chain((name) => fc.record({
  name: text(fc.constant(name)),
  basePath: text(fc.constantFrom(`/models/${name}`, `s3://models/${name}`, `s3://models/${name}/v2`)),
  versions: fc.option(fc.oneof({ arbitrary: fc.constant(ModelVersionPolicy.specific(1, 2)), weight: 4 }, versions.map((v) => ModelVersionPolicy.specific(...v)), count(1, 3).map((n) => ModelVersionPolicy.latest(n)), fc.constant(ModelVersionPolicy.all())), { nil: undefined }),
  labels: fc.option(fc.oneof({ arbitrary: fc.constant({ stable: 1 }), weight: 4 }, fc.dictionary(text(fc.constantFrom('stable', 'canary')), count(1, 4), { maxKeys: 2 })), { nil: undefined }),
}, { requiredKeys: ['name', 'basePath'] }));

const exposure = fc.oneof(
  fc.constant(ServingExposure.clusterInternal()),
  fc.record({ internal: fc.boolean(), sourceRanges: fc.array(text(fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24')), { maxLength: 2 }) }, { requiredKeys: [] }).map((o) => ServingExposure.loadBalancer(o)),
  fc.record({
    host: text(fc.constantFrom('models.acme.dev', '*.acme.dev')),
    className: text(fc.constant('nginx')),
    tlsSecretName: text(fc.constant('tls')),
    extraPaths: fc.array(fc.record({ path: text(fc.constantFrom('/v1/models/x', '/health')), canary: fc.boolean() }, { requiredKeys: ['path'] }), { maxLength: 2 }),
    versionRoutes: fc.array(fc.record({ prefix: text(fc.constantFrom('/v1/resnet', '/v2/resnet', '/a.b', '/a_b')), model: text(fc.constantFrom('resnet', 'bert')), version: count(1, 4) }), { maxLength: 3 }),
  }, { requiredKeys: ['host'] }).map((o) => ServingExposure.ingress(o)),
);

/** TfServing props a TypeScript caller can write: right types, values from valid to hostile. */
const typedProps = fc.record({
  name: text(dnsName),
  models: fc.oneof({ arbitrary: fc.uniqueArray(model, { minLength: 1, maxLength: 3, selector: (m) => m.name }), weight: 9 }, { arbitrary: fc.constant([]), weight: 1 }),
  image: text(fc.constantFrom('tensorflow/serving:2.18.0', 'tensorflow/serving:2.18.0-gpu')),
  gpus: count(0, 2),
  accelerator: fc.constantFrom(Accelerator.NVIDIA_L4, Accelerator.NVIDIA_T4),
  cpu: mostly(fc.constantFrom(0.5, 1, 2, 1.25), hostileNumber),
  memoryGiB: mostly(fc.constantFrom(1, 4, 0.5), hostileNumber),
  batching: fc.record({ maxBatchSize: count(1, 64), batchTimeoutMicros: count(0, 5000), numBatchThreads: count(1, 8), maxEnqueuedBatches: count(1, 200) }, { requiredKeys: [] }),
  warmup: fc.boolean(),
  replicas: count(1, 4),
  autoscaling: fc.record({
    minReplicas: count(1, 3), maxReplicas: count(1, 6), targetCpuUtilization: count(1, 100), targetMemoryUtilization: count(1, 100),
    podMetric: fc.record({ name: text(fc.constant('requests_per_second')), targetAverageValue: text(fc.constantFrom('100', '500m')) }),
  }, { requiredKeys: ['minReplicas', 'maxReplicas'] }),
  expose: exposure,
  canary: fc.record({ weight: count(0, 100), model: text(fc.constantFrom('resnet', 'bert')), version: count(1, 4), image: text(fc.constant('tensorflow/serving:2.19.0')) }, { requiredKeys: ['weight'] }),
  cloudIdentity: text(fc.constant('arn:aws:iam::1:role/serving')),
  modelDelivery: fc.constantFrom(ModelDelivery.csiMount(), ModelDelivery.imageReads('s3')),
  modelPollSeconds: count(0, 120),
  modelVolume: fc.record({ claimName: text(fc.constant('models')), mountPath: text(fc.constant('/models')) }, { requiredKeys: ['claimName'] }),
  prometheusOperator: fc.boolean(),
  alerts: fc.record({ errorRatio: mostly(fc.constantFrom(0.01, 0.05), hostileNumber), p99LatencyMs: count(1, 2000) }, { requiredKeys: [] }),
  priorityClassName: text(fc.constant('ml-serving-critical')),
}, { requiredKeys: ['models'] }).chain((all) => fc.subarray(Object.keys(all), { maxLength: 4 })
  // A few fields at a time, so that runs reach the output side as well as the refusals.
  .map((keys) => Object.fromEntries(Object.entries(all).filter(([key]) => ['models', 'cloudIdentity', 'modelVolume'].includes(key) || keys.includes(key)))));

const FIELDS = ['name', 'namespace', 'models', 'image', 'cluster', 'gpus', 'accelerator', 'cpu', 'memoryGiB', 'batching', 'replicas', 'autoscaling', 'expose', 'canary', 'modelVolume', 'alerts'];

function build(props: unknown) {
  return (charts: ClusterCharts) => {
    new MlPlatform(charts.platform, 'platform');
    const tenant = new Tenant(charts.tenant('research'), 'tenant', { quota: { gpus: 16 } });
    tenant.addVolumeClaim('models', { storage: '10Gi' });
    tenant.declareExternalSecret('tls');
    new TfServing(charts.tenant('research'), 'serve', props as any);
  };
}

hostileInputSuite('TfServing', typedProps, FIELDS, build);
