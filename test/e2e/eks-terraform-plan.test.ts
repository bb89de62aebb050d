import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { findAwsProviderMirror, findTerraform, RunningProvider, startAwsProvider, terraformRunner } from './terraform-tools';

// The one provider binary on these machines; @cdktf/provider-aws 20.1.0 is its binding.
const AWS_PROVIDER_VERSION = '5.100.0';

/**
 * The EKS stack of the default example goes through real `terraform init`, `validate` and `plan`,
 * offline: the provider comes from a filesystem mirror, credentials are fake, and the provider is
 * told not to call AWS while planning.
 */
describe('EKS stack of the default example under real terraform', () => {
  let plan: any;
  let validation: any;
  let provider: RunningProvider | undefined;

  beforeAll(async () => {
    const terraform = findTerraform();
    const mirror = findAwsProviderMirror(AWS_PROVIDER_VERSION);
    provider = await startAwsProvider(mirror, AWS_PROVIDER_VERSION);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-e2e-'));
    const app = new App({ outdir });
    buildMultiCloud(app);
    app.synth();

    const work = path.join(outdir, 'stacks', 'ml-eks');
    const file = path.join(work, 'cdk.tf.json');
    const stack = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(stack.terraform.required_providers.aws.version).toBe(AWS_PROVIDER_VERSION);
    // Test-only settings: keep state in the temp dir and plan without reaching AWS.
    stack.terraform.backend = { local: { path: 'terraform.tfstate' } };
    Object.assign(stack.provider.aws[0], {
      access_key: 'AKIAIOSFODNN7EXAMPLE',
      secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
    fs.writeFileSync(file, JSON.stringify(stack));

    const run = terraformRunner(terraform, work, mirror, provider);
    run('init', '-input=false');
    validation = JSON.parse(run('validate', '-json'));
    run('plan', '-input=false', '-out=plan.bin');
    plan = JSON.parse(run('show', '-json', 'plan.bin'));
  }, 180_000);

  afterAll(() => provider?.stop());

  const planned = (type: string) =>
    plan.resource_changes.filter((r: any) => r.type === type && r.change.actions.includes('create')).map((r: any) => r.change.after);

  test('terraform validate accepts the configuration', () => {
    expect(validation.valid).toBe(true);
    expect(validation.error_count).toBe(0);
  });

  test('the plan creates a private, encrypted, fully logged cluster', () => {
    const [cluster] = planned('aws_eks_cluster');
    expect(cluster.name).toBe('ml-eks');
    expect(cluster.vpc_config[0]).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(cluster.encryption_config[0].resources).toEqual(['secrets']);
    expect(cluster.enabled_cluster_log_types).toHaveLength(5);
    expect(cluster.access_config[0].authentication_mode).toBe('API');
  });

  test('the plan creates the CPU and GPU node groups with NVIDIA AMIs, taints and spot capacity', () => {
    const groups = Object.fromEntries(planned('aws_eks_node_group').map((g: any) => [g.node_group_name, g]));
    expect(Object.keys(groups).sort()).toEqual(['cpu', 'gpu', 'gpuspot']);
    expect(groups.cpu.ami_type).toBe('AL2023_x86_64_STANDARD');
    expect(groups.gpu).toMatchObject({ ami_type: 'AL2023_x86_64_NVIDIA', instance_types: ['g6.xlarge'], capacity_type: 'ON_DEMAND' });
    expect(groups.gpu.scaling_config[0]).toMatchObject({ min_size: 0, max_size: 8 });
    expect(groups.gpuspot.capacity_type).toBe('SPOT');
    expect(groups.gpu.taint).toContainEqual({ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' });
  });

  test('the plan creates the autoscaler\'s role, its policy and its Pod Identity binding; node groups carry the cluster version', () => {
    const [role] = planned('aws_iam_role').filter((r: any) => r.name === 'ml-eks-scaler');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal.Service).toBe('pods.eks.amazonaws.com');
    const [policy] = planned('aws_iam_role_policy');
    expect(policy.policy).toContain('k8s.io/cluster-autoscaler/ml-eks');
    expect(planned('aws_eks_pod_identity_association')).toContainEqual(expect.objectContaining({ cluster_name: 'ml-eks', namespace: 'kube-system', service_account: 'cluster-autoscaler' }));
    const config = plan.configuration.root_module.resources.filter((r: any) => r.type === 'aws_eks_node_group');
    for (const group of config) expect(group.expressions.version.references).toContainEqual(expect.stringMatching(/^aws_eks_cluster\.[^.]+\.version$/));
    const addons = Object.fromEntries(planned('aws_eks_addon').map((a: any) => [a.addon_name, a.addon_version]));
    expect(Object.keys(addons).sort()).toEqual(['aws-mountpoint-s3-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(Object.values(addons).every((v) => /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(String(v)))).toBe(true);
  });

  test('the plan creates an encrypted EFS file system with a mount target per private subnet, open to NFS from the nodes only', () => {
    const [fileSystem] = planned('aws_efs_file_system');
    expect(fileSystem).toMatchObject({ encrypted: true, creation_token: 'ml-eks-shared', throughput_mode: 'elastic' });
    expect(planned('aws_efs_mount_target')).toHaveLength(3);
    const [rule] = planned('aws_vpc_security_group_ingress_rule');
    expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 2049, to_port: 2049 });
    const config = plan.configuration.root_module.resources;
    const ruleConfig = config.find((r: any) => r.type === 'aws_vpc_security_group_ingress_rule');
    expect(ruleConfig.expressions.referenced_security_group_id.references).toContainEqual(expect.stringMatching(/^aws_eks_cluster\.[^.]+\.vpc_config\[0\]\.cluster_security_group_id$/));
    for (const target of config.filter((r: any) => r.type === 'aws_efs_mount_target')) {
      expect(target.expressions.security_groups.references).toContainEqual(expect.stringMatching(/^aws_security_group\./));
      expect(target.expressions.subnet_id.references).toContainEqual(expect.stringMatching(/^aws_subnet\./));
    }
    const identities = planned('aws_eks_pod_identity_association').map((a: any) => a.service_account);
    expect(identities).toContain('efs-csi-controller-sa');
    const [attachment] = planned('aws_iam_role_policy_attachment').filter((a: any) => a.policy_arn.endsWith('/AmazonEFSCSIDriverPolicy'));
    expect(attachment.role).toBe('ml-eks-efs-csi');
  });

  test('the plan creates the EBS CSI controller\'s role with the managed EBS policy, bound by Pod Identity to its service account', () => {
    const [role] = planned('aws_iam_role').filter((r: any) => r.name === 'ml-eks-ebs-csi');
    expect(JSON.parse(role.assume_role_policy).Statement[0]).toMatchObject({ Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    const [attachment] = planned('aws_iam_role_policy_attachment').filter((a: any) => a.policy_arn === 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
    expect(attachment.role).toBe('ml-eks-ebs-csi');
    const [identity] = planned('aws_eks_pod_identity_association').filter((a: any) => a.service_account === 'ebs-csi-controller-sa');
    expect(identity).toMatchObject({ cluster_name: 'ml-eks', namespace: 'kube-system' });
    const config = plan.configuration.root_module.resources.find((r: any) => r.type === 'aws_eks_pod_identity_association' && r.expressions.service_account.constant_value === 'ebs-csi-controller-sa');
    expect(config.expressions.role_arn.references).toContainEqual(expect.stringMatching(/^aws_iam_role\.[^.]+\.arn$/));
  });

  test('the plan creates the network, OIDC provider and access entry it needs', () => {
    expect(planned('aws_subnet')).toHaveLength(6);
    expect(planned('aws_nat_gateway')).toHaveLength(1);
    expect(planned('aws_iam_openid_connect_provider')).toHaveLength(1);
    expect(planned('aws_eks_access_entry')[0].principal_arn).toBe('arn:aws:iam::111122223333:role/platform-admins');
    expect(plan.resource_changes.every((r: any) => r.change.actions.join() === 'create')).toBe(true);
  });
});
