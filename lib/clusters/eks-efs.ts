import type { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system';
import { checkConstructArguments } from '../core/construct-arguments';
import { IN_STACK } from './cluster-props';
import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { ADDON_CHARTS } from './addon-charts';
import { aws } from './bindings';
import { podIdentityRole } from './eks-pod-identity';
import { EFS_OPTIONS_SHAPE, claimStorageClass, storageArguments } from './eks-storage-input';
import type { ClusterHelmRelease } from './managed-cluster';

/** Options of the shared file system an EKS cluster gets for ReadWriteMany volumes (training checkpoints). */
export interface EksSharedFileSystemOptions {
  /**
   * Name of the StorageClass that provisions volumes on it (one EFS access point per claim).
   * @default 'efs'
   */
  readonly storageClassName?: string;
  /**
   * Subnets that get a mount target, at most one per availability zone (EFS allows one per zone).
   * Nodes in a zone without one cannot mount the volumes.
   * @default - the cluster's subnets
   */
  readonly subnetIds?: readonly string[];
  /**
   * KMS key that encrypts the file system.
   * @default - the AWS managed key `aws/elasticfilesystem`
   */
  readonly kmsKeyArn?: string;
}

/** Where the EFS CSI controller runs; its Pod Identity association names this service account. */
export const EFS_CSI_NAMESPACE = 'kube-system';
export const EFS_CSI_CONTROLLER_SERVICE_ACCOUNT = 'efs-csi-controller-sa';
const NFS_PORT = 2049;

/**
 * An encrypted EFS file system with a mount target per subnet, open to NFS from the cluster's
 * nodes only, and the role the EFS CSI controller creates access points with. The driver and the
 * StorageClass come from {@link EksSharedFileSystem.release}: the EKS add-on of the driver cannot
 * create a StorageClass (aws/containers-roadmap#2198), and a class that names the file system is
 * what makes a ReadWriteMany claim bind.
 */
export class EksSharedFileSystem extends Construct {
  public readonly fileSystem: EfsFileSystem;
  /** The EFS CSI controller's role, bound by Pod Identity to its service account. */
  public readonly controllerRole: IamRole;
  public readonly storageClassName: string;

  constructor(scope: Construct, id: string, cluster: EksClusterResource, clusterName: string, subnetIds: readonly string[], options: EksSharedFileSystemOptions = {}) {
    checkConstructArguments('EksSharedFileSystem', scope, id, IN_STACK);
    super(scope, id);
    const { EfsFileSystem, EfsMountTarget, IamRolePolicyAttachment, SecurityGroup, VpcSecurityGroupIngressRule } = aws();
    // Checked first: a JavaScript caller's missing cluster would otherwise be a TypeError below.
    ({ cluster, clusterName, subnetIds, options } = storageArguments<EksSharedFileSystemOptions>(this, { cluster, clusterName, subnetIds, options }, EFS_OPTIONS_SHAPE, 'efs-csi'));
    this.storageClassName = options.storageClassName ?? 'efs';
    claimStorageClass(this, cluster, this.storageClassName);
    this.fileSystem = new EfsFileSystem(this, 'file-system', {
      creationToken: `${clusterName}-shared`,
      encrypted: true,
      kmsKeyId: options.kmsKeyArn,
      // Checkpoints arrive in bursts; elastic throughput does not depend on how much is stored.
      throughputMode: 'elastic',
      tags: { Name: `${clusterName}-shared` },
    });
    const vpcConfig = cluster.vpcConfig;
    const group = new SecurityGroup(this, 'mount-targets', {
      name: `${clusterName}-efs`,
      description: `NFS from the nodes of EKS cluster ${clusterName}`,
      vpcId: vpcConfig.vpcId,
      tags: { Name: `${clusterName}-efs` },
    });
    // Managed node groups without a launch template carry the cluster security group.
    new VpcSecurityGroupIngressRule(this, 'nfs-from-nodes', {
      securityGroupId: group.id,
      referencedSecurityGroupId: vpcConfig.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: NFS_PORT,
      toPort: NFS_PORT,
      description: 'NFS from the cluster security group',
    });
    (options.subnetIds ?? subnetIds).forEach((subnetId, i) => new EfsMountTarget(this, `mount-target-${i}`, {
      fileSystemId: this.fileSystem.id,
      subnetId,
      securityGroups: [group.id],
    }));

    this.controllerRole = podIdentityRole(this, 'controller', cluster, `${clusterName}-efs-csi`, EFS_CSI_NAMESPACE, EFS_CSI_CONTROLLER_SERVICE_ACCOUNT);
    // The managed policy lets the controller create access points only when it tags them, and delete only those it tagged.
    new IamRolePolicyAttachment(this, 'controller-policy', { role: this.controllerRole.name, policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy' });
  }

  /** The EFS CSI driver and the StorageClass on this file system, for ClusterAddons to install. */
  public release(): ClusterHelmRelease {
    return {
      name: 'aws-efs-csi-driver',
      chart: ADDON_CHARTS.efsCsiDriver,
      namespace: EFS_CSI_NAMESPACE,
      values: {
        controller: { serviceAccount: { create: true, name: EFS_CSI_CONTROLLER_SERVICE_ACCOUNT } },
        storageClasses: [{
          name: this.storageClassName,
          parameters: {
            // One access point per claim, with its own root directory and POSIX identity.
            provisioningMode: 'efs-ap',
            fileSystemId: this.fileSystem.id,
            directoryPerms: '700',
            basePath: '/volumes',
          },
          // Checkpoints outlive the claim: deleting it removes the access point, not the data.
          reclaimPolicy: 'Delete',
          volumeBindingMode: 'Immediate',
        }],
      },
    };
  }
}
