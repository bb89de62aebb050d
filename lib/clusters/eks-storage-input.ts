import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { Construct } from 'constructs';
import { checkName, EKS_NAME, IAM_ROLE_NAME, STORAGE_CLASS_NAME } from '../core/names';
import { PropsShape, shapeProblems, wellShapedFields } from '../core/props-shape';
import { Problem, Problems } from '../core/validation';
import { aws, cdktf } from './bindings';
import { listEntryProblems } from './cluster-props';
import { ManagedCluster } from './managed-cluster';

/** The shape of EksBlockStorageOptions. */
export const EBS_OPTIONS_SHAPE: PropsShape = { storageClassName: 'string' };
/** The shape of EksSharedFileSystemOptions. */
export const EFS_OPTIONS_SHAPE: PropsShape = { storageClassName: 'string', subnetIds: { arrayOf: 'string' }, kmsKeyArn: 'string' };

// A KMS key or alias ARN: arn:<partition>:kms:<region>:<account>:key/<id> or alias/<name>.
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[^:\s]+:(key|alias)\/\S+$/;

/** The options of either storage construct, as far as the checks read them. */
type StorageOptions = { readonly storageClassName?: string; readonly subnetIds?: readonly string[]; readonly kmsKeyArn?: string };

/** What the EKS storage constructs are built from, once checked. */
export interface StorageArguments<T> {
  readonly cluster: EksClusterResource;
  readonly clusterName: string;
  readonly subnetIds: readonly string[];
  readonly options: T;
}

interface GivenArguments {
  readonly cluster: unknown;
  readonly clusterName: unknown;
  /**
   * Only EksSharedFileSystem takes subnets.
   * @default - none: EksBlockStorage
   */
  readonly subnetIds?: unknown;
  readonly options: unknown;
}

/**
 * The arguments of EksBlockStorage or EksSharedFileSystem with every problem recorded on `scope`:
 * their shape (a JavaScript caller), the StorageClass name, and, when built outside a cluster
 * construct (which checks its own), the cluster name its role `<name>-<roleSuffix>` derives from
 * and the subnets. A badly shaped argument is replaced by a placeholder that builds without
 * throwing; the recorded problems stop synth, so nothing built from it is written.
 */
export function storageArguments<T extends StorageOptions>(scope: Construct, given: GivenArguments, optionsShape: PropsShape, roleSuffix: string): StorageArguments<T> {
  const { EksClusterResource } = aws();
  const problems = Problems.of(scope);
  const withSubnets = 'subnetIds' in given;
  const shape: PropsShape = {
    cluster: { instanceOf: EksClusterResource, name: 'EKS cluster resource (EksCluster.resource)' },
    clusterName: 'string',
    ...(withSubnets ? { subnetIds: { arrayOf: 'string' } } : {}),
    options: { fields: optionsShape },
  };
  const shapeFound = shapeProblems(given, shape, ['cluster', 'clusterName', ...(withSubnets ? ['subnetIds'] : [])], 'arguments');
  shapeFound.forEach((p) => problems.add(p));
  const good: Partial<StorageArguments<T>> = shapeFound.length === 0 ? given as StorageArguments<T> : wellShapedFields(given, shape);
  const args: StorageArguments<T> = {
    cluster: good.cluster ?? new EksClusterResource(scope, 'invalid-cluster', { name: 'invalid', roleArn: 'invalid', vpcConfig: { subnetIds: [] } }),
    clusterName: good.clusterName ?? 'invalid',
    subnetIds: good.subnetIds ?? ['invalid'],
    options: good.options ?? {} as T,
  };
  [...optionProblems(args.options), ...(checkedByCluster(scope) ? [] : ownProblems(args, withSubnets, roleSuffix))].forEach((p) => problems.add(p));
  return args;
}

const CLASSES = new WeakMap<EksClusterResource, Map<string, string>>();

/**
 * Records that `scope` makes StorageClass `name` on `cluster`, listing a clash with a storage
 * construct built earlier on the same cluster: each release would create the class, and the
 * second install fails on the first's object.
 */
export function claimStorageClass(scope: Construct, cluster: EksClusterResource, name: string): void {
  const claimed = CLASSES.get(cluster) ?? new Map<string, string>();
  CLASSES.set(cluster, claimed);
  const owner = claimed.get(name);
  if (owner === undefined) {
    claimed.set(name, scope.node.path);
    return;
  }
  Problems.of(scope).add({
    code: 'STORAGE_CLASS_CONFLICT',
    message: `${owner} already makes a StorageClass "${name}" on this cluster.`,
    received: name,
    fix: 'give each storage construct of a cluster its own storageClassName (EksCluster: sharedFileSystem.storageClassName and blockStorage.storageClassName).',
  });
}

/** Inside a cluster construct, the cluster's own checks cover its name and subnets; listing them twice would be noise. */
function checkedByCluster(scope: Construct): boolean {
  return scope.node.scopes.some((s) => s instanceof ManagedCluster);
}

const unresolved = (value: string) => cdktf().Token.isUnresolved(value);

function optionProblems(options: StorageOptions): Problem[] {
  const problems: Problem[] = [];
  if (options.storageClassName !== undefined) problems.push(...checkName(options.storageClassName, STORAGE_CLASS_NAME, 'STORAGE_CLASS_NAME_INVALID'));
  if (options.subnetIds !== undefined && options.subnetIds.length === 0) {
    problems.push({ code: 'SUBNETS_TOO_FEW', message: 'options.subnetIds is empty: the file system would get no mount target, and no node could mount its volumes.', received: [], fix: 'list a subnet per availability zone the nodes run in, or leave subnetIds out to use the cluster\'s subnets.' });
  }
  if (options.kmsKeyArn !== undefined && !unresolved(options.kmsKeyArn) && !KMS_ARN.test(options.kmsKeyArn)) {
    problems.push({ code: 'KMS_KEY_INVALID', message: 'options.kmsKeyArn must be the ARN of a KMS key or alias.', received: options.kmsKeyArn, fix: 'pass a key ARN such as arn:aws:kms:us-east-1:111122223333:key/<id> (or a KmsKey\'s arn), or leave it out for the AWS managed key.' });
  }
  return problems;
}

function ownProblems(args: StorageArguments<StorageOptions>, withSubnets: boolean, roleSuffix: string): Problem[] {
  const problems: Problem[] = [];
  if (!unresolved(args.clusterName)) {
    problems.push(...checkName(args.clusterName, EKS_NAME, 'CLUSTER_NAME_INVALID'), ...checkName(`${args.clusterName}-${roleSuffix}`, { ...IAM_ROLE_NAME, description: `shorten the cluster name so that "<name>-${roleSuffix}" fits in 64 characters` }, 'CLUSTER_NAME_TOO_LONG'));
  }
  if (withSubnets) {
    problems.push(...listEntryProblems('subnetIds', args.subnetIds, 'SUBNET_ID_INVALID'), ...listEntryProblems('options.subnetIds', args.options.subnetIds ?? [], 'SUBNET_ID_INVALID'));
    if (args.options.subnetIds === undefined && args.subnetIds.length === 0) {
      problems.push({ code: 'SUBNETS_TOO_FEW', message: 'subnetIds is empty: the file system would get no mount target, and no node could mount its volumes.', received: [], fix: 'pass the cluster\'s subnets, one per availability zone the nodes run in.' });
    }
  }
  return problems;
}
