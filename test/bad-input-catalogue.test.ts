import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp, Chart } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Accelerator, AksCluster, AksClusterProps, EksCluster, EksClusterProps, GkeCluster, GkeClusterProps, GpuPoolOptions, ModelVersionPolicy, NodePoolOptions,
  ServingExposure, synthPlatform, Tenant, TenantProps, TfServing, TfServingProps, TfStrategy, TfTrainingJob, TfTrainingJobProps, ValidationError,
} from '../lib';
import { EKS_PROFILE } from './fixtures';
import { failureMessage } from './failure';

/**
 * The catalogue of bad inputs: each one must fail synth, write nothing, and name the construct
 * path, the value received and the fix. The rules are those Kubernetes, the clouds and TensorFlow
 * enforce: names and lengths (derived ones too), labels, env vars, ports, quantities, Indexed Job
 * and HPA limits, TF topology, CIDRs, accelerator and machine pairs.
 */
type Build = (apps: { stack: TerraformStack; chart: Chart }) => void;

interface Case {
  readonly area: string;
  readonly input: string;
  readonly build: Build;
  readonly code: string;
  readonly received: unknown;
  /** The construct path the problem is reported at. */
  readonly at: string;
}

const gke = (props: Partial<GkeClusterProps> = {}, pools: (c: GkeCluster) => void = () => {}): Build => ({ stack }) => {
  new GoogleProvider(stack, 'google', { project: 'p' });
  pools(new GkeCluster(stack, 'gke', { name: 'ml', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', nodeCidr: '10.10.0.0/20', secretsEncryptionKey: 'k', ...props }));
};
const eks = (props: Partial<EksClusterProps> = {}, pools: (c: EksCluster) => void = () => {}): Build => ({ stack }) => {
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  pools(new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], vpcCidr: '10.0.0.0/16', admins: ['arn:aws:iam::1:role/a'], ...props }));
};
const aks = (props: Partial<AksClusterProps> = {}, pools: (c: AksCluster) => void = () => {}): Build => ({ stack }) => {
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  pools(new AksCluster(stack, 'aks', { name: 'ml', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 's', nodeCidr: '10.20.0.0/20', tenantId: 't', adminGroupObjectIds: ['g'], logAnalyticsWorkspaceId: 'w', secretsEncryption: { keyId: 'k', keyVaultId: 'v' }, ...props }));
};
const pool = (options: Partial<NodePoolOptions>) => (c: { addNodePool(id: string, o: NodePoolOptions): unknown }) => c.addNodePool('cpu', { machineType: 'e2-standard-4', maxNodes: 2, ...options });
const gpuPool = (options: GpuPoolOptions) => (c: { addGpuPool(id: string, o: GpuPoolOptions): unknown }) => c.addGpuPool('gpu', options);
const tenant = (props: Partial<TenantProps>): Build => ({ chart }) => { new Tenant(chart, 'tenant', { name: 'team', cluster: EKS_PROFILE, ...props }); };
const training = (props: Partial<TfTrainingJobProps>): Build => ({ chart }) => {
  new TfTrainingJob(chart, 'job', { namespace: 'team', image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, cluster: EKS_PROFILE, ...props });
};
const RESNET = { name: 'resnet', basePath: 's3://m/resnet', versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1 } };
const serving = (props: Partial<TfServingProps>): Build => ({ chart }) => {
  new TfServing(chart, 'serve', { namespace: 'team', models: [RESNET], cluster: EKS_PROFILE, cloudIdentity: 'arn:aws:iam::1:role/s', ...props });
};

const CASES: Case[] = [
  // Clusters: names and derived names
  { area: 'cluster', input: 'GKE name with capitals and "_"', build: gke({ name: 'ML_Cluster' }), code: 'CLUSTER_NAME_INVALID', received: 'ML_Cluster', at: 'test/gke' },
  { area: 'cluster', input: 'GKE name of 41 characters', build: gke({ name: `a${'b'.repeat(40)}` }), code: 'CLUSTER_NAME_INVALID', received: `a${'b'.repeat(40)}`, at: 'test/gke' },
  { area: 'cluster', input: 'GKE pool name ending in "-"', build: gke({}, pool({ name: 'cpu-' })), code: 'POOL_NAME_INVALID', received: 'cpu-', at: 'test/gke' },
  { area: 'cluster', input: 'EKS name whose IAM role name exceeds 64', build: eks({ name: 'a'.repeat(60) }), code: 'CLUSTER_NAME_TOO_LONG', received: `${'a'.repeat(60)}-cluster`, at: 'test/eks' },
  { area: 'cluster', input: 'AKS pool name of 14 characters', build: aks({}, pool({ name: 'generalpurpose', machineType: 'Standard_D4ds_v5' })), code: 'POOL_NAME_INVALID', received: 'generalpurpose', at: 'test/aks' },
  { area: 'cluster', input: 'AKS DNS prefix with "_"', build: aks({ dnsPrefix: 'ml_aks' }), code: 'DNS_PREFIX_INVALID', received: 'ml_aks', at: 'test/aks' },
  // Clusters: sizes
  { area: 'cluster', input: 'minNodes above maxNodes', build: gke({}, pool({ minNodes: 5, maxNodes: 2 })), code: 'POOL_MIN_GT_MAX', received: { minNodes: 5, maxNodes: 2 }, at: 'test/gke' },
  { area: 'cluster', input: 'maxNodes 0', build: eks({}, pool({ machineType: 'm6i.large', minNodes: 0, maxNodes: 0 })), code: 'POOL_MAX_NODES_ZERO', received: 0, at: 'test/eks' },
  { area: 'cluster', input: 'boot disk of 10 GiB', build: gke({}, pool({ diskSizeGiB: 10 })), code: 'POOL_DISK_TOO_SMALL', received: 10, at: 'test/gke' },
  // Clusters: accelerator and machine pairs
  { area: 'cluster', input: 'T4 on a G2 machine', build: gke({}, gpuPool({ accelerator: Accelerator.NVIDIA_T4, machineType: 'g2-standard-8', maxNodes: 1 })), code: 'ACCELERATOR_NOT_ON_MACHINE', received: 'g2-standard-8', at: 'test/gke' },
  { area: 'cluster', input: 'L4 on an N1 machine', build: gke({}, gpuPool({ accelerator: Accelerator.NVIDIA_L4, machineType: 'n1-standard-8', maxNodes: 1 })), code: 'ACCELERATOR_NOT_ON_MACHINE', received: 'n1-standard-8', at: 'test/gke' },
  { area: 'cluster', input: '2 L4s on g2-standard-8', build: gke({}, gpuPool({ accelerator: Accelerator.NVIDIA_L4, machineType: 'g2-standard-8', gpusPerNode: 2, maxNodes: 1 })), code: 'GPU_COUNT_NOT_ON_MACHINE', received: 2, at: 'test/gke' },
  { area: 'cluster', input: 'A10G on GKE', build: gke({}, gpuPool({ accelerator: Accelerator.NVIDIA_A10G, maxNodes: 1 })), code: 'ACCELERATOR_NOT_OFFERED', received: 'nvidia-a10g', at: 'test/gke' },
  { area: 'cluster', input: 'L4 on AKS', build: aks({}, gpuPool({ accelerator: Accelerator.NVIDIA_L4, maxNodes: 1 })), code: 'ACCELERATOR_NOT_OFFERED', received: 'nvidia-l4', at: 'test/aks' },
  { area: 'cluster', input: '2 H100s per EKS node', build: eks({}, gpuPool({ accelerator: Accelerator.NVIDIA_H100_80GB, gpusPerNode: 2, maxNodes: 1 })), code: 'GPU_COUNT_UNAVAILABLE', received: 2, at: 'test/eks' },
  { area: 'cluster', input: 'a GPU machine as a CPU pool', build: eks({}, pool({ machineType: 'g5.xlarge' })), code: 'GPU_MACHINE_IN_CPU_POOL', received: 'g5.xlarge', at: 'test/eks' },
  { area: 'cluster', input: 'an EC2 type on AKS', build: aks({}, pool({ machineType: 'm6i.large' })), code: 'MACHINE_TYPE_INVALID', received: 'm6i.large', at: 'test/aks' },
  { area: 'cluster', input: 'AKS zone "4"', build: aks({}, pool({ machineType: 'Standard_D4ds_v5', zones: ['4'] })), code: 'POOL_ZONE_INVALID', received: '4', at: 'test/aks' },
  { area: 'cluster', input: 'GKE zone in another region', build: gke({}, gpuPool({ accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, zones: ['us-east1-b'] })), code: 'POOL_ZONE_INVALID', received: ['us-east1-b'], at: 'test/gke' },
  // Clusters: CIDRs
  { area: 'cluster', input: 'GKE authorized network 0.0.0.0/0', build: gke({ publicEndpoint: true, authorizedNetworks: [{ cidr: '0.0.0.0/0' }] }), code: 'CIDR_OPEN_TO_WORLD', received: '0.0.0.0/0', at: 'test/gke' },
  { area: 'cluster', input: 'EKS public access 0.0.0.0/0', build: eks({ publicAccessCidrs: ['0.0.0.0/0'] }), code: 'CIDR_OPEN_TO_WORLD', received: '0.0.0.0/0', at: 'test/eks' },
  { area: 'cluster', input: 'AKS authorized range ::/0', build: aks({ authorizedIpRanges: ['::/0'] }), code: 'CIDR_OPEN_TO_WORLD', received: '::/0', at: 'test/aks' },
  { area: 'cluster', input: 'GKE pod range over the node range', build: gke({ podCidr: '10.10.0.0/16' }), code: 'CIDR_OVERLAP', received: '10.10.0.0/16', at: 'test/gke' },
  { area: 'cluster', input: 'EKS service range inside the VPC', build: eks({ serviceCidr: '10.0.128.0/20' }), code: 'CIDR_OVERLAP', received: '10.0.128.0/20', at: 'test/eks' },
  { area: 'cluster', input: 'AKS pod range with host bits', build: aks({ podCidr: '10.244.1.0/16' }), code: 'CIDR_INVALID', received: '10.244.1.0/16', at: 'test/aks' },
  // Clusters: labels and taints
  { area: 'cluster', input: 'label key with a space', build: gke({}, pool({ labels: { 'team name': 'a' } })), code: 'LABEL_INVALID', received: 'team name', at: 'test/gke' },
  { area: 'cluster', input: 'label value of 64 characters', build: gke({}, pool({ labels: { team: 'v'.repeat(64) } })), code: 'LABEL_INVALID', received: 'v'.repeat(64), at: 'test/gke' },
  { area: 'cluster', input: 'taint value ending in "-"', build: eks({}, pool({ machineType: 'm6i.large', taints: [{ key: 'dedicated', value: 'team-', effect: 'NoSchedule' }] })), code: 'TAINT_INVALID', received: 'team-', at: 'test/eks' },
  // Tenants
  { area: 'tenant', input: 'tenant name with "_"', build: tenant({ name: 'team_a' }), code: 'TENANT_NAME_INVALID', received: 'team_a', at: 'test/tenant' },
  { area: 'tenant', input: 'tenant name of 64 characters', build: tenant({ name: 't'.repeat(64) }), code: 'TENANT_NAME_INVALID', received: 't'.repeat(64), at: 'test/tenant' },
  { area: 'tenant', input: 'quota memory "1GB"', build: tenant({ quota: { memory: '1GB' } }), code: 'QUANTITY_INVALID', received: '1GB', at: 'test/tenant' },
  { area: 'tenant', input: 'default CPU "two"', build: tenant({ containerDefaults: { cpuLimit: 'two' } }), code: 'QUANTITY_INVALID', received: 'two', at: 'test/tenant' },
  { area: 'tenant', input: 'GPU quota 1.5', build: tenant({ quota: { gpus: 1.5 } }), code: 'QUOTA_COUNT_INVALID', received: 1.5, at: 'test/tenant' },
  { area: 'tenant', input: 'serving open to 0.0.0.0/0', build: tenant({ servingClientCidrs: ['0.0.0.0/0'] }), code: 'NETPOL_OPEN_TO_WORLD', received: '0.0.0.0/0', at: 'test/tenant' },
  { area: 'tenant', input: 'ServiceAccount name with capitals', build: tenant({ identities: { Trainer: 'arn:aws:iam::1:role/t' } }), code: 'SERVICE_ACCOUNT_NAME_INVALID', received: 'Trainer', at: 'test/tenant' },
  // Training: TF topology, Indexed Job limits, names, env, ports
  { area: 'training', input: 'two chiefs', build: training({ chief: { replicas: 2 } }), code: 'CHIEF_NOT_SINGLE', received: 2, at: 'test/job' },
  { area: 'training', input: 'parameter servers with MultiWorkerMirrored', build: training({ parameterServers: { replicas: 1 } }), code: 'PS_WITH_MIRRORED', received: { replicas: 1 }, at: 'test/job' },
  { area: 'training', input: 'ParameterServer without parameter servers', build: training({ strategy: TfStrategy.PARAMETER_SERVER, chief: {} }), code: 'PS_MISSING', received: undefined, at: 'test/job' },
  { area: 'training', input: 'zero workers', build: training({ workers: { replicas: 0 } }), code: 'REPLICAS_INVALID', received: 0, at: 'test/job' },
  { area: 'training', input: 'more completions than an Indexed Job allows', build: training({ name: 'j', workers: { replicas: 100_001 } }), code: 'REPLICAS_INVALID', received: 100_001, at: 'test/job' },
  { area: 'training', input: 'port 0', build: training({ port: 0 }), code: 'PORT_INVALID', received: 0, at: 'test/job' },
  { area: 'training', input: 'port 65536', build: training({ port: 65536 }), code: 'PORT_INVALID', received: 65536, at: 'test/job' },
  { area: 'training', input: 'job name starting with a digit (Service names are DNS-1035)', build: training({ name: '1job' }), code: 'JOB_NAME_INVALID', received: '1job', at: 'test/job' },
  { area: 'training', input: 'derived pod hostname of 64 characters', build: training({ name: `a${'b'.repeat(52)}`, workers: { replicas: 1000 } }), code: 'DERIVED_NAME_TOO_LONG', received: `a${'b'.repeat(52)}-worker-999`, at: 'test/job' },
  { area: 'training', input: 'env var name starting with a digit', build: training({ env: { '1BAD': 'x' } }), code: 'ENV_NAME_INVALID', received: '1BAD', at: 'test/job' },
  { area: 'training', input: 'GPUs without an accelerator', build: training({ workers: { replicas: 1, gpus: 1 } }), code: 'GPU_ACCELERATOR_MISSING', received: 1, at: 'test/job' },
  { area: 'training', input: 'GPU demand above the pools', build: training({ workers: { replicas: 9, gpus: 1, accelerator: Accelerator.NVIDIA_L4 } }), code: 'GPU_DEMAND_EXCEEDS_CAPACITY', received: 9, at: 'test/job' },
  { area: 'training', input: 'TF_CONFIG over 128 KiB', build: training({ name: 'j', namespace: `n${'s'.repeat(62)}`, workers: { replicas: 1600 } }), code: 'TF_CONFIG_TOO_LARGE', received: 144574, at: 'test/job' },
  // Serving: names, versions, canary, HPA limits, routes
  { area: 'serving', input: 'model name with capitals', build: serving({ models: [{ ...RESNET, name: 'ResNet' }] }), code: 'MODEL_NAME_INVALID', received: 'ResNet', at: 'test/serve' },
  { area: 'serving', input: 'version 0', build: serving({ models: [{ ...RESNET, versions: ModelVersionPolicy.specific(0), labels: {} }] }), code: 'MODEL_VERSION_INVALID', received: [0], at: 'test/serve' },
  { area: 'serving', input: 'label on a version not loaded', build: serving({ models: [{ ...RESNET, labels: { stable: 3 } }] }), code: 'VERSION_LABEL_NOT_LOADED', received: { label: 'stable', version: 3, loaded: [1, 2] }, at: 'test/serve' },
  { area: 'serving', input: 'canary weight 101', build: serving({ canary: { weight: 101, version: 2 } }), code: 'CANARY_WEIGHT_INVALID', received: 101, at: 'test/serve' },
  { area: 'serving', input: 'HPA min above max', build: serving({ autoscaling: { minReplicas: 4, maxReplicas: 2 } }), code: 'HPA_MIN_GT_MAX', received: { minReplicas: 4, maxReplicas: 2 }, at: 'test/serve' },
  { area: 'serving', input: 'HPA max 0', build: serving({ autoscaling: { minReplicas: 1, maxReplicas: 0 } }), code: 'HPA_MAX_INVALID', received: 0, at: 'test/serve' },
  { area: 'serving', input: 'HPA CPU target 150%', build: serving({ autoscaling: { minReplicas: 1, maxReplicas: 2, targetCpuUtilization: 150 } }), code: 'HPA_TARGET_INVALID', received: 150, at: 'test/serve' },
  { area: 'serving', input: 'two models with one name', build: serving({ models: [RESNET, RESNET] }), code: 'MODEL_DUPLICATE', received: 'resnet', at: 'test/serve' },
  { area: 'serving', input: 'colliding Ingress paths', build: serving({ expose: ServingExposure.ingress({ host: 'm.acme.dev', tlsSecretName: 'tls', extraPaths: [{ path: '/v1/models/resnet' }] }) }), code: 'INGRESS_PATH_COLLISION', received: '/v1/models/resnet', at: 'test/serve' },
  { area: 'serving', input: 'Ingress host with "_"', build: serving({ expose: ServingExposure.ingress({ host: 'models_acme.dev' }) }), code: 'INGRESS_HOST_INVALID', received: 'models_acme.dev', at: 'test/serve' },
  { area: 'serving', input: 'route to a version not loaded', build: serving({ expose: ServingExposure.ingress({ host: 'm.acme.dev', versionRoutes: [{ prefix: '/v3/resnet', model: 'resnet', version: 3 }] }) }), code: 'VERSION_ROUTE_NOT_LOADED', received: 3, at: 'test/serve' },
  { area: 'serving', input: 'external load balancer for the world', build: serving({ expose: ServingExposure.loadBalancer({ internal: false, sourceRanges: ['0.0.0.0/0'] }) }), code: 'CIDR_OPEN_TO_WORLD', received: '0.0.0.0/0', at: 'test/serve' },
];

describe('bad-input catalogue', () => {
  test('holds at least 40 cases across clusters, tenants, training and serving', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.area))).toEqual(new Set(['cluster', 'tenant', 'training', 'serving']));
  });

  test.each(CASES.map((c) => [`${c.area}: ${c.input}`, c] as const))('%s', (_, c) => {
    const tfOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-bad-tf-'));
    const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-bad-k8s-'));
    const terraform = new App({ outdir: tfOut });
    const kubernetes = new K8sApp({ outdir: k8sOut });
    c.build({ stack: new TerraformStack(terraform, 'test'), chart: new Chart(kubernetes, 'test') });

    let error: unknown;
    const message = failureMessage(() => {
      try {
        synthPlatform({ terraform, kubernetes });
      } catch (e) {
        error = e;
        throw e;
      }
    });
    expect(error).toBeInstanceOf(ValidationError);
    const line = message.split('\n').find((l) => l.includes(`${c.code}:`));
    expect(line).toBeDefined();
    expect(line).toContain(`[${c.at}] ${c.code}:`);
    expect(line).toContain(`Received: ${c.received === undefined ? '(not set)' : JSON.stringify(c.received)}.`);
    expect(line).toMatch(/Fix: \S.+/);
    // Nothing was written on either side.
    expect(fs.readdirSync(tfOut, { recursive: true }).filter((f) => /\.json$/.test(String(f)))).toEqual([]);
    expect(fs.readdirSync(k8sOut)).toEqual([]);
  });
});
