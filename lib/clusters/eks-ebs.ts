import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { checkConstructArguments } from '../core/construct-arguments';
import { IN_STACK } from './cluster-props';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { ADDON_CHARTS } from './addon-charts';
import { aws } from './bindings';
import { podIdentityRole } from './eks-pod-identity';
import { EBS_OPTIONS_SHAPE, claimStorageClass, storageArguments } from './eks-storage-input';
import type { ClusterHelmRelease } from './managed-cluster';

/** Options of the block storage an EKS cluster gets for ReadWriteOnce volumes (Prometheus, claims that name no class). */
export interface EksBlockStorageOptions {
  /**
   * Name of the encrypted gp3 StorageClass, made the cluster's default.
   * @default 'gp3'
   */
  readonly storageClassName?: string;
}

/** Where the EBS CSI controller runs; its Pod Identity association names this service account. */
export const EBS_CSI_NAMESPACE = 'kube-system';
export const EBS_CSI_CONTROLLER_SERVICE_ACCOUNT = 'ebs-csi-controller-sa';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/**
 * The EBS CSI driver's role and its release with an encrypted gp3 default StorageClass. EKS from
 * Kubernetes 1.30 on marks no class default, and its `gp2` class needs this driver anyway, so a
 * claim that names no class (Prometheus's) would stay Pending. The driver comes from its Helm
 * chart, like the EFS driver: the EKS add-on's only class (`defaultStorageClass`) sets no
 * `encrypted` parameter, so its volumes would follow the account's default encryption setting.
 */
export class EksBlockStorage extends Construct {
  /** The EBS CSI controller's role, bound by Pod Identity to its service account. */
  public readonly controllerRole: IamRole;
  public readonly storageClassName: string;

  constructor(scope: Construct, id: string, cluster: EksClusterResource, clusterName: string, options: EksBlockStorageOptions = {}) {
    checkConstructArguments('EksBlockStorage', scope, id, IN_STACK);
    super(scope, id);
    const { IamRolePolicyAttachment } = aws();
    // Checked first: a JavaScript caller's missing cluster would otherwise be a TypeError below.
    ({ cluster, clusterName, options } = storageArguments<EksBlockStorageOptions>(this, { cluster, clusterName, options }, EBS_OPTIONS_SHAPE, 'ebs-csi'));
    this.storageClassName = options.storageClassName ?? 'gp3';
    claimStorageClass(this, cluster, this.storageClassName);
    this.controllerRole = podIdentityRole(this, 'controller', cluster, `${clusterName}-ebs-csi`, EBS_CSI_NAMESPACE, EBS_CSI_CONTROLLER_SERVICE_ACCOUNT);
    // The managed policy creates volumes only with the driver's tags, and deletes only volumes it tagged.
    new IamRolePolicyAttachment(this, 'controller-policy', { role: this.controllerRole.name, policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy' });
  }

  /** The EBS CSI driver and the default StorageClass, for ClusterAddons to install. */
  public release(): ClusterHelmRelease {
    return {
      name: 'aws-ebs-csi-driver',
      chart: ADDON_CHARTS.ebsCsiDriver,
      namespace: EBS_CSI_NAMESPACE,
      values: {
        controller: { serviceAccount: { create: true, name: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT } },
        storageClasses: [{
          name: this.storageClassName,
          annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' },
          // Encrypted with the account's EBS key whatever the account's default-encryption setting.
          parameters: { type: 'gp3', encrypted: 'true' },
          allowVolumeExpansion: true,
          // The volume is made in the zone the pod lands in: EBS volumes never leave their zone.
          volumeBindingMode: 'WaitForFirstConsumer',
          reclaimPolicy: 'Delete',
        }],
      },
    };
  }
}
