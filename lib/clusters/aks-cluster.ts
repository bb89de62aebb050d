import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { checkAuthorizedCidrs, checkDisjointCidrs, parseIpv4Cidr } from '../core/cidr';
import { Cloud, DEFAULT_KUBERNETES_VERSION } from '../core/cloud';
import { ClusterCapabilities, NodePoolProfile } from '../core/cluster-profile';
import { AKS_CLUSTER_NAME, AKS_DNS_PREFIX, AKS_POOL_NAME, checkName } from '../core/names';
import { formatTaint, Taint } from '../core/scheduling';
import { EXEC_CREDENTIAL_API, KubernetesConnection, ManagedCluster } from './managed-cluster';
import { GpuPoolOptions, NodePoolOptions, poolProfile, PoolRules, ResolvedPool } from './node-pool';
import { azurerm } from './bindings';

/** AKS automatic upgrade channels. */
export enum AksUpgradeChannel {
  PATCH = 'patch',
  STABLE = 'stable',
  RAPID = 'rapid',
}

/** Who installs the NVIDIA driver on AKS GPU nodes. */
export enum AksGpuDriver {
  /** AKS installs it. */
  INSTALL = 'Install',
  /** Nobody: for clusters that run the NVIDIA GPU Operator. */
  NONE = 'None',
}

export interface AksSystemPoolOptions {
  /** @default 'Standard_D4ds_v5' */
  readonly machineType?: string;
  /** @default 2 */
  readonly minNodes?: number;
  /** @default 5 */
  readonly maxNodes?: number;
}

export interface AksClusterProps {
  /** Cluster name in Azure. */
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** Subnet the nodes join. */
  readonly vnetSubnetId: string;
  /**
   * The node subnet's range, checked against the pod and service ranges.
   * @default - not checked
   */
  readonly nodeCidr?: string;
  /** Overlay pod range. @default '10.244.0.0/16' */
  readonly podCidr?: string;
  /** @default '10.96.0.0/16' */
  readonly serviceCidr?: string;
  /** @default - the cluster name */
  readonly dnsPrefix?: string;
  /** @default DEFAULT_KUBERNETES_VERSION */
  readonly kubernetesVersion?: string;
  /** Entra ID tenant of the admin groups. */
  readonly tenantId: string;
  /** Entra ID groups with cluster-admin. At least one: local accounts are disabled. */
  readonly adminGroupObjectIds: readonly string[];
  /**
   * Opt-out: a public API server reachable only from these ranges, instead of a private cluster.
   * @default - private cluster
   */
  readonly authorizedIpRanges?: readonly string[];
  /** @default AksUpgradeChannel.PATCH */
  readonly upgradeChannel?: AksUpgradeChannel;
  /**
   * The pool that runs only critical add-ons.
   * @default - the defaults of AksSystemPoolOptions
   */
  readonly systemPool?: AksSystemPoolOptions;
  /**
   * Log Analytics workspace that receives the control-plane logs (API server, audit, controller
   * manager, scheduler, Entra ID guard).
   * @default - none: the policy gate reports CLUSTER_CONTROL_PLANE_LOGS until one is set or waived
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Key Vault key (its versioned id) that encrypts Secrets in etcd.
   * @default - platform-managed keys only; the policy gate warns
   */
  readonly secretsEncryptionKeyId?: string;
}

/** AKS-only options of a GPU pool. */
export interface AksGpuPoolOptions extends GpuPoolOptions {
  /**
   * Set explicitly because changing it replaces the pool.
   * @default AksGpuDriver.INSTALL
   */
  readonly driver?: AksGpuDriver;
}

const CONTROL_PLANE_LOG_CATEGORIES = ['kube-apiserver', 'kube-audit-admin', 'kube-controller-manager', 'kube-scheduler', 'guard'];

/** The application id of the AKS Entra ID server, the audience of every AKS user token. */
const AKS_ENTRA_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

const AKS_SPOT_TAINT: Taint = { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' };

/**
 * A private AKS cluster with Entra ID RBAC and no local accounts, Cilium network policy, OIDC
 * issuer and workload identity, Azure Policy, automatic upgrades and a system pool that only
 * takes critical add-ons.
 */
export class AksCluster extends ManagedCluster<KubernetesClusterNodePool> {
  public readonly cloud = Cloud.AKS;
  public readonly clusterName: string;
  public readonly kubernetesVersion: string;
  /** The Terraform resource, for escape-hatch overrides. */
  public readonly resource: KubernetesCluster;
  protected readonly poolRules: PoolRules = {
    cloud: Cloud.AKS,
    nameRule: AKS_POOL_NAME,
    cloudTaintsGpuNodes: false,
    machineTypePattern: /^Standard_[A-Za-z0-9_]+$/,
    machineTypeExample: 'Standard_D8ds_v5 or Standard_NC4as_T4_v3',
    zonePattern: /^[123]$/,
    zoneExample: 'use availability zone numbers "1", "2" or "3".',
  };
  private readonly props: AksClusterProps;
  private readonly driverByPool = new Map<string, AksGpuDriver>();

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const { KubernetesCluster, MonitorDiagnosticSetting } = azurerm();
    this.props = props;
    this.clusterName = props.name;
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const dnsPrefix = props.dnsPrefix ?? props.name;
    const podCidr = props.podCidr ?? '10.244.0.0/16';
    const serviceCidr = props.serviceCidr ?? '10.96.0.0/16';
    const authorized = props.authorizedIpRanges ?? [];
    const system = props.systemPool ?? {};

    [
      ...checkName(props.name, AKS_CLUSTER_NAME, 'CLUSTER_NAME_INVALID'),
      ...checkName(dnsPrefix, AKS_DNS_PREFIX, 'DNS_PREFIX_INVALID'),
      ...checkAuthorizedCidrs(authorized, { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }),
      ...checkDisjointCidrs({ node: props.nodeCidr, pod: podCidr, service: serviceCidr }, { invalid: 'CIDR_INVALID', overlap: 'CIDR_OVERLAP' }),
    ].forEach((p) => this.problems.add(p));
    if (props.adminGroupObjectIds.length === 0) {
      this.problems.add({ code: 'CLUSTER_NO_ADMIN', message: 'Nobody could administer the cluster: local accounts are disabled.', received: props.adminGroupObjectIds, fix: 'list at least one Entra ID group object id in adminGroupObjectIds.' });
    }

    this.resource = new KubernetesCluster(this, 'cluster', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      dnsPrefix,
      kubernetesVersion: this.kubernetesVersion,
      skuTier: 'Standard',
      automaticUpgradeChannel: props.upgradeChannel ?? AksUpgradeChannel.PATCH,
      nodeOsUpgradeChannel: 'NodeImage',
      privateClusterEnabled: authorized.length === 0,
      apiServerAccessProfile: authorized.length > 0 ? { authorizedIpRanges: [...authorized] } : undefined,
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: props.tenantId,
        adminGroupObjectIds: [...props.adminGroupObjectIds],
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      identity: { type: 'SystemAssigned' },
      keyManagementService: props.secretsEncryptionKeyId ? { keyVaultKeyId: props.secretsEncryptionKeyId, keyVaultNetworkAccess: 'Public' } : undefined,
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataPlane: 'cilium',
        networkPolicy: 'cilium',
        podCidr,
        serviceCidr,
        dnsServiceIp: dnsServiceIp(serviceCidr),
        loadBalancerSku: 'standard',
      },
      defaultNodePool: {
        name: 'system',
        vmSize: system.machineType ?? 'Standard_D4ds_v5',
        autoScalingEnabled: true,
        minCount: system.minNodes ?? 2,
        maxCount: system.maxNodes ?? 5,
        onlyCriticalAddonsEnabled: true,
        vnetSubnetId: props.vnetSubnetId,
        osSku: 'AzureLinux',
        temporaryNameForRotation: 'systemtmp',
        upgradeSettings: { maxSurge: '33%' },
      },
    });

    if (props.logAnalyticsWorkspaceId) {
      new MonitorDiagnosticSetting(this, 'control-plane-logs', {
        name: `${props.name}-control-plane`,
        targetResourceId: this.resource.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        enabledLog: CONTROL_PLANE_LOG_CATEGORIES.map((category) => ({ category })),
      });
    }
  }

  public credentialsCommand(): string {
    // Local accounts are off, so the kubeconfig must authenticate through Entra ID.
    return `az aks get-credentials --resource-group ${this.props.resourceGroupName} --name ${this.clusterName} && kubelogin convert-kubeconfig -l azurecli`;
  }

  public kubernetesConnection(): KubernetesConnection {
    const config = this.resource.kubeConfig.get(0);
    return {
      host: config.host,
      clusterCaCertificate: Fn.base64decode(config.clusterCaCertificate),
      // Local accounts are off: tokens come from Entra ID, for the AKS server application.
      exec: { apiVersion: EXEC_CREDENTIAL_API, command: 'kubelogin', args: ['get-token', '--login', 'azurecli', '--server-id', AKS_ENTRA_SERVER_ID] },
    };
  }

  /** Adds a GPU pool with an explicit driver setting, tainted `nvidia.com/gpu=present:NoSchedule`. */
  public addGpuPool(id: string, options: AksGpuPoolOptions): KubernetesClusterNodePool {
    return super.addGpuPool(id, options);
  }

  protected createPool(id: string, pool: ResolvedPool, options: NodePoolOptions | AksGpuPoolOptions): KubernetesClusterNodePool {
    const { KubernetesClusterNodePool } = azurerm();
    const driver = pool.accelerator ? ((options as AksGpuPoolOptions).driver ?? AksGpuDriver.INSTALL) : undefined;
    if (driver) this.driverByPool.set(pool.name, driver);
    // Azure puts this taint on every spot node; declaring it keeps the config equal to what Azure reports.
    const taints = pool.spot ? [...pool.taints, AKS_SPOT_TAINT] : pool.taints;
    return new KubernetesClusterNodePool(this, id, {
      name: pool.name,
      kubernetesClusterId: this.resource.id,
      mode: 'User',
      vmSize: pool.machineType,
      osSku: 'Ubuntu',
      osDiskSizeGb: pool.diskSizeGiB,
      vnetSubnetId: this.props.vnetSubnetId,
      zones: pool.zones ? [...pool.zones] : undefined,
      autoScalingEnabled: true,
      minCount: pool.minNodes,
      maxCount: pool.maxNodes,
      nodeLabels: { ...pool.labels },
      nodeTaints: taints.map(formatTaint),
      gpuDriver: driver,
      priority: pool.spot ? 'Spot' : 'Regular',
      evictionPolicy: pool.spot ? 'Delete' : undefined,
      spotMaxPrice: pool.spot ? -1 : undefined,
      // Surge upgrades are not available to spot pools.
      upgradeSettings: pool.spot ? undefined : { maxSurge: '1' },
    });
  }

  protected poolProfile(pool: ResolvedPool): NodePoolProfile {
    const cloudLabels: Record<string, string> = {
      'kubernetes.azure.com/agentpool': pool.name,
      ...(pool.accelerator ? { 'kubernetes.azure.com/accelerator': 'nvidia' } : {}),
      ...(pool.spot ? { 'kubernetes.azure.com/scalesetpriority': 'spot' } : {}),
    };
    return poolProfile(pool, cloudLabels, pool.spot ? [AKS_SPOT_TAINT] : [], pool.accelerator !== undefined);
  }

  protected capabilities(): ClusterCapabilities {
    return {
      devicePluginRequired: this.driverByPool.size > 0,
      managedGpuDrivers: [...this.driverByPool.values()].includes(AksGpuDriver.INSTALL),
      extendedResourceToleration: false,
      networkPolicyEnforced: true,
      workloadIdentity: true,
    };
  }
}

/** The cluster DNS service gets the tenth address of the service range, as AKS's own default does. */
function dnsServiceIp(serviceCidr: string): string {
  const block = parseIpv4Cidr(serviceCidr);
  if (!block) return serviceCidr; // reported as CIDR_INVALID
  const ip = block.first + 10;
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.');
}
