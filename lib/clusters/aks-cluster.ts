import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { Construct } from 'constructs';
import { PropsShape, propsToBuild } from '../core/props-shape';
import { kubernetesVersionProblems, profileNameProblems } from './cluster-props';
import { AKS_GPU_POOL_SHAPE, AKS_PLACEHOLDERS, AKS_PROPS_SHAPE, AKS_REQUIRED, aksValueProblems } from './aks-input';
import { checkAuthorizedCidrs, checkDisjointCidrs, parseIpv4Cidr } from '../core/cidr';
import { Cloud, DEFAULT_KUBERNETES_VERSION } from '../core/cloud';
import { ClusterCapabilities, NodePoolProfile } from '../core/cluster-profile';
import { AKS_CLUSTER_NAME, AKS_DNS_PREFIX, AKS_POOL_NAME, checkName } from '../core/names';
import { formatTaint, Taint } from '../core/scheduling';
import { controlPlaneIdentity } from './aks-identity';
import { AksClusterProps, AksGpuDriver, AksGpuPoolOptions, AksUpgradeChannel } from './aks-props';
import { EXEC_CREDENTIAL_API, KubernetesConnection, ManagedCluster } from './managed-cluster';
import { NodePoolOptions, poolProfile, PoolRules, ResolvedPool } from './node-pool';
import { azurerm, cdktf } from './bindings';

export * from './aks-props';

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
  private readonly objectStorage: boolean;
  private readonly nodeDefaults: { maxPods: number; osDiskType: string; hostEncryptionEnabled: boolean };

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const { KubernetesCluster, LogAnalyticsWorkspace, MonitorDiagnosticSetting } = azurerm();
    props = propsToBuild((p) => this.problems.add(p), props, AKS_PROPS_SHAPE, AKS_REQUIRED, AKS_PLACEHOLDERS);
    this.props = props;
    this.clusterName = props.name;
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const dnsPrefix = props.dnsPrefix ?? props.name;
    const podCidr = props.podCidr ?? '10.244.0.0/16';
    const serviceCidr = props.serviceCidr ?? '10.96.0.0/16';
    const authorized = props.authorizedIpRanges ?? [];
    const system = props.systemPool ?? {};
    const privateCluster = props.privateCluster ?? true;
    this.objectStorage = props.objectStorageCsiDriver ?? true;
    this.nodeDefaults = {
      maxPods: props.maxPodsPerNode ?? 110,
      osDiskType: props.ephemeralOsDisks === false ? 'Managed' : 'Ephemeral',
      hostEncryptionEnabled: props.hostEncryption ?? true,
    };

    [
      ...checkName(props.name, AKS_CLUSTER_NAME, 'CLUSTER_NAME_INVALID'),
      ...kubernetesVersionProblems(Cloud.AKS, this.kubernetesVersion),
      ...profileNameProblems(props.name),
      ...aksValueProblems(props),
      ...checkName(dnsPrefix, AKS_DNS_PREFIX, 'DNS_PREFIX_INVALID'),
      ...checkAuthorizedCidrs(authorized, { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }),
      ...checkDisjointCidrs({ node: props.nodeCidr, pod: podCidr, service: serviceCidr }, { invalid: 'CIDR_INVALID', overlap: 'CIDR_OVERLAP' }),
    ].forEach((p) => this.problems.add(p));
    this.endpointProblems(props, privateCluster);
    if (props.adminGroupObjectIds.length === 0) {
      this.problems.add({ code: 'CLUSTER_NO_ADMIN', message: 'Nobody could administer the cluster: local accounts are disabled.', received: props.adminGroupObjectIds, fix: 'list at least one Entra ID group object id in adminGroupObjectIds.' });
    }

    const workspaceId = props.logAnalyticsWorkspaceId ?? new LogAnalyticsWorkspace(this, 'logs', {
      name: `${props.name}-logs`,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      sku: 'PerGB2018',
      retentionInDays: 30,
    }).id;
    const kms = props.secretsEncryption ? controlPlaneIdentity(this, props, props.secretsEncryption) : undefined;

    this.resource = new KubernetesCluster(this, 'cluster', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      dnsPrefix,
      kubernetesVersion: this.kubernetesVersion,
      skuTier: 'Standard',
      automaticUpgradeChannel: props.upgradeChannel ?? AksUpgradeChannel.PATCH,
      nodeOsUpgradeChannel: 'NodeImage',
      privateClusterEnabled: privateCluster,
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
      identity: kms ? { type: 'UserAssigned', identityIds: [kms.identityId] } : { type: 'SystemAssigned' },
      keyManagementService: props.secretsEncryption ? { keyVaultKeyId: props.secretsEncryption.keyId, keyVaultNetworkAccess: 'Public' } : undefined,
      dependsOn: kms?.grants,
      diskEncryptionSetId: props.diskEncryptionSetId,
      omsAgent: { logAnalyticsWorkspaceId: workspaceId, msiAuthForMonitoringEnabled: true },
      keyVaultSecretsProvider: { secretRotationEnabled: true, secretRotationInterval: '2m' },
      storageProfile: { blobDriverEnabled: this.objectStorage },
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
        osDiskSizeGb: 100,
        ...this.nodeDefaults,
        temporaryNameForRotation: 'systemtmp',
        upgradeSettings: { maxSurge: '33%' },
      },
    });

    new MonitorDiagnosticSetting(this, 'control-plane-logs', {
      name: `${props.name}-control-plane`,
      targetResourceId: this.resource.id,
      logAnalyticsWorkspaceId: workspaceId,
      enabledLog: CONTROL_PLANE_LOG_CATEGORIES.map((category) => ({ category })),
    });
  }

  /** `private_cluster_enabled` forces a new cluster, so it is asked for, never inferred. */
  private endpointProblems(props: AksClusterProps, privateCluster: boolean): void {
    const ranges = props.authorizedIpRanges ?? [];
    if (privateCluster && ranges.length > 0) {
      this.problems.add({
        code: 'AKS_ENDPOINT_CHOICE',
        message: props.privateCluster === undefined
          ? 'authorizedIpRanges apply to a public API server, and whether the cluster is private is fixed at creation: it is no longer inferred from the ranges.'
          : 'A private cluster has no public endpoint for authorizedIpRanges to restrict.',
        received: { privateCluster: props.privateCluster, authorizedIpRanges: ranges },
        fix: 'set privateCluster: false to keep a public API server limited to these ranges, or remove authorizedIpRanges.',
      });
    }
    if (!privateCluster && ranges.length === 0) {
      this.problems.add({ code: 'PUBLIC_ENDPOINT_UNRESTRICTED', message: 'A public API server needs authorizedIpRanges, or it is open to the internet.', received: ranges, fix: 'list the ranges that need the API in authorizedIpRanges, or keep privateCluster true.' });
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
      clusterCaCertificate: cdktf().Fn.base64decode(config.clusterCaCertificate),
      // Local accounts are off: tokens come from Entra ID, for the AKS server application.
      exec: { apiVersion: EXEC_CREDENTIAL_API, command: 'kubelogin', args: ['get-token', '--login', 'azurecli', '--server-id', AKS_ENTRA_SERVER_ID] },
    };
  }

  /** The shape of this cloud's pool options, with its own GPU fields. */
  protected poolShape(gpu: boolean): PropsShape {
    return { ...super.poolShape(gpu), ...(gpu ? AKS_GPU_POOL_SHAPE : {}) };
  }

  /** Adds a GPU pool with an explicit driver setting, tainted `nvidia.com/gpu=present:NoSchedule`. */
  public addGpuPool(id: string, options: AksGpuPoolOptions): KubernetesClusterNodePool {
    return super.addGpuPool(id, options);
  }

  protected createPool(id: string, pool: ResolvedPool, options: NodePoolOptions | AksGpuPoolOptions): KubernetesClusterNodePool {
    const { KubernetesClusterNodePool } = azurerm();
    const driver = pool.accelerator ? ((options as AksGpuPoolOptions).driver ?? AksGpuDriver.INSTALL) : undefined;
    if (driver) this.driverByPool.set(pool.name, driver);
    // Azure puts this taint and label on every spot node; declaring them keeps the config equal to what Azure reports.
    const taints = pool.spot ? [...pool.taints, AKS_SPOT_TAINT] : pool.taints;
    const labels = pool.spot ? { ...pool.labels, [AKS_SPOT_TAINT.key]: 'spot' } : pool.labels;
    return new KubernetesClusterNodePool(this, id, {
      name: pool.name,
      kubernetesClusterId: this.resource.id,
      mode: 'User',
      vmSize: pool.machineType,
      osSku: 'Ubuntu',
      osDiskSizeGb: pool.diskSizeGiB,
      ...this.nodeDefaults,
      // Changes to the VM size, disk or zones rotate the pool through a temporary one instead of failing.
      temporaryNameForRotation: `${pool.name.slice(0, 9)}tmp`,
      vnetSubnetId: this.props.vnetSubnetId,
      zones: pool.zones ? [...pool.zones] : undefined,
      autoScalingEnabled: true,
      minCount: pool.minNodes,
      maxCount: pool.maxNodes,
      nodeLabels: { ...labels },
      nodeTaints: taints.map(formatTaint),
      gpuDriver: driver,
      priority: pool.spot ? 'Spot' : 'Regular',
      evictionPolicy: pool.spot ? 'Delete' : undefined,
      spotMaxPrice: pool.spot ? -1 : undefined,
      // Surge upgrades are not available to spot pools.
      upgradeSettings: pool.spot ? undefined : { maxSurge: '1' },
    });
  }

  protected objectStores() {
    return this.objectStorage ? super.objectStores() : [];
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
