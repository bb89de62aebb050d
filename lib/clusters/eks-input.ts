import { PropsShape } from '../core/props-shape';
import { Problem } from '../core/validation';
import { listEntryProblems, POOL_SHAPE } from './cluster-props';
import { EBS_OPTIONS_SHAPE, EFS_OPTIONS_SHAPE } from './eks-storage-input';

/** The values of EksGpuAmi (eks-cluster.ts imports this file, so the enum cannot be read here). */
export const EKS_GPU_AMIS = ['AL2023_x86_64_NVIDIA', 'BOTTLEROCKET_x86_64_NVIDIA'];

/** The shape of EksClusterProps, checked before anything is built (JavaScript callers, JSON config). */
export const EKS_PROPS_SHAPE: PropsShape = {
  name: 'string',
  region: 'string',
  subnetIds: { arrayOf: 'string' },
  vpcCidr: 'string',
  serviceCidr: 'string',
  kubernetesVersion: 'string',
  admins: { arrayOf: 'string' },
  publicAccessCidrs: { arrayOf: 'string' },
  secretsKmsKeyArn: 'string',
  addonVersions: { mapOf: 'string' },
  objectStorageCsiDriver: 'boolean',
  sharedFileSystem: { anyOf: [{ oneOf: [false], name: 'false' }, { fields: EFS_OPTIONS_SHAPE }] },
  blockStorage: { anyOf: [{ oneOf: [false], name: 'false' }, { fields: EBS_OPTIONS_SHAPE }] },
};
export const EKS_REQUIRED = ['name', 'region', 'subnetIds', 'admins'];

/** Node group options on EKS: the common ones, subnets and the GPU AMI. */
export const EKS_POOL_SHAPE: PropsShape = { ...POOL_SHAPE, subnetIds: { arrayOf: 'string' }, ami: { oneOf: EKS_GPU_AMIS, name: 'EksGpuAmi' } };

// An IAM principal ARN: arn:<partition>:iam::<account>:<role|user|…>/<name>.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::[^:\s]+:[a-z-]+\/\S+$/;

/** Subnets and admins: each becomes part of the cluster or an access entry, so each must be real and listed once. */
export function eksValueProblems(props: { readonly subnetIds: readonly string[]; readonly admins: readonly string[]; readonly sharedFileSystem?: { readonly subnetIds?: readonly string[] } | false }): Problem[] {
  const fileSystemSubnets = props.sharedFileSystem ? props.sharedFileSystem.subnetIds : undefined;
  return [
    ...listEntryProblems('subnetIds', props.subnetIds, 'SUBNET_ID_INVALID'),
    ...listEntryProblems('admins', props.admins, 'ADMIN_INVALID', PRINCIPAL_ARN),
    ...(fileSystemSubnets ? listEntryProblems('sharedFileSystem.subnetIds', fileSystemSubnets, 'SUBNET_ID_INVALID') : []),
  ];
}

/** The shape of EksVpcProps. */
export const EKS_VPC_SHAPE: PropsShape = { clusterName: 'string', cidr: 'string', availabilityZones: { arrayOf: 'string' } };

// An AWS zone name: region plus a letter (us-east-1a), or a Local Zone (us-west-2-lax-1a).
const ZONE = /^[a-z]{2}(-[a-z0-9]+)+-\d+[a-z]$/;

/** Zones each get a subnet pair: listed once each, and named as AWS names them. */
export function zoneProblems(zones: readonly string[]): Problem[] {
  return listEntryProblems('availabilityZones', zones, 'ZONE_INVALID', ZONE);
}
