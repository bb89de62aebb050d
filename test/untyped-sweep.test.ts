/**
 * Every public constructor, method and factory called the way a plain-JavaScript or JSON-config
 * caller can: no props, null, wrong types, missing required fields, unknown fields. The only
 * acceptable outcome is a listed problem (path, code, received, fix), recorded for synth or thrown
 * as a ValidationError by a function that runs outside a construct tree; never a raw exception,
 * and never output written as if nothing were wrong.
 */
import { Testing } from 'cdk8s';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App as TfApp, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ClusterCharts, ClusterProfile, EksBlockStorage, EksSharedFileSystem, PodTemplate, collectValidationErrors, declareExternalNamespace, declareExternalObject, GitOpsDelivery, GitOpsEngine, ModelDelivery, ModelVersionPolicy,
  QueueFlavors, S3StateLocking, ServingExposure, StateBackend, synthPlatform, Tenant, TenantQueue, TfServing, TrainingCheckpoint, ValidationError, waivePolicy, WorkloadKinds,
} from '../lib';
import { EKS_PROFILE } from './fixtures';
import { PROBLEM_LINE } from './property-helpers';

interface Context {
  readonly k8s: ReturnType<typeof Testing.app>;
  readonly charts: ClusterCharts;
  readonly tenant: Tenant;
  readonly tf: TfApp;
  readonly stack: TerraformStack;
  /** A well-formed EKS cluster resource in `stack`, for the storage constructs. */
  eks(): EksClusterResource;
  /** A well-formed serving stack in the tenant's namespace, for its methods. */
  serving(): TfServing;
}

/** `listed`, `accepted` (no problem, output rendered) or what was thrown instead. */
function outcomeOf(act: (ctx: Context) => unknown): string {
  const k8s = Testing.app();
  const charts = new ClusterCharts(k8s, EKS_PROFILE);
  const tenant = new Tenant(charts.tenant('t'), 'tenant', {});
  tenant.addVolumeClaim('models', { storage: '1Gi' });
  const tf = new TfApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-tf-')) });
  const stack = new TerraformStack(tf, 'stack');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const serving = () => new TfServing(charts.tenant('t'), 's', { models: [{ name: 'm', basePath: '/models/m', versions: ModelVersionPolicy.specific(1) }], modelVolume: { claimName: 'models' } });
  try {
    const eks = () => new EksClusterResource(stack, 'eks', { name: 'ml', roleArn: 'arn:aws:iam::1:role/eks', vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] } });
    act({ k8s, charts, tenant, tf, stack, eks, serving });
    const errors = [...collectValidationErrors(k8s), ...collectValidationErrors(tf)];
    if (errors.length > 0) {
      const unlisted = errors.filter((e) => !PROBLEM_LINE.test(e));
      return unlisted.length === 0 ? 'listed' : `unlisted: ${unlisted[0]}`;
    }
    k8s.charts.forEach((chart) => chart.toJson());
    stack.toTerraform();
    return 'accepted';
  } catch (error) {
    if (error instanceof ValidationError && error.errors.length > 0 && error.errors.every((e) => PROBLEM_LINE.test(e))) return 'listed';
    return `raw: ${(error as Error).name}: ${String((error as Error).message).split('\n')[0]}`;
  }
}

const js = (value: unknown): any => value;
const GOOD_DELIVERY = { engine: GitOpsEngine.ARGO_CD, repoUrl: 'https://github.com/acme/platform.git' };
const GOOD_S3 = { bucket: 'acme-state', region: 'eu-west-1', locking: S3StateLocking.lockfile() };
const GOOD_AZURE = { resourceGroupName: 'rg', storageAccountName: 'acmestate', containerName: 'tfstate' };
const GOOD_SIDECAR = { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0@sha256:' + 'a'.repeat(64), resources: { cpu: 0.1, memoryGiB: 0.25 },
  readinessProbe: { exec: { command: ['ready'] } }, livenessProbe: { exec: { command: ['alive'] } } };
const queueInput = (over: object = {}) => ({ tenant: 't', cluster: EKS_PROFILE, gpus: 0, cpu: '4', memory: '8Gi', ...over });

/** [API, input, call]: each must be refused with listed problems. */
const SWEEP: ReadonlyArray<readonly [string, string, (ctx: Context) => unknown]> = [
  ['new GitOpsDelivery', 'no props', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js(undefined))],
  ['new GitOpsDelivery', 'null', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js(null))],
  ['new GitOpsDelivery', 'a string', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js('https://github.com/acme/platform.git'))],
  ['new GitOpsDelivery', 'repoUrl missing', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js({ engine: GitOpsEngine.FLUX }))],
  ['new GitOpsDelivery', 'repoUrl a number', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js({ ...GOOD_DELIVERY, repoUrl: 42 }))],
  ['new GitOpsDelivery', 'branch a number', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js({ ...GOOD_DELIVERY, branch: 7 }))],
  ['new GitOpsDelivery', 'prune "no"', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js({ ...GOOD_DELIVERY, prune: 'no' }))],
  ['new GitOpsDelivery', 'unknown field repoURL', ({ k8s }) => new GitOpsDelivery(k8s, 'd', js({ ...GOOD_DELIVERY, repoURL: 'x' }))],
  ['new GitOpsDelivery', 'app not an App', () => new GitOpsDelivery(js(undefined), 'd', GOOD_DELIVERY)],
  ['new TenantQueue', 'no input, no options', ({ charts }) => new TenantQueue(charts.platform, 'q', js(undefined), js(undefined))],
  ['new TenantQueue', 'input null', ({ charts }) => new TenantQueue(charts.platform, 'q', js(null), {})],
  ['new TenantQueue', 'cluster missing', ({ charts }) => new TenantQueue(charts.platform, 'q', js(queueInput({ cluster: undefined })), {})],
  ['new TenantQueue', 'gpus a string', ({ charts }) => new TenantQueue(charts.platform, 'q', js(queueInput({ gpus: '2' })), {})],
  ['new TenantQueue', 'options null', ({ charts }) => new TenantQueue(charts.platform, 'q', queueInput(), js(null))],
  ['new TenantQueue', 'unknown option cohorts', ({ charts }) => new TenantQueue(charts.platform, 'q', queueInput(), js({ cohorts: 'a' }))],
  ['new QueueFlavors', 'props null', ({ charts }) => new QueueFlavors(charts.platform, 'f', js(null))],
  ['new QueueFlavors', 'cluster a string', ({ charts }) => new QueueFlavors(charts.platform, 'f', js({ cluster: 'ml-eks' }))],
  ['new QueueFlavors', 'unknown field clusters', ({ charts }) => new QueueFlavors(charts.platform, 'f', js({ clusters: EKS_PROFILE }))],
  ['StateBackend.s3', 'no props', ({ stack }) => StateBackend.s3(js(undefined)).applyTo(stack)],
  ['StateBackend.s3', 'locking missing', ({ stack }) => StateBackend.s3(js({ bucket: 'acme-state', region: 'eu-west-1' })).applyTo(stack)],
  ['StateBackend.s3', 'locking "lockfile" (a string)', ({ stack }) => StateBackend.s3(js({ ...GOOD_S3, locking: 'lockfile' })).applyTo(stack)],
  ['StateBackend.s3', 'unknown field encrypt', ({ stack }) => StateBackend.s3(js({ ...GOOD_S3, encrypt: false })).applyTo(stack)],
  ['StateBackend.s3', 'kmsKeyId a number', ({ stack }) => StateBackend.s3(js({ ...GOOD_S3, kmsKeyId: 5 })).applyTo(stack)],
  ['S3StateLocking.dynamoDb', 'table a number', ({ stack }) => StateBackend.s3({ ...GOOD_S3, locking: S3StateLocking.dynamoDb(js(5)) }).applyTo(stack)],
  ['S3StateLocking.dynamoDb', 'table ""', ({ stack }) => StateBackend.s3({ ...GOOD_S3, locking: S3StateLocking.dynamoDb('') }).applyTo(stack)],
  ['StateBackend.gcs', 'no props', ({ stack }) => StateBackend.gcs(js(undefined)).applyTo(stack)],
  ['StateBackend.gcs', 'null', ({ stack }) => StateBackend.gcs(js(null)).applyTo(stack)],
  ['StateBackend.gcs', 'unknown field prefixes', ({ stack }) => StateBackend.gcs(js({ bucket: 'acme-state', prefixes: 'x' })).applyTo(stack)],
  ['StateBackend.azurerm', 'no props', ({ stack }) => StateBackend.azurerm(js(undefined)).applyTo(stack)],
  ['StateBackend.azurerm', 'empty object (names read as "undefined")', ({ stack }) => StateBackend.azurerm(js({})).applyTo(stack)],
  ['StateBackend.azurerm', 'resourceGroupName missing', ({ stack }) => StateBackend.azurerm(js({ ...GOOD_AZURE, resourceGroupName: undefined })).applyTo(stack)],
  ['StateBackend.azurerm', 'unknown field key', ({ stack }) => StateBackend.azurerm(js({ ...GOOD_AZURE, key: 'x' })).applyTo(stack)],
  ['new PodTemplate', 'no props', () => new PodTemplate(js(undefined))],
  ['new PodTemplate', 'labels of numbers, no service account', () => new PodTemplate(js({ labels: { app: 1 } }))],
  ['new ClusterProfile', 'no data', () => new ClusterProfile(js(undefined))],
  ['new ClusterProfile', '{} (then read by ClusterCharts)', ({ k8s }) => new ClusterCharts(k8s, new ClusterProfile(js({})))],
  ['new ClusterProfile', 'pools a string', () => new ClusterProfile(js({ ...EKS_PROFILE.toJson(), pools: 'gpu' }))],
  ['new ClusterCharts', 'no cluster', ({ k8s }) => new ClusterCharts(k8s, js(undefined))],
  ['new ClusterCharts', 'app not an App', () => new ClusterCharts(js(undefined), EKS_PROFILE)],
  ['ClusterCharts.tenant', 'name missing', ({ charts }) => charts.tenant(js(undefined))],
  ['ClusterCharts.tenant', 'name a number', ({ charts }) => charts.tenant(js(5))],
  ['waivePolicy', 'reason missing', ({ tenant }) => waivePolicy(tenant, 'PRIVILEGED_POD' as any, js(undefined))],
  ['waivePolicy', 'rule missing', ({ tenant }) => waivePolicy(tenant, js(undefined), 'the vendor chart needs it for its agent')],
  ['waivePolicy', 'scope not a construct', () => waivePolicy(js(null), 'PRIVILEGED_POD' as any, 'the vendor chart needs it for its agent')],
  ['declareExternalNamespace', 'namespace missing', ({ tenant }) => declareExternalNamespace(tenant, js(undefined))],
  ['declareExternalNamespace', 'scope not a construct', () => declareExternalNamespace(js(undefined), 'monitoring')],
  ['declareExternalObject', 'kind a number', ({ tenant }) => declareExternalObject(tenant, js(5), 't', 'x')],
  ['declareExternalObject', 'name missing', ({ tenant }) => declareExternalObject(tenant, 'Secret', 't', js(undefined))],
  ['synthPlatform', 'no apps', () => synthPlatform(js(undefined))],
  ['synthPlatform', 'null', () => synthPlatform(js(null))],
  ['synthPlatform', 'kubernetes a string', () => synthPlatform(js({ kubernetes: 'dist' }))],
  ['synthPlatform', 'terraform is a cdk8s App', ({ k8s }) => synthPlatform(js({ terraform: k8s }))],
  ['synthPlatform', 'unknown field k8s', ({ k8s }) => synthPlatform(js({ k8s }))],
  ['Tenant.addVolumeClaim', 'no options', ({ tenant }) => tenant.addVolumeClaim('data', js(undefined))],
  ['Tenant.addVolumeClaim', 'storage missing', ({ tenant }) => tenant.addVolumeClaim('data', js({}))],
  ['Tenant.addVolumeClaim', 'storage a number', ({ tenant }) => tenant.addVolumeClaim('data', js({ storage: 10 }))],
  ['Tenant.addVolumeClaim', 'name a number', ({ tenant }) => tenant.addVolumeClaim(js(5), { storage: '1Gi' })],
  ['Tenant.addVolumeClaim', 'storageClassName a number', ({ tenant }) => tenant.addVolumeClaim('data', js({ storage: '1Gi', storageClassName: 3 }))],
  ['Tenant.addVolumeClaim', 'unknown option readWriteMnay', ({ tenant }) => tenant.addVolumeClaim('data', js({ storage: '1Gi', readWriteMnay: true }))],
  ['Tenant.addServiceAccount', 'name missing', ({ tenant }) => tenant.addServiceAccount(js(undefined))],
  ['Tenant.addServiceAccount', 'identity a number', ({ tenant }) => tenant.addServiceAccount('runner', js(5))],
  ['Tenant.declareExternalSecret', 'name missing', ({ tenant }) => tenant.declareExternalSecret(js(undefined))],
  ['TfServing.addEnvFromSecret', 'nothing', ({ serving }) => serving().addEnvFromSecret(js(undefined), js(undefined), js(undefined))],
  ['TfServing.addEnvFromSecret', 'secret null', ({ serving }) => serving().addEnvFromSecret('TOKEN', js(null), 'token')],
  ['TfServing.addEnvFromSecret', 'key a number', ({ serving }) => serving().addEnvFromSecret('TOKEN', 'api', js(1))],
  ['TfServing.addVolume', 'no volume', ({ serving }) => serving().addVolume(js(undefined))],
  ['TfServing.addVolume', 'volume without name', ({ serving }) => serving().addVolume(js({ emptyDir: {} }), { mountPath: '/cache' })],
  ['TfServing.addVolume', 'mountPath a number', ({ serving }) => serving().addVolume({ name: 'cache', emptyDir: {} }, js({ mountPath: 5 }))],
  ['TfServing.addVolume', 'unknown mount field readonly', ({ serving }) => serving().addVolume({ name: 'cache', emptyDir: {} }, js({ mountPath: '/cache', readonly: true }))],
  ['TfServing.addSidecar', 'no container', ({ serving }) => serving().addSidecar(js(undefined))],
  ['TfServing.addSidecar', 'resources missing', ({ serving }) => serving().addSidecar(js({ name: 'proxy', image: GOOD_SIDECAR.image }))],
  ['TfServing.addSidecar', 'cpu a string', ({ serving }) => serving().addSidecar(js({ ...GOOD_SIDECAR, resources: { cpu: '100m', memoryGiB: 1 } }))],
  ['TfServing.addSidecar', 'unknown field imagePullPolicy', ({ serving }) => serving().addSidecar(js({ ...GOOD_SIDECAR, imagePullPolicy: 'Always' }))],
  ['ServingExposure.ingress', 'no options', () => ServingExposure.ingress(js(undefined))],
  ['ServingExposure.ingress', 'a version route without version', () => ServingExposure.ingress(js({ host: 'm.acme.dev', versionRoutes: [{ prefix: '/v1', model: 'm' }] }))],
  ['ServingExposure.loadBalancer', 'null', () => ServingExposure.loadBalancer(js(null))],
  ['ServingExposure.loadBalancer', 'sourceRanges a string', () => ServingExposure.loadBalancer(js({ internal: false, sourceRanges: '10.0.0.0/8' }))],
  ['ModelDelivery.imageReads', 'a number', () => ModelDelivery.imageReads(js(5))],
  ['TrainingCheckpoint.bucket', 'options null', () => TrainingCheckpoint.bucket('gs://acme/ckpt', js(null))],
  ['TrainingCheckpoint.bucket', 'uri missing', () => TrainingCheckpoint.bucket(js(undefined))],
  ['TrainingCheckpoint.volume', 'claim missing', () => TrainingCheckpoint.volume(js(undefined))],
  ['new EksBlockStorage', 'no cluster', ({ stack }) => new EksBlockStorage(stack, 'ebs', js(undefined), 'ml')],
  ['new EksBlockStorage', 'cluster a plain object', ({ stack }) => new EksBlockStorage(stack, 'ebs', js({ name: 'ml' }), 'ml')],
  ['new EksBlockStorage', 'clusterName missing', ({ stack, eks }) => new EksBlockStorage(stack, 'ebs', eks(), js(undefined))],
  ['new EksBlockStorage', 'clusterName a number', ({ stack, eks }) => new EksBlockStorage(stack, 'ebs', eks(), js(5))],
  ['new EksBlockStorage', 'options null', ({ stack, eks }) => new EksBlockStorage(stack, 'ebs', eks(), 'ml', js(null))],
  ['new EksBlockStorage', 'storageClassName a number', ({ stack, eks }) => new EksBlockStorage(stack, 'ebs', eks(), 'ml', js({ storageClassName: 3 }))],
  ['new EksBlockStorage', 'unknown option storageClass', ({ stack, eks }) => new EksBlockStorage(stack, 'ebs', eks(), 'ml', js({ storageClass: 'gp3' }))],
  ['new EksSharedFileSystem', 'no cluster', ({ stack }) => new EksSharedFileSystem(stack, 'efs', js(undefined), 'ml', ['subnet-a'])],
  ['new EksSharedFileSystem', 'nothing but scope and id', ({ stack }) => new EksSharedFileSystem(stack, 'efs', js(undefined), js(undefined), js(undefined))],
  ['new EksSharedFileSystem', 'subnetIds missing', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', js(undefined))],
  ['new EksSharedFileSystem', 'subnetIds a string', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', js('subnet-a'))],
  ['new EksSharedFileSystem', 'options null', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', ['subnet-a'], js(null))],
  ['new EksSharedFileSystem', 'kmsKeyArn a number', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', ['subnet-a'], js({ kmsKeyArn: 1 }))],
  ['new EksSharedFileSystem', 'options.subnetIds a string', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', ['subnet-a'], js({ subnetIds: 'subnet-b' }))],
  ['new EksSharedFileSystem', 'unknown option encrypted', ({ stack, eks }) => new EksSharedFileSystem(stack, 'efs', eks(), 'ml', ['subnet-a'], js({ encrypted: false }))],
  ['TrainingCheckpoint.volume', 'mountPath a number', () => TrainingCheckpoint.volume('ckpt', js(7))],
];

describe('untyped sweep: every public entry point, called as plain JavaScript', () => {
  test('the harness accepts well-formed calls (so "listed" below is earned)', () => {
    expect(outcomeOf(({ k8s, stack, tenant, eks, serving }) => {
      new GitOpsDelivery(k8s, 'd', GOOD_DELIVERY);
      const cluster = eks();
      new EksBlockStorage(stack, 'ebs', cluster, 'ml');
      new EksSharedFileSystem(stack, 'efs', cluster, 'ml', ['subnet-a', 'subnet-b'], { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k' });
      StateBackend.s3(GOOD_S3).applyTo(stack);
      tenant.addVolumeClaim('data', { storage: '1Gi' });
      tenant.addServiceAccount('runner');
      serving().addSidecar(GOOD_SIDECAR);
    })).toBe('accepted');
  });

  test.each(SWEEP)('%s, %s: a listed problem', (_api, _input, act) => {
    expect(outcomeOf(act)).toBe('listed');
  });
});

/** Registration is global: a refused definition must not be registered, or it would break every later synth. */
describe('untyped sweep: WorkloadKinds.register', () => {
  test.each<[string, unknown]>([
    ['no definition', undefined],
    ['an empty object', {}],
    ['podTemplates missing', { group: 'acme.dev', kind: 'Trainer', resource: 'trainers' }],
    ['kind a number', { group: 'acme.dev', kind: 5, resource: 'trainers', podTemplates: () => [] }],
    ['unknown field plural', { group: 'acme.dev', kind: 'Trainer', plural: 'trainers', resource: 'trainers', podTemplates: () => [] }],
  ])('%s: a listed problem, and nothing registered', (_, definition) => {
    const before = WorkloadKinds.all().length;
    expect(outcomeOf(() => WorkloadKinds.register(js(definition)))).toBe('listed');
    expect(WorkloadKinds.all()).toHaveLength(before);
  });
});
