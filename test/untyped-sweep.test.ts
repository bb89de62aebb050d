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
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as TfApp, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Accelerator, AksCluster, AksVnet, ClusterAddons, ClusterCharts, ClusterProfile, EksBlockStorage, EksCluster, EksSharedFileSystem, EksVpc, GkeCluster, MlPlatform, PodTemplate, Problems,
  resolveWorkloadScope, TfStrategy, TfTrainingJob, TrainingBackend, usesKueue, usesTrainingBackend, collectValidationErrors, declareExternalNamespace, declareExternalObject, GitOpsDelivery, GitOpsEngine, ModelDelivery, ModelVersionPolicy,
  QueueFlavors, S3StateLocking, ServingExposure, StateBackend, synthPlatform, Tenant, TenantQueue, TfServing, TrainingCheckpoint, ValidationError, waivePolicy, WorkloadKinds,
  assertValid, collectWarnings, cpuQuantity, memoryQuantity, scopeDefaults, setScopeDefaults, synthPlatformOrExit,
} from '../lib';
import * as entry from '../lib';
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
  new GoogleProvider(stack, 'google', { project: 'p' });
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
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

/** synthPlatformOrExit prints its problems and exits with 1: read back as the problems it printed. */
function exitOutcome(act: () => void): void {
  const printed: string[] = [];
  const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new ValidationError(code === 1 ? printed.join('\n').split('\n').slice(1).map((line) => line.trim()) : []);
  }) as never);
  const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
  try {
    act();
  } finally {
    exit.mockRestore();
    error.mockRestore();
  }
}
const GOOD_DELIVERY = { engine: GitOpsEngine.ARGO_CD, repoUrl: 'https://github.com/acme/platform.git' };
const GOOD_S3 = { bucket: 'acme-state', region: 'eu-west-1', locking: S3StateLocking.lockfile() };
const GOOD_AZURE = { resourceGroupName: 'rg', storageAccountName: 'acmestate', containerName: 'tfstate' };
const GOOD_SIDECAR = { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0@sha256:' + 'a'.repeat(64), resources: { cpu: 0.1, memoryGiB: 0.25 },
  readinessProbe: { exec: { command: ['ready'] } }, livenessProbe: { exec: { command: ['alive'] } } };
const podTemplate = () => new PodTemplate({ labels: { app: 'a' }, serviceAccount: 'runner' });
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
  // A construct's scope and id: the constructs library's own errors ("Only root constructs may have
  // an empty ID", "id.replace is not a function", "There is already a Construct with name") have no path or fix.
  ['new Tenant', 'scope missing', () => new Tenant(js(undefined), 'tenant', {})],
  ['new Tenant', 'scope a Terraform stack (no chart above)', ({ stack }) => new Tenant(js(stack), 'tenant', {})],
  ['new Tenant', 'props given as the id', ({ charts }) => new Tenant(charts.tenant('u'), js({ quota: { gpus: 1 } }))],
  ['new Tenant', 'id ""', ({ charts }) => new Tenant(charts.tenant('u'), '', {})],
  ['new Tenant', 'id of a construct already there', ({ charts }) => new Tenant(charts.tenant('t'), 'tenant', {})],
  ['new TfServing', 'scope a plain object', () => new TfServing(js({}), 's', { models: [{ name: 'm', basePath: '/models/m' }] })],
  ['new TfServing', 'id missing', ({ charts }) => new TfServing(charts.tenant('t'), js(undefined), { models: [{ name: 'm', basePath: '/models/m' }] })],
  ['new TfTrainingJob', 'id used twice', ({ charts }) => [1, 2].map(() => new TfTrainingJob(charts.tenant('t'), 'train', { image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1 } }))],
  ['new MlPlatform', 'scope the cdk8s App (no chart)', ({ k8s }) => new MlPlatform(js(k8s), 'platform')],
  ['new MlPlatform', 'id a number', ({ charts }) => new MlPlatform(charts.platform, js(1))],
  ['new QueueFlavors', 'scope missing', () => new QueueFlavors(js(undefined), 'f', { cluster: EKS_PROFILE })],
  ['new TenantQueue', 'scope missing', () => new TenantQueue(js(undefined), 'q', queueInput(), {})],
  ['new EksCluster', 'scope missing', () => new EksCluster(js(undefined), 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] })],
  ['new EksCluster', 'scope a cdk8s chart (no stack above)', ({ charts }) => new EksCluster(js(charts.platform), 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] })],
  ['new GkeCluster', 'props given as the id', ({ stack }) => new GkeCluster(stack, js({ name: 'ml' }), js(undefined))],
  ['new AksCluster', 'id ""', ({ stack }) => new AksCluster(stack, '', js({}))],
  ['new EksVpc', 'scope missing', () => new EksVpc(js(undefined), 'vpc', { clusterName: 'ml', availabilityZones: ['us-east-1a', 'us-east-1b'] })],
  ['new AksVnet', 'id used twice', ({ stack }) => [1, 2].map(() => new AksVnet(stack, 'vnet', { clusterName: 'ml', location: 'westeurope', resourceGroupName: 'rg' }))],
  ['new ClusterAddons', 'id missing', ({ stack }) => new ClusterAddons(stack, js(undefined), js({}))],
  ['new EksBlockStorage', 'scope missing', ({ eks }) => new EksBlockStorage(js(undefined), 'ebs', eks(), 'ml')],
  ['new EksSharedFileSystem', 'id used twice', ({ stack, eks }) => { const cluster = eks(); return [1, 2].map(() => new EksSharedFileSystem(stack, 'efs', cluster, 'ml', ['subnet-a'])); }],
  ['EksCluster.addNodePool', 'pool id missing', ({ stack }) => new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] }).addNodePool(js(undefined), { machineType: 'm6i.large', maxNodes: 1 })],
  ['GkeCluster.addGpuPool', 'options given as the pool id', ({ stack }) => new GkeCluster(stack, 'gke', { name: 'ml', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', nodeCidr: '10.10.0.0/20', secretsEncryptionKey: 'k' }).addGpuPool(js({ accelerator: Accelerator.NVIDIA_L4, maxNodes: 1 }), js(undefined))],
  ['ClusterProfile.placementFor', 'accelerator missing', () => EKS_PROFILE.placementFor(js(undefined))],
  ['ClusterProfile.placementFor', 'accelerator id as a string (placed GPU pods on CPU pools)', () => EKS_PROFILE.placementFor(js('nvidia-l4'))],
  ['ClusterProfile.placementFor', 'options null', () => EKS_PROFILE.placementFor(Accelerator.NVIDIA_L4, js(null))],
  ['ClusterProfile.placementFor', 'unknown option spot', () => EKS_PROFILE.placementFor(Accelerator.NVIDIA_L4, js({ spot: true }))],
  ['ClusterProfile.gpuCapacity', 'accelerator null', () => EKS_PROFILE.gpuCapacity(js(null))],
  ['ClusterProfile.poolsWith', 'accelerator a plain object', () => EKS_PROFILE.poolsWith(js({ id: 'nvidia-l4' }))],
  ['GitOpsDelivery.of', 'no app', () => GitOpsDelivery.of(js(undefined))],
  ['StateBackend.applyTo', 'no stack', () => StateBackend.local().applyTo(js(undefined))],
  ['StateBackend.applyTo', 'a cdk8s chart', ({ charts }) => StateBackend.gcs({ bucket: 'acme-state' }).applyTo(js(charts.platform))],
  ['StateBackend.applyTo', 'twice to one stack', ({ stack }) => [1, 2].map(() => StateBackend.local().applyTo(stack))],
  ['Problems.of', 'no scope', () => Problems.of(js(undefined))],
  ['Problems.add', 'no problem (crashed at synth)', ({ tenant }) => Problems.of(tenant).add(js(undefined))],
  ['Problems.add', 'a problem without code or fix (written as "undefined")', ({ tenant }) => Problems.of(tenant).add(js({ message: 'bad' }))],
  ['Problems.warn', 'a string', ({ tenant }) => Problems.of(tenant).warn(js('watch out'))],
  ['Problems.addCheck', 'a check that returns a string (crashed at synth)', ({ tenant }) => Problems.of(tenant).addCheck(js(() => 'bad'))],
  ['Problems.addCheck', 'a check whose problem has no fix (written as "Fix: undefined")', ({ tenant }) => Problems.of(tenant).addCheck(js(() => [{ code: 'MY_RULE', message: 'bad', received: 1 }]))],
  ['Problems.addCheck', 'not a function', ({ tenant }) => Problems.of(tenant).addCheck(js([]))],
  ['Problems.recordedAbove', 'no scope', () => Problems.recordedAbove(js(undefined))],
  ['PodTemplate.addContainer', 'no spec', () => podTemplate().addContainer(js(undefined))],
  ['PodTemplate.addContainer', 'resources missing', () => podTemplate().addContainer(js({ name: 'c', image: GOOD_SIDECAR.image }))],
  ['PodTemplate.addInitContainer', 'cpu a string', () => podTemplate().addInitContainer(js({ ...GOOD_SIDECAR, resources: { cpu: '1', memoryGiB: 1 } }))],
  ['PodTemplate.addVolume', 'no volume', () => podTemplate().addVolume(js(undefined))],
  ['PodTemplate.mountClaim', 'no claim', () => podTemplate().mountClaim(js(undefined), '/data')],
  ['PodTemplate.mountSecret', 'mountPath missing', () => podTemplate().mountSecret('token', js(undefined))],
  ['PodTemplate.addEnvFromSecret', 'key missing', () => podTemplate().addEnvFromSecret('TOKEN', 'api', js(undefined))],
  ['PodTemplate.addEnv', 'value a number', () => podTemplate().addEnv('EPOCHS', js(10))],
  ['usesKueue', 'no scope', () => usesKueue(js(undefined), 'ml-eks')],
  ['usesKueue', 'cluster name missing (answered false)', ({ k8s }) => usesKueue(k8s, js(undefined))],
  ['usesTrainingBackend', 'backend misspelt (answered false, no JobSet controller installed)', ({ k8s }) => usesTrainingBackend(k8s, js('JobSet'), 'ml-eks')],
  ['usesTrainingBackend', 'no scope', () => usesTrainingBackend(js(undefined), TrainingBackend.JOBSET, 'ml-eks')],
  ['resolveWorkloadScope', 'props missing', ({ tenant }) => resolveWorkloadScope(tenant, js(undefined), Problems.of(tenant))],
  ['resolveWorkloadScope', 'scope missing', ({ tenant }) => resolveWorkloadScope(js(undefined), {}, Problems.of(tenant))],
  ['resolveWorkloadScope', 'problems missing', ({ tenant }) => resolveWorkloadScope(tenant, {}, js(undefined))],
  ['TrainingCheckpoint.volume', 'mountPath a number', () => TrainingCheckpoint.volume('ckpt', js(7))],
  ['synthPlatformOrExit', 'no apps', () => exitOutcome(() => synthPlatformOrExit(js(undefined)))],
  ['synthPlatformOrExit', 'a builder that returns nothing', () => exitOutcome(() => synthPlatformOrExit(js(() => undefined)))],
  ['collectValidationErrors', 'no root', () => collectValidationErrors(js(undefined))],
  ['collectWarnings', 'a plain object', () => collectWarnings(js({ node: {} }))],
  ['assertValid', 'no root', () => assertValid(js(null))],
  ['setScopeDefaults', 'no scope', ({ charts }) => setScopeDefaults(js(undefined), { cluster: charts.cluster })],
  ['setScopeDefaults', 'no defaults', ({ charts }) => setScopeDefaults(charts.tenant('u'), js(undefined))],
  ['setScopeDefaults', 'cluster a name (every construct below lost its cluster)', ({ charts }) => setScopeDefaults(charts.tenant('u'), js({ cluster: 'ml-eks' }))],
  ['setScopeDefaults', 'namespace not a DNS label', ({ charts }) => setScopeDefaults(charts.tenant('u'), { cluster: charts.cluster, namespace: 'Team A' })],
  ['setScopeDefaults', 'unknown field namespaces', ({ charts }) => setScopeDefaults(charts.tenant('u'), js({ cluster: charts.cluster, namespaces: ['a'] }))],
  ['scopeDefaults', 'no scope', () => scopeDefaults(js(undefined))],
  ['cpuQuantity', 'a string (written as NaNm)', () => cpuQuantity(js('2'))],
  ['cpuQuantity', 'NaN', () => cpuQuantity(NaN)],
  ['cpuQuantity', 'negative', () => cpuQuantity(-1)],
  ['cpuQuantity', 'a tenth of a millicore (written as 0m)', () => cpuQuantity(1e-4)],
  ['cpuQuantity', 'Infinity', () => cpuQuantity(Infinity)],
  ['memoryQuantity', 'missing (written as NaNMi)', () => memoryQuantity(js(undefined))],
  ['memoryQuantity', 'zero', () => memoryQuantity(0)],
  ['memoryQuantity', '1e21 GiB (written as 1e+21Gi)', () => memoryQuantity(1e21)],
  ['Accelerator.offerOn', 'cloud misspelt "GKE" (answered "not offered")', () => Accelerator.NVIDIA_L4.offerOn(js('GKE'))],
  ['Accelerator.gpuCountsOn', 'machine type a number (answered "none")', () => Accelerator.NVIDIA_L4.gpuCountsOn(js('eks'), js(6))],
  ['Accelerator.smallestMachine', 'gpus a string (answered "none")', () => Accelerator.NVIDIA_L4.smallestMachine(js('gke'), js('2'))],
  ['Accelerator.builtInto', 'cloud missing', () => Accelerator.builtInto(js(undefined), 'g2-standard-8')],
  ['Accelerator.fromId', 'id a number', () => Accelerator.fromId(js(4))],
  ['ClusterProfile.objectStore', 'scheme a number', () => EKS_PROFILE.objectStore(js(3))],
  ['ClusterProfile.fromFile', 'file missing', () => ClusterProfile.fromFile(js(undefined))],
  ['ClusterProfile.fromJson', 'null', () => ClusterProfile.fromJson(null)],
  ['WorkloadKinds.register', 'no definition', () => WorkloadKinds.register(js(undefined))],
  // Version policies are checked where a model uses them, with the model's name in the problem.
  ['ModelVersionPolicy.latest', 'count NaN, in a serving stack', ({ charts }) => new TfServing(charts.tenant('t'), 'v', { models: [{ name: 'm', basePath: '/models/m', versions: ModelVersionPolicy.latest(NaN) }], modelVolume: { claimName: 'models' } })],
  ['ModelVersionPolicy.specific', 'a version as a string, in a serving stack', ({ charts }) => new TfServing(charts.tenant('t'), 'v', { models: [{ name: 'm', basePath: '/models/m', versions: ModelVersionPolicy.specific(js('1')) }], modelVolume: { claimName: 'models' } })],
  ['Problems.addWarningCheck', 'not a function', ({ tenant }) => Problems.of(tenant).addWarningCheck(js('check'))],
  ['ManagedCluster.addNodePool', 'options missing', ({ stack }) => new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] }).addNodePool('cpu', js(undefined))],
  ['ManagedCluster.addGpuPool', 'accelerator an id string', ({ stack }) => new GkeCluster(stack, 'gke', { name: 'ml', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', nodeCidr: '10.10.0.0/20', secretsEncryptionKey: 'k' }).addGpuPool('gpu', js({ accelerator: 'nvidia-l4', maxNodes: 1 }))],
  ['EksCluster.addGpuPool', 'options null', ({ stack }) => new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] }).addGpuPool('gpu', js(null))],
  ['AksCluster.addGpuPool', 'maxNodes a string', ({ stack }) => new AksCluster(stack, 'aks', { name: 'ml', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 's', tenantId: 't', adminGroupObjectIds: ['g'], logAnalyticsWorkspaceId: 'w' }).addGpuPool('gpu', js({ accelerator: Accelerator.NVIDIA_T4, maxNodes: '2' }))],
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

  test('every public method and constructor that takes arguments is in the sweep', () => {
    // Read from the API report, which lists each class's public members.
    const report = fs.readFileSync(path.join(__dirname, '..', 'api', 'ml-platform-constructs.api.md'), 'utf8');
    const NOT_SWEPT: Record<string, string> = {
      'new ManagedCluster': 'abstract: the rows of EksCluster, GkeCluster and AksCluster build it',
      'new ValidationError': 'the error the library throws, made from problems it has already listed',
      'WorkloadKinds.of': 'a lookup the gate calls with every object\'s kind: undefined for a kind it does not know',
    };
    const swept = new Set(SWEEP.map(([api]) => api));
    const unswept: string[] = [];
    let inClass: string | undefined;
    for (const line of report.split('\n')) {
      const start = /^export (?:declare )?(?:abstract )?class (\w+)/.exec(line);
      if (start) inClass = start[1];
      else if (line.startsWith('}')) inClass = undefined;
      const member = inClass && /^ {4}(?:static )?(\w+)(?:<[^>]*>)?\((?!\))/.exec(line);
      if (!member) continue;
      const api = member[1] === 'constructor' ? `new ${inClass}` : `${inClass}.${member[1]}`;
      if (!swept.has(api) && NOT_SWEPT[api] === undefined) unswept.push(api);
    }
    expect(unswept).toEqual([]);
  });

  test('every function the package entry exports is in the sweep', () => {
    const swept = new Set(SWEEP.map(([api]) => api));
    const functions = Object.entries(entry).filter(([, value]) => typeof value === 'function' && !/^class\b/.test(Function.prototype.toString.call(value)));
    expect(functions.map(([name]) => name).filter((name) => !swept.has(name)).sort()).toEqual([]);
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
    ['a serving port of 0 (written into every tenant\'s NetworkPolicy)', { group: 'acme.dev', kind: 'Trainer', resource: 'trainers', podTemplates: () => [], servingPorts: [0] }],
    ['a serving port of 8080.5', { group: 'acme.dev', kind: 'Trainer', resource: 'trainers', podTemplates: () => [], servingPorts: [8080.5] }],
    ['a resource in capitals (written into every tenant\'s Role)', { group: 'acme.dev', kind: 'Trainer', resource: 'Trainers', podTemplates: () => [] }],
    ['a group with a slash (an apiVersion, not a group)', { group: 'acme.dev/v1', kind: 'Trainer', resource: 'trainers', podTemplates: () => [] }],
    ['a kind with a space', { group: 'acme.dev', kind: 'My Trainer', resource: 'trainers', podTemplates: () => [] }],
  ])('%s: a listed problem, and nothing registered', (_, definition) => {
    const before = WorkloadKinds.all().length;
    expect(outcomeOf(() => WorkloadKinds.register(js(definition)))).toBe('listed');
    expect(WorkloadKinds.all()).toHaveLength(before);
  });
});
