import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import { App } from 'cdktf';
import { Accelerator, collectWarnings, EksCluster, EksClusterProps, EksGpuAmi, EksVpc, NodeLabels } from '../../lib';
import { resource, resources, synthStack, synthStackError } from '../tf-helpers';

const BASE: EksClusterProps = {
  name: 'ml-eks',
  region: 'us-east-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  admins: ['arn:aws:iam::111122223333:role/admins'],
};

function eks(stack: TerraformStack, props: Partial<EksClusterProps> = {}): EksCluster {
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return new EksCluster(stack, 'eks', { ...BASE, ...props });
}

describe('EksCluster', () => {
  test('private endpoint, KMS-encrypted Secrets, all control-plane logs, API authentication', () => {
    const tf = synthStack((stack) => eks(stack));
    const cluster = resource(tf, 'aws_eks_cluster');
    expect(cluster.vpc_config).toEqual({ subnet_ids: ['subnet-a', 'subnet-b'], endpoint_private_access: true, endpoint_public_access: false });
    expect(cluster.enabled_cluster_log_types.sort()).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(cluster.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false });
    expect(cluster.encryption_config.resources).toEqual(['secrets']);
    expect(cluster.encryption_config.provider.key_arn).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
    expect(resource(tf, 'aws_kms_key').enable_key_rotation).toBe(true);
    expect(cluster.version).toBe('1.33');
  });

  test('a given KMS key is used instead of a new one', () => {
    const tf = synthStack((stack) => eks(stack, { secretsKmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc' }));
    expect(resources(tf, 'aws_kms_key')).toHaveLength(0);
    expect(resource(tf, 'aws_eks_cluster').encryption_config.provider.key_arn).toBe('arn:aws:kms:us-east-1:111122223333:key/abc');
  });

  test('admins get cluster-admin through access entries', () => {
    const tf = synthStack((stack) => eks(stack));
    expect(resource(tf, 'aws_eks_access_entry')).toMatchObject({ principal_arn: BASE.admins[0], type: 'STANDARD' });
    expect(resource(tf, 'aws_eks_access_policy_association')).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('an OIDC provider trusts the cluster issuer for STS', () => {
    const tf = synthStack((stack) => eks(stack));
    expect(resource(tf, 'aws_iam_openid_connect_provider')).toMatchObject({
      client_id_list: ['sts.amazonaws.com'],
      url: expect.stringMatching(/aws_eks_cluster\..*\.identity\[0\]\.oidc\[0\]\.issuer/),
    });
  });

  test('roles carry only the managed policies EKS needs', () => {
    const tf = synthStack((stack) => eks(stack));
    const policies = resources(tf, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn.split('/').pop()).sort();
    // AmazonEBSCSIDriverPolicy and AmazonEFSCSIDriverPolicy: the CSI controllers' roles (their own, not the nodes').
    expect(policies).toEqual([
      'AmazonEBSCSIDriverPolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEFSCSIDriverPolicy', 'AmazonEKSClusterPolicy', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']);
    const efs = resources(tf, 'aws_iam_role_policy_attachment').find((a) => a.policy_arn.endsWith('/AmazonEFSCSIDriverPolicy'));
    expect(efs?.role).toMatch(/^\$\{aws_iam_role\.eks_shared-fs_controller-role_[A-F0-9]+\.name\}$/);
  });

  test('the VPC CNI enforces NetworkPolicy', () => {
    const tf = synthStack((stack) => eks(stack));
    expect(JSON.parse(resource(tf, 'aws_eks_addon', 'vpc-cni').configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('node groups follow the control plane version, and every managed add-on is pinned to that version\'s release', () => {
    const at = (kubernetesVersion: string) => synthStack((stack) => { eks(stack, { kubernetesVersion }).addNodePool('cpu', { machineType: 'm6i.large', maxNodes: 2 }); });
    const tf = at('1.32');
    expect(resource(tf, 'aws_eks_node_group').version).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.version\}$/);
    const versions = (json: typeof tf) => Object.fromEntries(resources(json, 'aws_eks_addon').map((a) => [a.addon_name, a.addon_version]));
    expect(versions(tf)).toEqual({
      'vpc-cni': 'v1.20.1-eksbuild.3', 'kube-proxy': 'v1.32.9-eksbuild.2', 'coredns': 'v1.11.4-eksbuild.22',
      'eks-pod-identity-agent': 'v1.3.8-eksbuild.2', 'aws-mountpoint-s3-csi-driver': 'v2.0.0-eksbuild.1',
    });
    expect(versions(at('1.33'))['kube-proxy']).toBe('v1.33.5-eksbuild.2');
    expect(resource(tf, 'aws_eks_addon', 'kube-proxy').resolve_conflicts_on_update).toBe('PRESERVE');
  });

  test('add-ons that run Deployments wait for the node groups, so their creation does not time out on an empty cluster', () => {
    const tf = synthStack((stack) => { eks(stack).addNodePool('cpu', { machineType: 'm6i.large', maxNodes: 2 }); });
    const group = Object.keys(tf.resource.aws_eks_node_group)[0];
    for (const name of ['coredns', 'aws-mountpoint-s3-csi-driver']) expect(resource(tf, 'aws_eks_addon', name).depends_on).toContain(`aws_eks_node_group.${group}`);
    expect(resource(tf, 'aws_eks_addon', 'vpc-cni').depends_on).toBeUndefined();
  });

  test('the S3 CSI driver has no role of its own (pods mount with theirs); s3 is in the profile only while the driver is on', () => {
    let cluster!: EksCluster;
    const tf = synthStack((stack) => { cluster = eks(stack); });
    expect(resource(tf, 'aws_eks_addon', 'mountpoint').service_account_role_arn).toBeUndefined();
    expect(cluster.profile.facts.objectStores).toEqual([{ scheme: 's3', csiDriver: 's3.csi.aws.com', volumeAttributes: { authenticationSource: 'pod' } }]);
    let without!: EksCluster;
    const off = synthStack((stack) => { without = eks(stack, { objectStorageCsiDriver: false }); });
    expect(resources(off, 'aws_eks_addon').map((a) => a.addon_name)).not.toContain('aws-mountpoint-s3-csi-driver');
    expect(without.profile.facts.objectStores).toEqual([]);
  });

  test('the autoscaler role may resize only this cluster\'s groups and is bound to its service account by Pod Identity', () => {
    const tf = synthStack((stack) => eks(stack));
    const role = resource(tf, 'aws_iam_role', 'autoscaler');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    const policy = JSON.parse(resource(tf, 'aws_iam_role_policy').policy);
    const write = policy.Statement.find((s: any) => s.Action.includes('autoscaling:SetDesiredCapacity'));
    expect(write.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/ml-eks': 'owned' } });
    expect(policy.Statement.flatMap((s: any) => s.Action).filter((a: string) => !/:(Describe|Get)/.test(a)).sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(resource(tf, 'aws_eks_pod_identity_association', 'autoscaler')).toMatchObject({ namespace: 'kube-system', service_account: 'cluster-autoscaler', role_arn: expect.stringContaining('aws_iam_role.') });
  });

  test('scale-from-zero tags are keyed by tag key: adding a label leaves the other tags\' addresses alone', () => {
    const addresses = (labels: Record<string, string>) => {
      const tf = synthStack((stack) => { eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, labels }); });
      return Object.fromEntries(Object.entries<any>(tf.resource.aws_autoscaling_group_tag).map(([id, t]) => [t.tag.key, id]));
    };
    const before = addresses({ team: 'a' });
    const after = addresses({ aaa: 'first', team: 'a' });
    for (const [key, id] of Object.entries(before)) expect(after[key]).toBe(id);
    expect(Object.keys(after)).toHaveLength(Object.keys(before).length + 1);
  });

  test('warns when nothing installs the autoscaler', () => {
    const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'mlpc-')) });
    const stack = new TerraformStack(app, 's');
    eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2 });
    expect(collectWarnings(app).join('\n')).toContain('EKS_AUTOSCALER_NOT_INSTALLED: Nothing scales the node groups of "ml-eks"');
  });

  test('GPU node group: NVIDIA AMI, GPU taint, labels, spot, scale-from-zero tags', () => {
    const tf = synthStack((stack) => {
      eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_A10G, gpusPerNode: 4, maxNodes: 2, spot: true });
    });
    const group = resource(tf, 'aws_eks_node_group');
    expect(group).toMatchObject({
      node_group_name: 'gpu',
      instance_types: ['g5.12xlarge'],
      ami_type: 'AL2023_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      scaling_config: { min_size: 0, max_size: 2, desired_size: 0 },
      labels: { [NodeLabels.ACCELERATOR]: 'nvidia-a10g', [NodeLabels.CAPACITY]: 'spot' },
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
    });
    expect(group.taint).toEqual([
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' },
      { key: 'ml-platform.io/spot', value: 'true', effect: 'NO_SCHEDULE' },
    ]);
    const tags = Object.fromEntries(resources(tf, 'aws_autoscaling_group_tag').map((t) => [t.tag.key, t.tag.value]));
    expect(tags).toMatchObject({
      'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '4',
      'k8s.io/cluster-autoscaler/node-template/label/ml-platform.io/accelerator': 'nvidia-a10g',
      'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'present:NoSchedule',
    });
  });

  test('Bottlerocket GPU pools need no device plugin; AL2023 ones do', () => {
    let cluster!: EksCluster;
    synthStack((stack) => {
      cluster = eks(stack);
      cluster.addGpuPool('br', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, ami: EksGpuAmi.BOTTLEROCKET_NVIDIA });
    });
    expect(cluster.profile.capabilities.devicePluginRequired).toBe(false);
    cluster.addGpuPool('al', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1 });
    expect(cluster.profile.capabilities.devicePluginRequired).toBe(true);
    expect(cluster.profile.pools.map((p) => [p.name, p.devicePluginRequired])).toEqual([['br', false], ['al', true]]);
  });

  test('a GPU node group can be kept to the subnets of the zones that have its accelerator; zones are refused with that fix', () => {
    const tf = synthStack((stack) => { eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, subnetIds: ['subnet-b'] }); });
    expect(resource(tf, 'aws_eks_node_group').subnet_ids).toEqual(['subnet-b']);
    const message = synthStackError((stack) => eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1, zones: ['us-east-1a'] }));
    expect(message).toContain('POOL_ZONE_INVALID');
    expect(message).toContain('give the pool subnetIds in the zones you want');
  });

  test('CPU pools on Graviton get the ARM AMI', () => {
    const tf = synthStack((stack) => { eks(stack).addNodePool('arm', { machineType: 'm7g.xlarge', maxNodes: 2 }); });
    expect(resource(tf, 'aws_eks_node_group').ami_type).toBe('AL2023_ARM_64_STANDARD');
  });

  test('EksVpc gives private subnets in every zone and NAT egress', () => {
    const tf = synthStack((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      new EksVpc(stack, 'net', { clusterName: 'c', availabilityZones: ['us-east-1a', 'us-east-1b'] });
    });
    const cidrs = resources(tf, 'aws_subnet').map((s) => s.cidr_block).sort();
    expect(cidrs).toEqual(['10.0.0.0/19', '10.0.128.0/22', '10.0.132.0/22', '10.0.32.0/19']);
    expect(resources(tf, 'aws_nat_gateway')).toHaveLength(1);
  });

  describe('fails when', () => {
    test('the cluster name is too long for its IAM roles', () => {
      const message = synthStackError((stack) => eks(stack, { name: 'a'.repeat(60) }));
      expect(message).toContain('CLUSTER_NAME_TOO_LONG');
      expect(message).toContain('64');
    });

    test('the accelerator is not on the instance type', () => {
      const message = synthStackError((stack) => eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_T4, machineType: 'g6.xlarge', maxNodes: 1 }));
      expect(message).toContain('ACCELERATOR_NOT_ON_MACHINE: g6.xlarge cannot carry NVIDIA T4 (pool "gpu"); it comes with NVIDIA L4.');
    });

    test('no instance type has that many GPUs', () => {
      const message = synthStackError((stack) => eks(stack).addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_H100_80GB, gpusPerNode: 2, maxNodes: 1 }));
      expect(message).toContain('GPU_COUNT_UNAVAILABLE: No EKS machine carries 2 × NVIDIA H100 80GB');
      expect(message).toContain('Fix: set gpusPerNode to one of 8.');
    });

    test('the public endpoint is opened to the world', () => {
      expect(synthStackError((stack) => eks(stack, { publicAccessCidrs: ['0.0.0.0/0'] }))).toContain('CIDR_OPEN_TO_WORLD');
    });

    test('the service range overlaps the VPC', () => {
      expect(synthStackError((stack) => eks(stack, { vpcCidr: '172.20.0.0/16' }))).toContain('CIDR_OVERLAP: The service CIDR overlaps the VPC CIDR 172.20.0.0/16');
    });

    test('there is one subnet only', () => {
      expect(synthStackError((stack) => eks(stack, { subnetIds: ['subnet-a'] }))).toContain('SUBNETS_TOO_FEW');
    });

    test('no add-on versions are known for the Kubernetes version', () => {
      const message = synthStackError((stack) => eks(stack, { kubernetesVersion: '1.20' }));
      expect(message).toContain('EKS_ADDON_VERSION_UNKNOWN: No pinned version of vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, aws-mountpoint-s3-csi-driver is known for Kubernetes 1.20.');
      expect(message).toContain('pin each missing add-on in addonVersions');
    });

    test('nobody is admin', () => {
      expect(synthStackError((stack) => eks(stack, { admins: [] }))).toContain('CLUSTER_NO_ADMIN');
    });

    test('a node group name is refused by EKS', () => {
      expect(synthStackError((stack) => eks(stack).addNodePool('cpu', { name: '-cpu', machineType: 'm6i.large', maxNodes: 1 }))).toContain('POOL_NAME_INVALID');
    });
  });
});

describe('EksCluster shared file system', () => {
  test('an encrypted EFS file system, a mount target per subnet, NFS only from the cluster security group', () => {
    const json = synthStack((stack) => eks(stack));
    const [fileSystem] = resources(json, 'aws_efs_file_system');
    expect(fileSystem).toMatchObject({ encrypted: true, creation_token: 'ml-eks-shared' });
    expect(resources(json, 'aws_efs_mount_target').map((t: any) => t.subnet_id).sort()).toEqual(['subnet-a', 'subnet-b']);
    const [rule] = resources(json, 'aws_vpc_security_group_ingress_rule');
    expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 2049, to_port: 2049 });
    expect(rule.referenced_security_group_id).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.vpc_config\[0\]\.cluster_security_group_id\}$/);
    expect(rule.cidr_ipv4).toBeUndefined();
    const [identity] = resources(json, 'aws_eks_pod_identity_association').filter((a: any) => a.service_account === 'efs-csi-controller-sa');
    expect(identity.namespace).toBe('kube-system');
  });

  test('the add-ons install the EFS CSI driver with a StorageClass on the file system', () => {
    let releases: ReturnType<EksCluster['requiredReleases']> = [];
    synthStack((stack) => { releases = eks(stack, { sharedFileSystem: { storageClassName: 'shared' } }).requiredReleases(); });
    const efs = releases.find((r) => r.name === 'aws-efs-csi-driver')!;
    expect(efs.chart.chart).toBe('aws-efs-csi-driver');
    const [storageClass] = (efs.values as any).storageClasses;
    expect(storageClass.name).toBe('shared');
    expect(storageClass.parameters).toMatchObject({ provisioningMode: 'efs-ap', directoryPerms: '700' });
    expect(storageClass.parameters.fileSystemId).toMatch(/^\$\{TfToken\[/);
    expect((efs.values as any).controller.serviceAccount.name).toBe('efs-csi-controller-sa');
  });

  test('opt-out: no file system, no driver', () => {
    let releases: ReturnType<EksCluster['requiredReleases']> = [];
    const json = synthStack((stack) => { releases = eks(stack, { sharedFileSystem: false }).requiredReleases(); });
    expect(resources(json, 'aws_efs_file_system')).toHaveLength(0);
    expect(releases.map((r) => r.name)).toEqual(['cluster-autoscaler', 'aws-ebs-csi-driver']);
  });
});

describe('EksCluster block storage', () => {
  test('the EBS CSI controller gets its own role, bound by Pod Identity to its service account only', () => {
    const json = synthStack((stack) => eks(stack));
    const [identity] = resources(json, 'aws_eks_pod_identity_association').filter((a: any) => a.service_account === 'ebs-csi-controller-sa');
    expect(identity.namespace).toBe('kube-system');
    const role = resources(json, 'aws_iam_role').find((r: any) => r.name === 'ml-eks-ebs-csi');
    expect(JSON.parse(role!.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    const attachments = resources(json, 'aws_iam_role_policy_attachment').filter((a: any) => a.policy_arn.endsWith('/AmazonEBSCSIDriverPolicy'));
    expect(attachments).toHaveLength(1);
  });

  test('the add-ons install the driver with an encrypted gp3 class, the cluster default', () => {
    let releases: ReturnType<EksCluster['requiredReleases']> = [];
    synthStack((stack) => { releases = eks(stack, { blockStorage: { storageClassName: 'fast' } }).requiredReleases(); });
    const ebs = releases.find((r) => r.name === 'aws-ebs-csi-driver')!;
    expect(ebs.chart.chart).toBe('aws-ebs-csi-driver');
    expect((ebs.values as any).storageClasses).toEqual([expect.objectContaining({
      name: 'fast',
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    })]);
    expect((ebs.values as any).controller.serviceAccount.name).toBe('ebs-csi-controller-sa');
    // The chart's own default class sets no `encrypted`: it stays off.
    expect((ebs.values as any).defaultStorageClass).toBeUndefined();
  });

  test('opt-out: no role, no driver', () => {
    let releases: ReturnType<EksCluster['requiredReleases']> = [];
    const json = synthStack((stack) => { releases = eks(stack, { blockStorage: false }).requiredReleases(); });
    expect(resources(json, 'aws_eks_pod_identity_association').map((a: any) => a.service_account)).not.toContain('ebs-csi-controller-sa');
    expect(releases.map((r) => r.name)).toEqual(['cluster-autoscaler', 'aws-efs-csi-driver']);
  });
});
