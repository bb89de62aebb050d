/** Counterexamples from the property campaign of issue 14, kept as named cases: each is a listed problem, never a crash or a hang. */
import { App as K8sApp, Duration, Testing } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { ClusterCharts, collectValidationErrors, EksVpc, ModelVersionPolicy, ServingExposure, Tenant, TfServing, TfStrategy, TfTrainingJob } from '../lib';
import { isPinnedImage } from '../lib/core/pod-security';
import { EKS_PROFILE } from './fixtures';

function errorsOf(build: (charts: ClusterCharts) => void): string[] {
  const app: K8sApp = Testing.app();
  const charts = new ClusterCharts(app, EKS_PROFILE);
  new Tenant(charts.tenant('t'), 'tenant', {}).addVolumeClaim('models', { storage: '1Gi' });
  build(charts);
  return collectValidationErrors(app);
}

const job = (props: Record<string, unknown>) => (charts: ClusterCharts) =>
  new TfTrainingJob(charts.tenant('t'), 'j', { image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1 }, ...props } as any);

const serving = (props: Record<string, unknown>) => (charts: ClusterCharts) =>
  new TfServing(charts.tenant('t'), 's', { models: [{ name: 'm', basePath: '/models/m', versions: ModelVersionPolicy.specific(1) }], modelVolume: { claimName: 'models' }, ...props } as any);
const routes = (...prefixes: string[]) => ({ expose: ServingExposure.ingress({ host: 'm.acme.dev', versionRoutes: prefixes.map((prefix) => ({ prefix, model: 'm', version: 1 })) }) });

describe('input regressions', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['ten million workers: refused at once, no TF_CONFIG host list built', { workers: { replicas: 1e7 } }, /REPLICAS_INVALID/],
    ['infinite workers (the message said "Received: null")', { workers: { replicas: Infinity } }, /REPLICAS_INVALID: .* Received: Infinity\./],
    ['a deadline of 1.5 s', { activeDeadline: Duration.millis(1500) }, /DEADLINE_INVALID: .* Received: "1500 ms"/],
    ['a CPU figure that rounds to 0m', { workers: { replicas: 1, cpu: 1e-4 } }, /RESOURCE_INVALID: The worker role's cpu must be a number from 0\.001/],
    ['memory of NaN', { workers: { replicas: 1, memoryGiB: NaN } }, /RESOURCE_INVALID: The worker role's memoryGiB/],
    ['memory of 1e21 GiB', { workers: { replicas: 1, memoryGiB: 1e21 } }, /RESOURCE_INVALID/],
    ['an image with a space', { image: 'img :1' }, /IMAGE_NOT_PINNED: .* Received: "img :1"/],
    ['property campaign: a grace period of 0.5 ms (cdk8s threw "cannot be converted")', { gracePeriod: Duration.millis(0.5) }, /GRACE_PERIOD_INVALID: .* Received: "0\.5 ms"/],
    ['a deadline of 0.5 ms', { activeDeadline: Duration.millis(0.5) }, /DEADLINE_INVALID: .* Received: "0\.5 ms"/],
    ['a TTL of 1.5 s', { ttlAfterFinished: Duration.millis(1500) }, /TTL_INVALID: .* Received: "1500 ms"/],
    ['a priority class name with spaces', { priorityClassName: 'High Priority' }, /PRIORITY_CLASS_NAME_INVALID: .* Received: "High Priority"/],
    ['an empty cloud identity', { cloudIdentity: '' }, /CLOUD_IDENTITY_INVALID/],
    ['JavaScript: strategy missing (wrote a job with no strategy)', { strategy: undefined }, /PROP_MISSING: props\.strategy is required/],
    ['JavaScript: strategy misspelt', { strategy: 'MultiWorkerMirrored' }, /PROP_TYPE_INVALID: props\.strategy must be a TfStrategy \(/],
    ['JavaScript: workers is null', { workers: null }, /PROP_TYPE_INVALID: props\.workers must be an object\. Received: null/],
    ['JavaScript: env is null', { env: null }, /PROP_TYPE_INVALID: props\.env must be an object whose values are strings\. Received: null/],
    ['JavaScript: a deadline in seconds as a number', { activeDeadline: 3600 }, /PROP_TYPE_INVALID: props\.activeDeadline must be a Duration\. Received: 3600/],
  ])('%s', (_, props, message) => {
    expect(errorsOf(job(props))).toContainEqual(expect.stringMatching(message));
  });

  test.each<[string, unknown, RegExp]>([
    ['fuzz seed 1: 2^31 replicas, beyond the Deployment\'s int32 field', { replicas: 2 ** 31 }, /REPLICAS_INVALID: .* Received: 2147483648\./],
    ['2^31 as the autoscaler\'s maxReplicas (int32 in the HorizontalPodAutoscaler)', { autoscaling: { minReplicas: 1, maxReplicas: 2 ** 31 } }, /HPA_MAX_INVALID: .* Received: 2147483648\./],
    ['serving memory of NaN', { memoryGiB: NaN }, /RESOURCE_INVALID: The serving pod's memoryGiB .* Received: NaN\./],
    ['serving memory of -1 GiB', { memoryGiB: -1 }, /RESOURCE_INVALID: The serving pod's memoryGiB/],
    ['serving memory of 1e21 GiB', { memoryGiB: 1e21 }, /RESOURCE_INVALID: The serving pod's memoryGiB/],
    ['serving CPU that rounds to 0m', { cpu: 1e-4 }, /RESOURCE_INVALID: The serving pod's cpu/],
    ['serving CPU of Infinity', { cpu: Infinity }, /RESOURCE_INVALID: The serving pod's cpu/],
    ['batching fields of NaN, which went into the text proto', { batching: { maxBatchSize: NaN } }, /BATCHING_INVALID: batching\.maxBatchSize/],
    ['a fractional batch timeout', { batching: { batchTimeoutMicros: 0.5 } }, /BATCHING_INVALID: batching\.batchTimeoutMicros/],
    ['a per-pod metric target of "100 rps"', { autoscaling: { minReplicas: 1, maxReplicas: 2, podMetric: { name: 'rps', targetAverageValue: '100 rps' } } }, /QUANTITY_INVALID: autoscaling\.podMetric\.targetAverageValue .* Received: "100 rps"/],
    ['an alert error ratio of 5 (meant 5%)', { alerts: { errorRatio: 5 } }, /ALERT_THRESHOLD_INVALID: alerts\.errorRatio/],
    ['a model volume at ""', { modelVolume: { claimName: 'models', mountPath: '' } }, /MOUNT_PATH_INVALID: .* Received: ""/],
    ['a model volume over /tmp', { models: [{ name: 'm', basePath: '/tmp/m' }], modelVolume: { claimName: 'models', mountPath: '/tmp' } }, /MOUNT_PATH_INVALID: .*it would hide \/tmp/],
    ['a model volume over the config directory', { models: [{ name: 'm', basePath: '/etc/tfserving/m' }], modelVolume: { claimName: 'models', mountPath: '/etc/tfserving' } }, /MOUNT_PATH_INVALID: .*it would hide \/etc\/tfserving/],
    ['version routes /a.b and /a_b, one Ingress name', routes('/a.b', '/a_b'), /VERSION_ROUTE_COLLISION: Version routes \/a\.b and \/a_b/],
    ['one version route prefix twice', routes('/a', '/a'), /VERSION_ROUTE_COLLISION/],
    ['property campaign: models explicitly undefined', { models: undefined }, /PROP_MISSING: props\.models is required/],
    ['a priority class name with spaces', { priorityClassName: 'High Priority' }, /PRIORITY_CLASS_NAME_INVALID/],
    ['a claim name with capitals', { modelVolume: { claimName: 'Models' } }, /PVC_NAME_INVALID: .* Received: "Models"/],
    ['JavaScript: no props at all', undefined, /PROPS_INVALID: props must be an object\. Received: \(not set\)/],
    ['JavaScript: models is null', { models: null }, /PROP_TYPE_INVALID: props\.models must be an array of objects\. Received: null/],
    ['JavaScript: a model is null', { models: [null] }, /PROP_TYPE_INVALID: props\.models\[0\] must be an object\. Received: null/],
    ['JavaScript: a model without basePath', { models: [{ name: 'm' }] }, /PROP_MISSING: props\.models\[0\]\.basePath is required/],
    ['JavaScript: expose as plain JSON', { expose: { kind: 'ingress' } }, /PROP_TYPE_INVALID: props\.expose must be a ServingExposure/],
  ])('TfServing: %s', (_, props, message) => {
    const build = props === undefined ? (charts: ClusterCharts) => new TfServing(charts.tenant('t'), 's', undefined as any) : serving(props as Record<string, unknown>);
    expect(errorsOf(build)).toContainEqual(expect.stringMatching(message));
  });

  test('TfTrainingJob: JavaScript, no props at all', () => {
    expect(errorsOf((charts) => new TfTrainingJob(charts.tenant('t'), 'j', undefined as any))).toContainEqual(expect.stringMatching(/PROPS_INVALID: props must be an object\. Received: \(not set\)/));
  });

  test('a claim or account added twice to a tenant is refused, not a construct-id crash', () => {
    const errors = errorsOf((charts) => {
      const tenant = new Tenant(charts.tenant('u'), 'tenant', {});
      tenant.addVolumeClaim('x', { storage: '1Gi' });
      tenant.addVolumeClaim('x', { storage: '1Gi' });
      tenant.addServiceAccount('sa');
      tenant.addServiceAccount('sa');
    });
    expect(errors.filter((e) => e.includes('TENANT_OBJECT_DUPLICATE'))).toHaveLength(2);
  });

  test('a claim whose storageClassName is not a StorageClass name; "" (no dynamic provisioning) is taken', () => {
    const errors = errorsOf((charts) => {
      const tenant = new Tenant(charts.tenant('u'), 'tenant', {});
      tenant.addVolumeClaim('fast', { storage: '1Gi', storageClassName: 'Fast SSD' });
      tenant.addVolumeClaim('static', { storage: '1Gi', storageClassName: '' });
    });
    expect(errors).toEqual([expect.stringMatching(/^\[ml-eks-u\/tenant\] STORAGE_CLASS_NAME_INVALID: "Fast SSD" is not a valid StorageClass name .* Received: "Fast SSD"\. Fix: /)]);
  });

  test('received values are shown as they are: not set, NaN, a construct passed as a prop (JSON.stringify threw on its cycles)', () => {
    const errors = errorsOf((charts) => {
      new TfServing(charts.tenant('t'), 'a', { models: [{ name: 'm', basePath: '/models/m' }], modelVolume: { claimName: 'models' }, cluster: charts.tenant('t') } as any);
      new TfServing(charts.tenant('t'), 'b', { models: [{ name: 'm', basePath: '/models/m' }], modelVolume: { claimName: 'models' }, alerts: { errorRatio: -Infinity } });
    });
    expect(errors).toContainEqual(expect.stringMatching(/PROP_TYPE_INVALID: props\.cluster must be a ClusterProfile\. Received: a Chart\./));
    expect(errors).toContainEqual(expect.stringMatching(/ALERT_THRESHOLD_INVALID: .* Received: -Infinity\./));
  });

  test('JavaScript: ClusterCharts without a profile throws a listed problem, not a TypeError', () => {
    expect(() => new ClusterCharts(Testing.app(), undefined as any)).toThrow(/\[ClusterCharts\] PROP_TYPE_INVALID: cluster must be a ClusterProfile\. Received: \(not set\)\. Fix: /);
  });

  test('two workloads of one name in one namespace are refused, whatever their kinds', () => {
    const errors = errorsOf((charts) => {
      job({})(charts);
      new TfServing(charts.tenant('t'), 'serving', { name: 'j', models: [{ name: 'm', basePath: '/models/m' }], modelVolume: { claimName: 'models' } });
    });
    expect(errors).toContainEqual(expect.stringMatching(/WORKLOAD_DUPLICATE: "j" in namespace t is also the name of ml-eks-t\/j; their objects would overwrite each other/));
  });

  test('a serving stack whose name cannot name a Service (leading digit)', () => {
    const errors = errorsOf((charts) => new TfServing(charts.tenant('t'), '1abc', { models: [{ name: 'm', basePath: '/models/m' }], modelVolume: { claimName: 'models' } }));
    expect(errors).toContainEqual(expect.stringMatching(/SERVING_NAME_INVALID: .* Received: "1abc"/));
  });

  test('image references are checked against the reference grammar', () => {
    expect(['tensorflow/serving:2.18.0-gpu', 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1', 'localhost:5000/team/img:1', `img@sha256:${'a'.repeat(64)}`].every(isPinnedImage)).toBe(true);
    expect(['img :1', 'Img:1', 'img:', 'img', 'img:latest', ':1', 'a//b:1'].some(isPinnedImage)).toBe(false);
  });

  test('EksVpc without zones reports the problem instead of a TypeError', () => {
    const app = new App();
    const stack = new TerraformStack(app, 's');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new EksVpc(stack, 'vpc', { clusterName: 'c', availabilityZones: [] });
    expect(collectValidationErrors(app)).toContainEqual(expect.stringMatching(/ZONES_COUNT_INVALID/));
  });
});

describe('cluster input regressions', () => {
  const { AzurermProvider } = require('@cdktf/provider-azurerm/lib/provider');
  const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
  const L = require('../lib');
  function tfErrors(build: (stack: TerraformStack) => void): string[] {
    const app = new App();
    const stack = new TerraformStack(app, 's');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new GoogleProvider(stack, 'google', { project: 'p' });
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    build(stack);
    return collectValidationErrors(app);
  }
  const eksResource = (s: TerraformStack) => new EksClusterResource(s, 'eks-resource', { name: 'ml', roleArn: 'arn:aws:iam::1:role/eks', vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] } });
  const eks = (props: Record<string, unknown>) => (s: TerraformStack) => new L.EksCluster(s, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'], ...props });
  const gke = (props: Record<string, unknown>) => (s: TerraformStack) => new L.GkeCluster(s, 'gke', { name: 'ml', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', nodeCidr: '10.10.0.0/20', secretsEncryptionKey: 'k', ...props });
  const aks = (props: Record<string, unknown>) => (s: TerraformStack) => new L.AksCluster(s, 'aks', { name: 'ml', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 's', nodeCidr: '10.20.0.0/20', tenantId: 't', adminGroupObjectIds: ['g'], logAnalyticsWorkspaceId: 'w', secretsEncryption: { keyId: 'k', keyVaultId: 'v' }, ...props });

  test.each<[string, (s: TerraformStack) => unknown, RegExp]>([
    ...['', 'latest', '1.33.1'].flatMap((v) => [
      [`EKS kubernetesVersion "${v}"`, eks({ kubernetesVersion: v }), new RegExp(`KUBERNETES_VERSION_INVALID: .* Received: "${v.replace(/\./g, '\\.')}"`)],
      [`GKE kubernetesVersion "${v}" (became a Pod Security label "v${v}")`, gke({ kubernetesVersion: v }), /KUBERNETES_VERSION_INVALID/],
      [`AKS kubernetesVersion "${v}"`, aks({ kubernetesVersion: v }), /KUBERNETES_VERSION_INVALID/],
    ] as Array<[string, (s: TerraformStack) => unknown, RegExp]>),
    ['property campaign: AKS name "A", which AKS takes but the profile cannot', aks({ name: 'A' }), /CLUSTER_NAME_INVALID: Cluster name "A" also names the cluster profile/],
    ['EKS name with "_", which EKS takes but the profile cannot', eks({ name: 'ml_eks' }), /CLUSTER_NAME_INVALID: Cluster name "ml_eks" also names the cluster profile/],
    ['AksVnet cluster name with a space', (s) => new L.AksVnet(s, 'vnet', { clusterName: 'a b', location: 'westeurope', resourceGroupName: 'rg' }), /CLUSTER_NAME_INVALID: .* Received: "a b"/],
    ['EKS subnetIds ["a", "a"]', eks({ subnetIds: ['a', 'a'] }), /SUBNET_ID_INVALID: subnetIds lists the same entry twice/],
    ['EKS admins [""]', eks({ admins: [''] }), /ADMIN_INVALID: admins holds an entry that is empty/],
    ['EKS sharedFileSystem.subnetIds ["a", "a"]', eks({ sharedFileSystem: { subnetIds: ['a', 'a'] } }), /SUBNET_ID_INVALID: sharedFileSystem\.subnetIds lists the same entry twice/],
    ['JavaScript: EKS sharedFileSystem.storageClassName 5', eks({ sharedFileSystem: { storageClassName: 5 } }), /PROP_TYPE_INVALID: props\.sharedFileSystem\.storageClassName must be a string/],
    ['JavaScript: EKS blockStorage true', eks({ blockStorage: true }), /PROP_TYPE_INVALID: props\.blockStorage must be/],
    ['EKS admin that is not an IAM ARN', eks({ admins: ['alice'] }), /ADMIN_INVALID: .* Received: "alice"/],
    ['AKS systemPool.maxNodes 0 (written as min 2, max 0)', aks({ systemPool: { maxNodes: 0 } }), /POOL_SIZE_INVALID: systemPool\.maxNodes/],
    ['AKS maxPodsPerNode 1000', aks({ maxPodsPerNode: 1000 }), /MAX_PODS_INVALID/],
    ['EksVpc with duplicate zones', (s) => new EksVpc(s, 'vpc', { clusterName: 'c', availabilityZones: ['us-east-1a', 'us-east-1a'] }), /ZONE_INVALID: availabilityZones lists the same entry twice/],
    ['EksVpc zone that is a region', (s) => new EksVpc(s, 'vpc', { clusterName: 'c', availabilityZones: ['us-east-1', 'us-east-1b'] }), /ZONE_INVALID: .* Received: "us-east-1"/],
    ['a boot disk of 1e9 GiB', (s) => gke({})(s).addNodePool('cpu', { machineType: 'e2-standard-4', maxNodes: 2, diskSizeGiB: 1e9 }), /POOL_DISK_TOO_LARGE/],
    ['JavaScript: EksCluster without props', (s) => new L.EksCluster(s, 'eks', {}), /PROP_MISSING: props\.name is required/],
    ['JavaScript: GkeCluster with name null', gke({ name: null }), /PROP_TYPE_INVALID: props\.name must be a string\. Received: null/],
    ['JavaScript: AksCluster admins as a string', aks({ adminGroupObjectIds: 'g' }), /PROP_TYPE_INVALID: props\.adminGroupObjectIds must be an array of strings/],
    ['JavaScript: EksVpc without props', (s) => new EksVpc(s, 'vpc', undefined as any), /PROPS_INVALID: props must be an object/],
    ['JavaScript: AksVnet without resource group', (s) => new L.AksVnet(s, 'vnet', { clusterName: 'c', location: 'westeurope' }), /PROP_MISSING: props\.resourceGroupName is required/],
    ['JavaScript: a node pool without options', (s) => gke({})(s).addNodePool('cpu', undefined), /PROPS_INVALID: pool cpu must be an object/],
    ['JavaScript: a GPU pool without accelerator', (s) => eks({})(s).addGpuPool('gpu', { maxNodes: 1 }), /PROP_MISSING: pool gpu\.accelerator is required\. Received: \(not set\)\. Fix: pass an Accelerator/],
    ['JavaScript: a taint effect misspelt', (s) => eks({})(s).addNodePool('cpu', { machineType: 'm6i.large', maxNodes: 1, taints: [{ key: 'a', effect: 'NoScheduleX' }] }), /PROP_TYPE_INVALID: pool cpu\.taints\[0\]\.effect must be a taint effect/],
    ['JavaScript: ClusterAddons without cluster', (s) => new L.ClusterAddons(s, 'addons', {}), /PROP_MISSING: props\.cluster is required/],
    ['EKS blockStorage class "GP3" (a StorageClass name is lower case)', eks({ blockStorage: { storageClassName: 'GP3' } }), /^\[s\/eks\/block-storage\] STORAGE_CLASS_NAME_INVALID: .* Received: "GP3"/],
    ['EKS sharedFileSystem class "shared files"', eks({ sharedFileSystem: { storageClassName: 'shared files' } }), /^\[s\/eks\/shared-fs\] STORAGE_CLASS_NAME_INVALID: .* Received: "shared files"/],
    ['EKS sharedFileSystem and blockStorage with one class name (the second Helm release would fail)', eks({ sharedFileSystem: { storageClassName: 'gp3' } }), /^\[s\/eks\/block-storage\] STORAGE_CLASS_CONFLICT: s\/eks\/shared-fs already makes a StorageClass "gp3" on this cluster\. Received: "gp3"/],
    ['EKS sharedFileSystem.subnetIds [] (no mount target, volumes never mount)', eks({ sharedFileSystem: { subnetIds: [] } }), /^\[s\/eks\/shared-fs\] SUBNETS_TOO_FEW: options\.subnetIds is empty/],
    ['EKS sharedFileSystem.kmsKeyArn "" (not a key)', eks({ sharedFileSystem: { kmsKeyArn: '' } }), /KMS_KEY_INVALID: .* Received: ""/],
    ['EKS sharedFileSystem.kmsKeyArn a key id, not an ARN', eks({ sharedFileSystem: { kmsKeyArn: '1234abcd-12ab-34cd-56ef-1234567890ab' } }), /KMS_KEY_INVALID/],
    ['EksBlockStorage with a cluster name of 60 characters (role "<name>-ebs-csi" over 64)', (s) => new L.EksBlockStorage(s, 'ebs', eksResource(s), 'a'.repeat(60)), /CLUSTER_NAME_TOO_LONG: .*-ebs-csi" is not a valid IAM role name \(68 characters, limit 64\)/],
    ['EksBlockStorage with a cluster name with a space', (s) => new L.EksBlockStorage(s, 'ebs', eksResource(s), 'm l'), /CLUSTER_NAME_INVALID: .* Received: "m l"/],
    ['property campaign: EksSharedFileSystem class "gp3" beside EksBlockStorage on one cluster', (s) => {
      const cluster = eksResource(s);
      new L.EksSharedFileSystem(s, 'efs', cluster, 'ml', ['subnet-a'], { storageClassName: 'gp3' });
      new L.EksBlockStorage(s, 'ebs', cluster, 'ml');
    }, /^\[s\/ebs\] STORAGE_CLASS_CONFLICT: s\/efs already makes a StorageClass "gp3"/],
    ['EksSharedFileSystem with no subnets', (s) => new L.EksSharedFileSystem(s, 'efs', eksResource(s), 'ml', []), /SUBNETS_TOO_FEW: subnetIds is empty/],
    ['EksSharedFileSystem with one subnet twice', (s) => new L.EksSharedFileSystem(s, 'efs', eksResource(s), 'ml', ['subnet-a', 'subnet-a']), /SUBNET_ID_INVALID: subnetIds lists the same entry twice/],
    ['EksSharedFileSystem with an empty subnet id', (s) => new L.EksSharedFileSystem(s, 'efs', eksResource(s), 'ml', ['subnet-a'], { subnetIds: [''] }), /SUBNET_ID_INVALID: options\.subnetIds holds an entry that is empty/],
    ['ClusterAddons monitoring storage of NaN GiB', (s) => new L.ClusterAddons(s, 'addons', { cluster: eks({})(s), monitoring: { storageGiB: NaN } }), /STORAGE_SIZE_INVALID/],
  ])('%s', (_, build, message) => {
    expect(tfErrors(build)).toContainEqual(expect.stringMatching(message));
  });

  test('a bad EKS cluster name is listed by the cluster once, not again by its storage constructs', () => {
    const errors = tfErrors(eks({ name: 'm l' }));
    expect(errors).toContainEqual(expect.stringMatching(/^\[s\/eks\] CLUSTER_NAME_INVALID/));
    expect(errors.filter((e) => /^\[s\/eks\/(shared-fs|block-storage)\]/.test(e))).toEqual([]);
  });

  test('EKS admins and VPC zones given as Terraform references (an IamRole\'s arn, a data source\'s zone) are taken, not refused as malformed', () => {
    const { IamRole } = require('@cdktf/provider-aws/lib/iam-role');
    const { DataAwsAvailabilityZones } = require('@cdktf/provider-aws/lib/data-aws-availability-zones');
    const { Fn } = require('cdktf');
    const errors = tfErrors((s) => {
      const zones = new DataAwsAvailabilityZones(s, 'zones', { state: 'available' });
      new EksVpc(s, 'vpc', { clusterName: 'ml', availabilityZones: [0, 1].map((i) => Fn.element(zones.names, i)) });
      eks({ admins: [new IamRole(s, 'admin', { assumeRolePolicy: '{}' }).arn] })(s);
    });
    expect(errors).toEqual([]);
  });

  test('the storage constructs take Terraform references (a KmsKey\'s arn, a resource\'s name, a VPC\'s subnets)', () => {
    const { KmsKey } = require('@cdktf/provider-aws/lib/kms-key');
    const errors = tfErrors((s) => {
      const cluster = eksResource(s);
      const vpc = new EksVpc(s, 'vpc', { clusterName: 'ml', availabilityZones: ['us-east-1a', 'us-east-1b'] });
      new L.EksSharedFileSystem(s, 'efs', cluster, cluster.name, vpc.privateSubnetIds, { kmsKeyArn: new KmsKey(s, 'key', {}).arn });
      new L.EksBlockStorage(s, 'ebs', cluster, cluster.name);
    });
    expect(errors).toEqual([]);
  });
});
