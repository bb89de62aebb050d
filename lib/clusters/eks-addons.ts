import type { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { Problem } from '../core/validation';
import { aws } from './bindings';
import { podIdentityRole } from './eks-pod-identity';

/** The EKS managed add-ons the cluster installs, each pinned per Kubernetes minor version. */
export enum EksAddonName {
  VPC_CNI = 'vpc-cni',
  KUBE_PROXY = 'kube-proxy',
  COREDNS = 'coredns',
  POD_IDENTITY_AGENT = 'eks-pod-identity-agent',
  MOUNTPOINT_S3 = 'aws-mountpoint-s3-csi-driver',
}

/**
 * Versions per Kubernetes minor, from the EKS user guide's tables ("latest version of the Amazon EKS
 * add-on type for each Kubernetes version"). Bumping `kubernetesVersion` moves every add-on with it,
 * so the control plane never outruns kube-proxy or the CNI.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
  '1.31': { 'vpc-cni': 'v1.20.1-eksbuild.3', 'kube-proxy': 'v1.31.13-eksbuild.2', 'coredns': 'v1.11.4-eksbuild.22', 'eks-pod-identity-agent': 'v1.3.8-eksbuild.2', 'aws-mountpoint-s3-csi-driver': 'v2.0.0-eksbuild.1' },
  '1.32': { 'vpc-cni': 'v1.20.1-eksbuild.3', 'kube-proxy': 'v1.32.9-eksbuild.2', 'coredns': 'v1.11.4-eksbuild.22', 'eks-pod-identity-agent': 'v1.3.8-eksbuild.2', 'aws-mountpoint-s3-csi-driver': 'v2.0.0-eksbuild.1' },
  '1.33': { 'vpc-cni': 'v1.20.1-eksbuild.3', 'kube-proxy': 'v1.33.5-eksbuild.2', 'coredns': 'v1.12.1-eksbuild.2', 'eks-pod-identity-agent': 'v1.3.8-eksbuild.2', 'aws-mountpoint-s3-csi-driver': 'v2.0.0-eksbuild.1' },
  '1.34': { 'vpc-cni': 'v1.20.1-eksbuild.3', 'kube-proxy': 'v1.34.1-eksbuild.2', 'coredns': 'v1.12.1-eksbuild.2', 'eks-pod-identity-agent': 'v1.3.8-eksbuild.2', 'aws-mountpoint-s3-csi-driver': 'v2.0.0-eksbuild.1' },
};

/** Cluster Autoscaler follows the Kubernetes minor version it runs against. */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.31': 'v1.31.0',
  '1.32': 'v1.32.0',
  '1.33': 'v1.33.0',
  '1.34': 'v1.34.0',
};

/** Where the autoscaler runs; its Pod Identity association names this service account. */
export const AUTOSCALER_NAMESPACE = 'kube-system';
export const AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';

/** The add-on versions for `kubernetesVersion`, with the caller's overrides on top; problems when unknown. */
export function resolveAddonVersions(kubernetesVersion: string, overrides: Partial<Record<EksAddonName, string>>): { versions: Record<EksAddonName, string>; problems: Problem[] } {
  const known = EKS_ADDON_VERSIONS[kubernetesVersion];
  const versions = { ...(known ?? {}), ...overrides } as Record<EksAddonName, string>;
  const missing = Object.values(EksAddonName).filter((name) => !versions[name]);
  const problems: Problem[] = missing.length === 0 ? [] : [{
    code: 'EKS_ADDON_VERSION_UNKNOWN',
    message: `No pinned version of ${missing.join(', ')} is known for Kubernetes ${kubernetesVersion}.`,
    received: kubernetesVersion,
    fix: `use one of ${Object.keys(EKS_ADDON_VERSIONS).join(', ')}, or pin each missing add-on in addonVersions.`,
  }];
  return { versions, problems };
}

/** Creates the managed add-ons; those that run Deployments wait for node groups (see `waitForNodes`). */
export function createManagedAddons(scope: Construct, cluster: EksClusterResource, versions: Record<EksAddonName, string>, objectStorage: boolean): { addons: EksAddon[]; needNodes: EksAddon[] } {
  const { EksAddon } = aws();
  const addon = (name: EksAddonName, extra: { configurationValues?: string } = {}) => new EksAddon(scope, name, {
    clusterName: cluster.name,
    addonName: name,
    addonVersion: versions[name],
    resolveConflictsOnCreate: 'OVERWRITE',
    // Keep settings someone changed in the cluster when the version moves.
    resolveConflictsOnUpdate: 'PRESERVE',
    ...extra,
  });
  // The VPC CNI enforces NetworkPolicy only when told to.
  const cni = addon(EksAddonName.VPC_CNI, { configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }) });
  const proxy = addon(EksAddonName.KUBE_PROXY);
  const agent = addon(EksAddonName.POD_IDENTITY_AGENT);
  const coredns = addon(EksAddonName.COREDNS);
  // No service account role: volumes use `authenticationSource: pod`, so each pod reads with its own
  // identity and the driver holds no S3 permission of its own (least privilege).
  const s3 = objectStorage ? [addon(EksAddonName.MOUNTPOINT_S3)] : [];
  return { addons: [cni, proxy, agent, coredns, ...s3], needNodes: [coredns, ...s3] };
}

/**
 * The Cluster Autoscaler's role, bound by EKS Pod Identity to its service account only. It may
 * change the size of Auto Scaling groups tagged as this cluster's (EKS tags its node groups' groups
 * `k8s.io/cluster-autoscaler/<cluster>=owned`) and read what it needs to simulate scale-up.
 */
export function createAutoscalerRole(scope: Construct, cluster: EksClusterResource, clusterName: string): IamRole {
  const { IamRolePolicy } = aws();
  // Shorter than "<name>-cluster", so the cluster name check covers it.
  const role = podIdentityRole(scope, 'autoscaler', cluster, `${clusterName}-scaler`, AUTOSCALER_NAMESPACE, AUTOSCALER_SERVICE_ACCOUNT);
  new IamRolePolicy(scope, 'autoscaler-policy', {
    name: 'cluster-autoscaler',
    role: role.name,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ResizeOwnGroups',
          Effect: 'Allow',
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          Resource: '*',
          Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
        },
        {
          Sid: 'ReadGroupsAndTypes',
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
            'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
          ],
          Resource: '*',
        },
        { Sid: 'ReadOwnNodeGroups', Effect: 'Allow', Action: ['eks:DescribeNodegroup'], Resource: `arn:aws:eks:*:*:nodegroup/${clusterName}/*` },
      ],
    }),
  });
  return role;
}
