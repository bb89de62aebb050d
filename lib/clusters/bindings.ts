import type { TerraformResourceLifecycle } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * What only cluster stacks use, loaded when first used: cdktf, the YAML writer of Helm values, and
 * the provider bindings, loaded when a construct of that cloud is first built. A program that builds
 * only GKE clusters needs only @cdktf/provider-google installed, and loading the library stays
 * light. One resource module at a time, never a provider root.
 */

function loader<T>(pkg: string, load: () => T): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      try {
        loaded = load();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(pkg)) {
          throw new Error(`${pkg} is not installed, and this cluster needs it: npm install ${pkg} (see the peer dependencies of ml-platform-constructs).`);
        }
        throw error;
      }
    }
    return loaded;
  };
}

/** cdktf itself: a program that writes only Kubernetes manifests never loads it (most of the entry's import). */
export const cdktf = loader('cdktf', () => require('cdktf') as typeof import('cdktf'));

/**
 * The YAML writer of Helm values and of the Kueue config. cdk8s bundles its own copy, so loading this
 * one at import would make every program compile a second YAML library (280 KB) that only cluster
 * stacks use.
 */
export const yaml = loader('yaml', () => require('yaml') as typeof import('yaml'));

/**
 * Terraform's built-in `terraform_data` with a string input; returns its `output`. Not cdktf's
 * DataResource: that runs `terraform version` at every validation, so synth failed wherever
 * terraform is not installed.
 */
export function terraformData(scope: Construct, id: string, input: string, lifecycle: TerraformResourceLifecycle): string {
  return new (terraformDataClass())(scope, id, input, lifecycle).output;
}

const terraformDataClass = loader('cdktf', () => class TerraformData extends cdktf().TerraformResource {
  constructor(scope: Construct, id: string, private readonly input: string, lifecycle: TerraformResourceLifecycle) {
    super(scope, id, { terraformResourceType: 'terraform_data', lifecycle });
  }

  /** The input as it was when the resource was made, from state. */
  public get output(): string {
    return this.getStringAttribute('output');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return { input: { value: this.input, isBlock: false, type: 'simple', storageClassType: 'string' } };
  }
});

export const google = loader('@cdktf/provider-google', () => ({
  ContainerCluster: (require('@cdktf/provider-google/lib/container-cluster') as typeof import('@cdktf/provider-google/lib/container-cluster')).ContainerCluster,
  ContainerNodePool: (require('@cdktf/provider-google/lib/container-node-pool') as typeof import('@cdktf/provider-google/lib/container-node-pool')).ContainerNodePool,
  DataGoogleProject: (require('@cdktf/provider-google/lib/data-google-project') as typeof import('@cdktf/provider-google/lib/data-google-project')).DataGoogleProject,
  KmsCryptoKeyIamMember: (require('@cdktf/provider-google/lib/kms-crypto-key-iam-member') as typeof import('@cdktf/provider-google/lib/kms-crypto-key-iam-member')).KmsCryptoKeyIamMember,
  ProjectIamMember: (require('@cdktf/provider-google/lib/project-iam-member') as typeof import('@cdktf/provider-google/lib/project-iam-member')).ProjectIamMember,
  ServiceAccount: (require('@cdktf/provider-google/lib/service-account') as typeof import('@cdktf/provider-google/lib/service-account')).ServiceAccount,
}));

export const aws = loader('@cdktf/provider-aws', () => ({
  AutoscalingGroupTag: (require('@cdktf/provider-aws/lib/autoscaling-group-tag') as typeof import('@cdktf/provider-aws/lib/autoscaling-group-tag')).AutoscalingGroupTagA,
  EfsFileSystem: (require('@cdktf/provider-aws/lib/efs-file-system') as typeof import('@cdktf/provider-aws/lib/efs-file-system')).EfsFileSystem,
  EfsMountTarget: (require('@cdktf/provider-aws/lib/efs-mount-target') as typeof import('@cdktf/provider-aws/lib/efs-mount-target')).EfsMountTarget,
  EksAccessEntry: (require('@cdktf/provider-aws/lib/eks-access-entry') as typeof import('@cdktf/provider-aws/lib/eks-access-entry')).EksAccessEntry,
  EksAddon: (require('@cdktf/provider-aws/lib/eks-addon') as typeof import('@cdktf/provider-aws/lib/eks-addon')).EksAddon,
  EksAccessPolicyAssociation: (require('@cdktf/provider-aws/lib/eks-access-policy-association') as typeof import('@cdktf/provider-aws/lib/eks-access-policy-association')).EksAccessPolicyAssociation,
  EksClusterResource: (require('@cdktf/provider-aws/lib/eks-cluster') as typeof import('@cdktf/provider-aws/lib/eks-cluster')).EksCluster,
  EksNodeGroup: (require('@cdktf/provider-aws/lib/eks-node-group') as typeof import('@cdktf/provider-aws/lib/eks-node-group')).EksNodeGroup,
  EksPodIdentityAssociation: (require('@cdktf/provider-aws/lib/eks-pod-identity-association') as typeof import('@cdktf/provider-aws/lib/eks-pod-identity-association')).EksPodIdentityAssociation,
  IamOpenidConnectProvider: (require('@cdktf/provider-aws/lib/iam-openid-connect-provider') as typeof import('@cdktf/provider-aws/lib/iam-openid-connect-provider')).IamOpenidConnectProvider,
  IamRole: (require('@cdktf/provider-aws/lib/iam-role') as typeof import('@cdktf/provider-aws/lib/iam-role')).IamRole,
  IamRolePolicy: (require('@cdktf/provider-aws/lib/iam-role-policy') as typeof import('@cdktf/provider-aws/lib/iam-role-policy')).IamRolePolicy,
  IamRolePolicyAttachment: (require('@cdktf/provider-aws/lib/iam-role-policy-attachment') as typeof import('@cdktf/provider-aws/lib/iam-role-policy-attachment')).IamRolePolicyAttachment,
  KmsKey: (require('@cdktf/provider-aws/lib/kms-key') as typeof import('@cdktf/provider-aws/lib/kms-key')).KmsKey,
  Eip: (require('@cdktf/provider-aws/lib/eip') as typeof import('@cdktf/provider-aws/lib/eip')).Eip,
  InternetGateway: (require('@cdktf/provider-aws/lib/internet-gateway') as typeof import('@cdktf/provider-aws/lib/internet-gateway')).InternetGateway,
  NatGateway: (require('@cdktf/provider-aws/lib/nat-gateway') as typeof import('@cdktf/provider-aws/lib/nat-gateway')).NatGateway,
  Route: (require('@cdktf/provider-aws/lib/route') as typeof import('@cdktf/provider-aws/lib/route')).Route,
  RouteTable: (require('@cdktf/provider-aws/lib/route-table') as typeof import('@cdktf/provider-aws/lib/route-table')).RouteTable,
  RouteTableAssociation: (require('@cdktf/provider-aws/lib/route-table-association') as typeof import('@cdktf/provider-aws/lib/route-table-association')).RouteTableAssociation,
  SecurityGroup: (require('@cdktf/provider-aws/lib/security-group') as typeof import('@cdktf/provider-aws/lib/security-group')).SecurityGroup,
  Subnet: (require('@cdktf/provider-aws/lib/subnet') as typeof import('@cdktf/provider-aws/lib/subnet')).Subnet,
  Vpc: (require('@cdktf/provider-aws/lib/vpc') as typeof import('@cdktf/provider-aws/lib/vpc')).Vpc,
  VpcSecurityGroupIngressRule: (require('@cdktf/provider-aws/lib/vpc-security-group-ingress-rule') as typeof import('@cdktf/provider-aws/lib/vpc-security-group-ingress-rule')).VpcSecurityGroupIngressRule,
}));

export const azurerm = loader('@cdktf/provider-azurerm', () => ({
  KubernetesCluster: (require('@cdktf/provider-azurerm/lib/kubernetes-cluster') as typeof import('@cdktf/provider-azurerm/lib/kubernetes-cluster')).KubernetesCluster,
  KubernetesClusterNodePool: (require('@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool') as typeof import('@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool')).KubernetesClusterNodePool,
  LogAnalyticsWorkspace: (require('@cdktf/provider-azurerm/lib/log-analytics-workspace') as typeof import('@cdktf/provider-azurerm/lib/log-analytics-workspace')).LogAnalyticsWorkspace,
  MonitorDiagnosticSetting: (require('@cdktf/provider-azurerm/lib/monitor-diagnostic-setting') as typeof import('@cdktf/provider-azurerm/lib/monitor-diagnostic-setting')).MonitorDiagnosticSetting,
  RoleAssignment: (require('@cdktf/provider-azurerm/lib/role-assignment') as typeof import('@cdktf/provider-azurerm/lib/role-assignment')).RoleAssignment,
  Subnet: (require('@cdktf/provider-azurerm/lib/subnet') as typeof import('@cdktf/provider-azurerm/lib/subnet')).Subnet,
  UserAssignedIdentity: (require('@cdktf/provider-azurerm/lib/user-assigned-identity') as typeof import('@cdktf/provider-azurerm/lib/user-assigned-identity')).UserAssignedIdentity,
  VirtualNetwork: (require('@cdktf/provider-azurerm/lib/virtual-network') as typeof import('@cdktf/provider-azurerm/lib/virtual-network')).VirtualNetwork,
}));

export const helm = loader('@cdktf/provider-helm', () => ({
  HelmProvider: (require('@cdktf/provider-helm/lib/provider') as typeof import('@cdktf/provider-helm/lib/provider')).HelmProvider,
  Release: (require('@cdktf/provider-helm/lib/release') as typeof import('@cdktf/provider-helm/lib/release')).Release,
}));
