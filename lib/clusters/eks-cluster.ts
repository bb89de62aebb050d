import type { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import type { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import type { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { checkAuthorizedCidrs, checkDisjointCidrs } from '../core/cidr';
import { Cloud, DEFAULT_KUBERNETES_VERSION } from '../core/cloud';
import { ClusterCapabilities, NodePoolProfile } from '../core/cluster-profile';
import { checkName, EKS_NAME, IAM_ROLE_NAME } from '../core/names';
import { ADDON_CHARTS } from './addon-charts';
import { tagForScaleFromZero } from './eks-autoscaler-tags';
import { EksBlockStorage, EksBlockStorageOptions } from './eks-ebs';
import { EksSharedFileSystem, EksSharedFileSystemOptions } from './eks-efs';
import {
  AUTOSCALER_NAMESPACE, AUTOSCALER_SERVICE_ACCOUNT, CLUSTER_AUTOSCALER_IMAGE_TAGS, createAutoscalerRole, createManagedAddons, EksAddonName, resolveAddonVersions,
} from './eks-addons';
import { ClusterHelmRelease, EXEC_CREDENTIAL_API, KubernetesConnection, ManagedCluster } from './managed-cluster';
import { GpuPoolOptions, NodePoolOptions, poolProfile, PoolRules, ResolvedPool, terraformTaint } from './node-pool';
import { aws, cdktf } from './bindings';
import { EKS_POOL_SHAPE, EKS_PROPS_SHAPE, EKS_REQUIRED, eksValueProblems } from './eks-input';
import { PropsShape, propsToBuild } from '../core/props-shape';
import { kubernetesVersionProblems, profileNameProblems } from './cluster-props';

/** The EKS-optimized AMI families with NVIDIA drivers. */
export enum EksGpuAmi {
  /** Amazon Linux 2023 with NVIDIA drivers; needs the NVIDIA device plugin DaemonSet. */
  AL2023_NVIDIA = 'AL2023_x86_64_NVIDIA',
  /** Bottlerocket with NVIDIA drivers and the device plugin built in. */
  BOTTLEROCKET_NVIDIA = 'BOTTLEROCKET_x86_64_NVIDIA',
}

export interface EksClusterProps {
  /** Cluster name in AWS. */
  readonly name: string;
  /** AWS region of the provider; used in the kubeconfig command. */
  readonly region: string;
  /** Private subnets, in at least two availability zones, for the control plane's ENIs and the nodes. */
  readonly subnetIds: readonly string[];
  /**
   * The VPC's CIDR, checked against the service CIDR.
   * @default - not checked
   */
  readonly vpcCidr?: string;
  /** @default '172.20.0.0/16' */
  readonly serviceCidr?: string;
  /** @default DEFAULT_KUBERNETES_VERSION */
  readonly kubernetesVersion?: string;
  /** IAM principal ARNs that get cluster-admin through access entries. At least one. */
  readonly admins: readonly string[];
  /**
   * Opt-out: also expose a public API endpoint, reachable only from these CIDRs.
   * @default - private endpoint only
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * KMS key that encrypts Secrets in etcd.
   * @default - a key with yearly rotation is created
   */
  readonly secretsKmsKeyArn?: string;
  /**
   * Pinned versions of the managed add-ons, for a Kubernetes version the library has no table for.
   * @default - the versions of EKS_ADDON_VERSIONS for `kubernetesVersion`
   */
  readonly addonVersions?: Partial<Record<EksAddonName, string>>;
  /**
   * The Mountpoint for Amazon S3 CSI driver, so pods mount buckets with their own IAM role
   * (`authenticationSource: pod`). Opt-out: `false` leaves it out, and `s3` out of the profile's
   * object stores.
   * @default true
   */
  readonly objectStorageCsiDriver?: boolean;
  /**
   * An encrypted EFS file system, the EFS CSI driver and a StorageClass on it, for ReadWriteMany
   * volumes such as checkpoints every worker writes (EKS ships no such class). Opt-out: `false`.
   * @default - on, with the defaults of EksSharedFileSystemOptions (StorageClass `efs`)
   */
  readonly sharedFileSystem?: EksSharedFileSystemOptions | false;
  /**
   * The EBS CSI driver and an encrypted gp3 StorageClass made the cluster's default, so claims
   * that name no class (Prometheus's) bind: EKS from 1.30 on has no default class. Opt-out:
   * `false`, for a cluster that runs the driver and a default class of its own already.
   * @default - on, with the defaults of EksBlockStorageOptions (StorageClass `gp3`)
   */
  readonly blockStorage?: EksBlockStorageOptions | false;
}

/** EKS-only options of a GPU node group. */
export interface EksGpuPoolOptions extends GpuPoolOptions {
  /**
   * Subnets of the node group, to keep it in the zones that have its accelerator.
   * @default - the cluster's subnets
   */
  readonly subnetIds?: readonly string[];
  /** @default EksGpuAmi.AL2023_NVIDIA */
  readonly ami?: EksGpuAmi;
}

const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
const MANAGED_POLICY = 'arn:aws:iam::aws:policy/';
// Graviton families carry a "g" after the generation digit: m7g, c7gn, r6gd, t4g.
const GRAVITON = /^[a-z]+\d+g[a-z]*\./;

function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  });
}

/**
 * A private EKS cluster: KMS-encrypted Secrets, every control-plane log, API authentication with
 * access entries, an OIDC provider for IAM roles for service accounts, and roles with only the
 * managed policies EKS needs.
 */
export class EksCluster extends ManagedCluster<EksNodeGroup> {
  public readonly cloud = Cloud.EKS;
  public readonly clusterName: string;
  public readonly kubernetesVersion: string;
  /** The Terraform resource, for escape-hatch overrides. */
  public readonly resource: EksClusterResource;
  /** The OIDC provider pods' IAM roles trust. */
  public readonly oidcProvider: IamOpenidConnectProvider;
  public readonly nodeRole: IamRole;
  /** The Cluster Autoscaler's role, bound by Pod Identity to its service account. */
  public readonly autoscalerRole: IamRole;
  /** The managed add-ons, by name. */
  public readonly addons: Record<string, EksAddon> = {};
  /** The EFS file system behind ReadWriteMany volumes; `undefined` when turned off. */
  public readonly sharedFileSystem?: EksSharedFileSystem;
  /** The EBS CSI driver's role and default StorageClass; `undefined` when turned off. */
  public readonly blockStorage?: EksBlockStorage;
  protected readonly poolRules: PoolRules = {
    cloud: Cloud.EKS,
    nameRule: EKS_NAME,
    cloudTaintsGpuNodes: false,
    machineTypePattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
    machineTypeExample: 'm6i.2xlarge or g6.xlarge',
    zoneExample: 'EKS node groups are placed by subnet: give the pool subnetIds in the zones you want.',
  };
  private readonly props: EksClusterProps;
  private readonly nodePolicies: IamRolePolicyAttachment[];
  private readonly amiByPool = new Map<string, string>();
  private readonly addonsNeedingNodes: EksAddon[];
  private readonly objectStorage: boolean;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const { EksAccessEntry, EksAccessPolicyAssociation, EksClusterResource, IamOpenidConnectProvider, IamRole, IamRolePolicyAttachment, KmsKey } = aws();
    props = propsToBuild((p) => this.problems.add(p), props, EKS_PROPS_SHAPE, EKS_REQUIRED, { name: 'invalid', region: 'invalid', subnetIds: ['invalid-a', 'invalid-b'], admins: ['arn:aws:iam::0:role/invalid'] });
    this.props = props;
    this.clusterName = props.name;
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const serviceCidr = props.serviceCidr ?? '172.20.0.0/16';
    const publicCidrs = props.publicAccessCidrs ?? [];

    [
      ...checkName(props.name, { ...EKS_NAME, maxLength: 100 }, 'CLUSTER_NAME_INVALID'),
      ...checkName(`${props.name}-cluster`, IAM_ROLE_NAME, 'CLUSTER_NAME_TOO_LONG'),
      ...checkAuthorizedCidrs(publicCidrs, { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }),
      ...checkDisjointCidrs({ VPC: props.vpcCidr, service: serviceCidr }, { invalid: 'CIDR_INVALID', overlap: 'CIDR_OVERLAP' }),
      ...kubernetesVersionProblems(Cloud.EKS, this.kubernetesVersion),
      ...profileNameProblems(props.name),
      ...eksValueProblems(props),
    ].forEach((p) => this.problems.add(p));
    if (props.subnetIds.length < 2) {
      this.problems.add({ code: 'SUBNETS_TOO_FEW', message: 'EKS needs subnets in at least two availability zones.', received: props.subnetIds, fix: 'pass private subnets from two or more availability zones.' });
    }
    if (props.admins.length === 0) {
      this.problems.add({ code: 'CLUSTER_NO_ADMIN', message: 'Nobody could administer the cluster: the creator gets no implicit access.', received: props.admins, fix: 'list at least one IAM role or user ARN in admins.' });
    }

    const clusterRole = new IamRole(this, 'cluster-role', { name: `${props.name}-cluster`, assumeRolePolicy: assumeRolePolicy('eks.amazonaws.com') });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', { role: clusterRole.name, policyArn: `${MANAGED_POLICY}AmazonEKSClusterPolicy` });
    this.nodeRole = new IamRole(this, 'node-role', { name: `${props.name}-nodes`, assumeRolePolicy: assumeRolePolicy('ec2.amazonaws.com') });
    this.nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'].map(
      (policy) => new IamRolePolicyAttachment(this, `node-${policy}`, { role: this.nodeRole.name, policyArn: `${MANAGED_POLICY}${policy}` }),
    );

    const keyArn = props.secretsKmsKeyArn
      ?? new KmsKey(this, 'secrets-key', { description: `Secrets of EKS cluster ${props.name}`, enableKeyRotation: true, deletionWindowInDays: 30 }).arn;

    this.resource = new EksClusterResource(this, 'cluster', {
      name: props.name,
      version: this.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? [...publicCidrs] : undefined,
      },
      kubernetesNetworkConfig: { ipFamily: 'ipv4', serviceIpv4Cidr: serviceCidr },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn } },
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      dependsOn: [clusterPolicy],
    });

    const { versions, problems } = resolveAddonVersions(this.kubernetesVersion, props.addonVersions ?? {});
    problems.forEach((p) => this.problems.add(p));
    this.objectStorage = props.objectStorageCsiDriver ?? true;
    const managed = createManagedAddons(this, this.resource, versions, this.objectStorage);
    managed.addons.forEach((addon) => { this.addons[addon.addonName] = addon; });
    this.addonsNeedingNodes = managed.needNodes;
    this.autoscalerRole = createAutoscalerRole(this, this.resource, props.name);
    if (props.sharedFileSystem !== false) {
      this.sharedFileSystem = new EksSharedFileSystem(this, 'shared-fs', this.resource, props.name, props.subnetIds, props.sharedFileSystem ?? {});
    }
    if (props.blockStorage !== false) {
      this.blockStorage = new EksBlockStorage(this, 'block-storage', this.resource, props.name, props.blockStorage ?? {});
    }
    this.problems.addWarningCheck(() => this.autoscalerWarnings());

    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc', {
      url: this.resource.identity.get(0).oidc.get(0).issuer,
      clientIdList: ['sts.amazonaws.com'],
    });

    props.admins.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.resource.name, principalArn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.resource.name,
        principalArn: entry.principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      });
    });
  }

  public credentialsCommand(): string {
    return `aws eks update-kubeconfig --name ${this.clusterName} --region ${this.props.region}`;
  }

  public kubernetesConnection(): KubernetesConnection {
    return {
      host: this.resource.endpoint,
      clusterCaCertificate: cdktf().Fn.base64decode(this.resource.certificateAuthority.get(0).data),
      exec: { apiVersion: EXEC_CREDENTIAL_API, command: 'aws', args: ['eks', 'get-token', '--cluster-name', this.clusterName, '--region', this.props.region] },
    };
  }

  /**
   * The profile's internal load-balancer annotations, in the order the ingress controller's release
   * has always been given them: a reordered values file would upgrade the release for nothing.
   */
  public internalLoadBalancerAnnotations(): Readonly<Record<string, string>> {
    const facts = super.internalLoadBalancerAnnotations();
    const first = ['service.beta.kubernetes.io/aws-load-balancer-scheme'].filter((key) => key in facts);
    return Object.fromEntries([...first, ...Object.keys(facts).filter((key) => !first.includes(key))].map((key) => [key, facts[key]]));
  }

  /** Adds a GPU node group on an NVIDIA AMI, tainted `nvidia.com/gpu=present:NoSchedule`. */
  public addGpuPool(id: string, options: EksGpuPoolOptions): EksNodeGroup {
    return super.addGpuPool(id, options);
  }

  /** The shape of this cloud's pool options, with its own GPU fields. */
  protected poolShape(gpu: boolean): PropsShape {
    return { ...super.poolShape(gpu), subnetIds: EKS_POOL_SHAPE.subnetIds, ...(gpu ? { ami: EKS_POOL_SHAPE.ami } : {}) };
  }

  protected createPool(id: string, pool: ResolvedPool, options: NodePoolOptions | EksGpuPoolOptions): EksNodeGroup {
    const { EksNodeGroup } = aws();
    const arch = GRAVITON.test(pool.machineType) ? 'ARM_64' : 'x86_64';
    const amiType = pool.accelerator ? ((options as EksGpuPoolOptions).ami ?? EksGpuAmi.AL2023_NVIDIA) : `AL2023_${arch}_STANDARD`;
    this.amiByPool.set(pool.name, amiType);
    const group = new EksNodeGroup(this, id, {
      clusterName: this.resource.name,
      nodeGroupName: pool.name,
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: [...((options as EksGpuPoolOptions).subnetIds ?? this.props.subnetIds)],
      instanceTypes: [pool.machineType],
      amiType,
      capacityType: pool.spot ? 'SPOT' : 'ON_DEMAND',
      diskSize: pool.diskSizeGiB,
      // Nodes follow the control plane, so the next version bump does not find them two minors behind.
      version: this.resource.version,
      scalingConfig: { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: pool.minNodes },
      updateConfig: { maxUnavailable: 1 },
      labels: { ...pool.labels },
      taint: pool.taints.map(terraformTaint),
      // The cluster autoscaler owns the node count once the group exists.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: this.nodePolicies,
    });
    tagForScaleFromZero(this, id, group, pool);
    for (const addon of this.addonsNeedingNodes) addon.dependsOn = [...(addon.dependsOn ?? []), cdktf().dependable(group)];
    return group;
  }

  protected placesPool(_pool: ResolvedPool, options: NodePoolOptions | EksGpuPoolOptions): boolean {
    return (options as EksGpuPoolOptions).subnetIds !== undefined;
  }

  /**
   * The Cluster Autoscaler, which scales the node groups (GPU groups from zero) through the tags
   * above, the EBS CSI driver with the default StorageClass, and the EFS CSI driver with the
   * shared file system's StorageClass.
   */
  public requiredReleases(): ClusterHelmRelease[] {
    const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[this.kubernetesVersion];
    const ebs = this.blockStorage ? [this.blockStorage.release()] : [];
    const efs = this.sharedFileSystem ? [this.sharedFileSystem.release()] : [];
    return [{
      name: 'cluster-autoscaler',
      chart: ADDON_CHARTS.clusterAutoscaler,
      namespace: AUTOSCALER_NAMESPACE,
      values: {
        cloudProvider: 'aws',
        awsRegion: this.props.region,
        autoDiscovery: { clusterName: this.clusterName },
        rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
        ...(tag ? { image: { tag } } : {}),
        extraArgs: { 'balance-similar-node-groups': true, expander: 'least-waste', 'skip-nodes-with-local-storage': false },
      },
    }, ...ebs, ...efs];
  }

  protected objectStores() {
    return this.objectStorage ? super.objectStores() : [];
  }

  protected readWriteManyStorageClass() {
    return this.sharedFileSystem?.storageClassName;
  }

  private autoscalerWarnings() {
    if (this.releasesInstalled || this.amiByPool.size === 0) return [];
    return [{
      code: 'EKS_AUTOSCALER_NOT_INSTALLED',
      message: `Nothing scales the node groups of "${this.clusterName}": GPU groups stay at zero nodes.`,
      received: undefined,
      fix: 'add ClusterAddons for this cluster (it installs the Cluster Autoscaler), or run your own autoscaler with autoscalerRole.',
    }];
  }

  protected poolProfile(pool: ResolvedPool): NodePoolProfile {
    const cloudLabels = {
      'eks.amazonaws.com/nodegroup': pool.name,
      'eks.amazonaws.com/capacityType': pool.spot ? 'SPOT' : 'ON_DEMAND',
    };
    return poolProfile(pool, cloudLabels, [], this.amiByPool.get(pool.name) === EksGpuAmi.AL2023_NVIDIA);
  }

  protected capabilities(): ClusterCapabilities {
    return {
      devicePluginRequired: [...this.amiByPool.values()].includes(EksGpuAmi.AL2023_NVIDIA),
      managedGpuDrivers: true,
      extendedResourceToleration: false,
      networkPolicyEnforced: true,
      workloadIdentity: true,
    };
  }
}
