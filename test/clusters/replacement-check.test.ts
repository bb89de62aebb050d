import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Accelerator, AksCluster, AksClusterProps, collectWarnings, EksCluster, FORCE_NEW, GkeCluster, GkeClusterProps } from '../../lib';
import { replacementsBetween } from '../../lib/clusters/replacement-check';
import { synthStack, synthStackError, TfJson } from '../tf-helpers';

/** The knobs of the routine day-2 changes, as for EKS in test/e2e/eks-day2.test.ts. */
interface Version {
  readonly kubernetesVersion: string;
  readonly gpuMaxNodes: number;
  readonly extraPool: boolean;
  readonly apiCidrs: string[];
  readonly gpuLabels: Record<string, string>;
  readonly gpuMachineType?: string;
  readonly gpuSpot?: boolean;
  readonly podCidr?: string;
}
const V1: Version = { kubernetesVersion: '1.32', gpuMaxNodes: 8, extraPool: false, apiCidrs: ['203.0.113.0/24'], gpuLabels: { team: 'vision' } };
const ROUTINE: Record<string, Partial<Version>> = {
  'raise a pool\'s max': { gpuMaxNodes: 16 },
  'add a pool': { extraPool: true },
  'bump the Kubernetes version': { kubernetesVersion: '1.33' },
  'add an API CIDR': { apiCidrs: [...V1.apiCidrs, '198.51.100.0/24'] },
  'add a label': { gpuLabels: { ...V1.gpuLabels, accelerator_class: 'inference' } },
};

const GKE: GkeClusterProps = { name: 'ml-gke', project: 'p', location: 'europe-west4', network: 'vpc', subnetwork: 'nodes', secretsEncryptionKey: 'projects/p/locations/europe-west4/keyRings/k/cryptoKeys/s' };
function gke(v: Version): TfJson {
  return synthStack((stack) => {
    new GoogleProvider(stack, 'google', { project: 'p' });
    const cluster = new GkeCluster(stack, 'gke', { ...GKE, kubernetesVersion: v.kubernetesVersion, publicEndpoint: true, authorizedNetworks: v.apiCidrs.map((cidr) => ({ cidr })), podCidr: v.podCidr });
    cluster.addNodePool('cpu', { machineType: 'e2-standard-8', maxNodes: 6 });
    cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: v.gpuMaxNodes, labels: v.gpuLabels, spot: v.gpuSpot, zones: ['europe-west4-a'] });
    if (v.extraPool) cluster.addNodePool('batch', { machineType: 'c3-standard-8', maxNodes: 10 });
  });
}

const AKS: AksClusterProps = { name: 'ml-aks', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 'subnet', tenantId: 't', adminGroupObjectIds: ['g'] };
function aks(v: Version, extra: Partial<AksClusterProps> = {}): TfJson {
  return synthStack((stack) => {
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const cluster = new AksCluster(stack, 'aks', { ...AKS, kubernetesVersion: v.kubernetesVersion, privateCluster: false, authorizedIpRanges: v.apiCidrs, podCidr: v.podCidr, ...extra });
    cluster.addNodePool('cpu', { machineType: 'Standard_D8ds_v5', maxNodes: 6 });
    cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_T4, maxNodes: v.gpuMaxNodes, labels: v.gpuLabels, machineType: v.gpuMachineType, spot: v.gpuSpot, zones: ['1'] });
    if (v.extraPool) cluster.addNodePool('batch', { machineType: 'Standard_F16s_v2', maxNodes: 10 });
  });
}

const summary = (before: TfJson, after: TfJson) => replacementsBetween(before, after).map((r) => `${r.address.split('.')[0]} ${r.attribute} ${r.effect} @ ${r.source}`);

describe('ForceNew table', () => {
  test('every entry cites a provider file, with a line for GKE and AKS', () => {
    for (const [type, entries] of Object.entries(FORCE_NEW)) {
      for (const entry of entries) expect(entry.source).toMatch(type.startsWith('aws_') ? /\.go$/ : /\.go:\d+$/);
    }
  });
});

describe.each([['GKE', gke], ['AKS', (v: Version) => aks(v)]] as const)('%s version 1 → version 2 through the ForceNew table', (_cloud, build) => {
  const v1 = build(V1);

  test('the unchanged program replaces nothing', () => {
    expect(summary(v1, build(V1))).toEqual([]);
  });

  test.each(Object.keys(ROUTINE))('%s: nothing is replaced or rotated', (name) => {
    const v2 = build({ ...V1, ...ROUTINE[name] });
    expect(JSON.stringify(v2)).not.toEqual(JSON.stringify(v1));
    expect(summary(v1, v2)).toEqual([]);
  });

  test('changing the pod range replaces the cluster, and says which attribute', () => {
    const found = summary(v1, build({ ...V1, podCidr: '10.128.0.0/14' }));
    // AKS pools refer to the cluster's computed id, so they are replaced with it; GKE pools refer to its name, which stays known.
    expect(found.slice(1)).toEqual(_cloud === 'AKS' ? [
      'azurerm_kubernetes_cluster_node_pool kubernetes_cluster_id replace @ kubernetes_cluster_node_pool_resource.go:135',
      'azurerm_kubernetes_cluster_node_pool kubernetes_cluster_id replace @ kubernetes_cluster_node_pool_resource.go:135',
    ] : []);
    expect(found[0]).toMatch(/^(google_container_cluster ip_allocation_policy\.cluster_ipv4_cidr_block replace @ resource_container_cluster\.go:1592|azurerm_kubernetes_cluster network_profile\.pod_cidr replace @ kubernetes_cluster_resource\.go:1123)$/);
  });

  test('turning a pool to spot replaces the pool', () => {
    expect(summary(v1, build({ ...V1, gpuSpot: true }))).toEqual(expect.arrayContaining([expect.stringMatching(/(node_config\.spot|priority) replace/)]));
  });
});

describe('GKE specifics', () => {
  test('the node_config GKE reports back from the oldest pool (a spot pool) does not replace the cluster on the next plan', () => {
    const config = gke({ ...V1, gpuSpot: true });
    // What a refresh leaves in state: the cluster's node_config is the first pool's (resource_container_cluster.go:3156).
    const state = JSON.parse(JSON.stringify(config));
    const [cluster] = Object.values<any>(state.resource.google_container_cluster);
    const spotPool = Object.values<any>(state.resource.google_container_node_pool).find((p) => p.node_config.spot === true);
    cluster.node_config = spotPool.node_config;
    expect(summary(state, config)).toEqual([]);
    // Without the ignore_changes the constructs write, the model shows the replacement the provider would plan.
    const [body] = Object.values<any>(config.resource.google_container_cluster);
    delete body.lifecycle;
    expect(summary(state, config)).toEqual(['google_container_cluster node_config replace @ node_config.go:141']);
  });
});

/**
 * The node pool update of azurerm 4.55.0 (kubernetes_cluster_node_pool_resource.go:960-1000): a
 * change to one of these properties cycles the pool, and fails when temporary_name_for_rotation is empty.
 */
const AKS_CYCLE_PROPERTIES = ['fips_enabled', 'host_encryption_enabled', 'kubelet_config', 'kubelet_disk_type', 'linux_os_config', 'max_pods', 'node_public_ip_enabled', 'os_disk_size_gb', 'os_disk_type', 'pod_subnet_id', 'snapshot_id', 'ultra_ssd_enabled', 'vm_size', 'vnet_subnet_id', 'zones'];
function aksPoolUpdateErrors(before: TfJson, after: TfJson): string[] {
  return Object.entries<any>(after.resource.azurerm_kubernetes_cluster_node_pool).flatMap(([id, next]) => {
    const prior = before.resource.azurerm_kubernetes_cluster_node_pool[id];
    const cycles = AKS_CYCLE_PROPERTIES.some((p) => JSON.stringify(prior[p]) !== JSON.stringify(next[p]));
    return cycles && !next.temporary_name_for_rotation ? [`${id}: \`temporary_name_for_rotation\` must be specified`] : [];
  });
}

describe('AKS specifics', () => {
  test('changing a user pool\'s VM size, disk size or zones applies (the provider\'s update path, modelled)', () => {
    const v1 = aks(V1);
    for (const change of [{ gpuMachineType: 'Standard_NC8as_T4_v3' }]) expect(aksPoolUpdateErrors(v1, aks({ ...V1, ...change }))).toEqual([]);
    const withoutName = JSON.parse(JSON.stringify(aks({ ...V1, gpuMachineType: 'Standard_NC8as_T4_v3' })));
    for (const pool of Object.values<any>(withoutName.resource.azurerm_kubernetes_cluster_node_pool)) delete pool.temporary_name_for_rotation;
    expect(aksPoolUpdateErrors(v1, withoutName)).toHaveLength(1);
  });

  test('a bigger VM size rotates the pool instead of failing (temporary_name_for_rotation is set)', () => {
    const v2 = aks({ ...V1, gpuMachineType: 'Standard_NC8as_T4_v3' });
    expect(summary(aks(V1), v2)).toEqual(['azurerm_kubernetes_cluster_node_pool vm_size rotate @ kubernetes_cluster_node_pool_resource.go:960']);
  });

  test('the old way of opening the API server (ranges on a cluster that was private) is refused, not silently a new cluster', () => {
    const message = synthStackError((stack) => {
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      new AksCluster(stack, 'aks', { ...AKS, authorizedIpRanges: ['203.0.113.0/24'] });
    });
    expect(message).toContain('AKS_ENDPOINT_CHOICE');
    const privateV1 = aks(V1, { privateCluster: true, authorizedIpRanges: [] });
    expect(summary(privateV1, aks(V1))[0]).toBe('azurerm_kubernetes_cluster private_cluster_enabled replace @ kubernetes_cluster_resource.go:1382');
  });
});

describe('synth warns when a change between two versions must replace something', () => {
  function synthInto(outdir: string, build: (stack: TerraformStack) => void): string[] {
    const app = new App({ outdir });
    build(new TerraformStack(app, 'ml'));
    app.synth();
    return collectWarnings(app).filter((w) => /CHANGE_(REPLACES|ROTATES)/.test(w));
  }
  const eks = (machineType: string) => (stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] })
      .addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, machineType, subnetIds: ['a'] });
  };

  test('naming the attribute, against the previous output in the same directory', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-replace-'));
    expect(synthInto(outdir, eks('g6.xlarge'))).toEqual([]);
    expect(synthInto(outdir, eks('g6.xlarge'))).toEqual([]);
    const warnings = synthInto(outdir, eks('g6.2xlarge'));
    // The group's scale-from-zero tags name its Auto Scaling group, which the new group replaces.
    expect(warnings.slice(1).length).toBeGreaterThan(0);
    for (const w of warnings.slice(1)) expect(w).toMatch(/CHANGE_REPLACES_RESOURCE: Changing autoscaling_group_name of aws_autoscaling_group_tag\.\S+ destroys .* Received: \{"before":"the replaced aws_eks_node_group\.eks_gpu_/);
    expect(warnings[0]).toMatch(/^\[ml\] CHANGE_REPLACES_RESOURCE: Changing instance_types of aws_eks_node_group\.eks_gpu_[A-F0-9]+ destroys and re-creates it \(provider source internal\/service\/eks\/node_group\.go\)\. Received: \{"before":\["g6\.xlarge"\],"after":\["g6\.2xlarge"\]\}/);
  });

  test('a create-time choice: making an AKS cluster private', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-replace-'));
    const build = (privateCluster: boolean) => (stack: TerraformStack) => {
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      new AksCluster(stack, 'aks', { ...AKS, privateCluster, authorizedIpRanges: privateCluster ? [] : ['203.0.113.0/24'] });
    };
    synthInto(outdir, build(false));
    const warnings = synthInto(outdir, build(true));
    expect(warnings.join('\n')).toContain('CHANGE_REPLACES_RESOURCE: Changing private_cluster_enabled of azurerm_kubernetes_cluster.aks_cluster');
  });
});

describe('day 2 on EKS: the shared file system', () => {
  const eks = (sharedFileSystem: false | { kmsKeyArn?: string }) => synthStack((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'], sharedFileSystem })
      .addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, subnetIds: ['a'] });
  });

  test('adding it to a running cluster replaces nothing', () => {
    const before = eks(false);
    const after = eks({});
    expect(Object.keys(after.resource.aws_efs_file_system)).toHaveLength(1);
    expect(summary(before, after)).toEqual([]);
  });

  test('changing its key replaces the file system and, through its id, every mount target', () => {
    const found = summary(eks({}), eks({ kmsKeyArn: 'arn:aws:kms:us-east-1:1:key/new' }));
    expect(found).toEqual([
      'aws_efs_file_system kms_key_id replace @ internal/service/efs/file_system.go',
      'aws_efs_mount_target file_system_id replace @ internal/service/efs/mount_target.go',
      'aws_efs_mount_target file_system_id replace @ internal/service/efs/mount_target.go',
    ]);
  });
});

describe('day 2 on EKS: the block storage driver', () => {
  const eks = (blockStorage: false | { storageClassName?: string }) => synthStack((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new EksCluster(stack, 'eks', { name: 'ml', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'], blockStorage })
      .addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, subnetIds: ['a'] });
  });

  test('adding it to a running cluster replaces nothing: a role, its policy and a Pod Identity binding are created', () => {
    const before = eks(false);
    const after = eks({});
    const created = (json: TfJson) => Object.values<any>(json.resource.aws_eks_pod_identity_association).map((a) => a.service_account);
    expect(created(after).filter((sa) => !created(before).includes(sa))).toEqual(['ebs-csi-controller-sa']);
    expect(summary(before, after)).toEqual([]);
  });
});
