import { AksSecretsEncryption } from './aks-identity';
import { GpuPoolOptions } from './node-pool';

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
  /** Subnet the nodes join, e.g. `AksVnet.nodeSubnetId`. */
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
   * Whether the API server has only a private endpoint. Fixed at creation: changing it replaces the
   * cluster, so it is never derived from other settings. Opt-out: `false`, with `authorizedIpRanges`.
   * @default true
   */
  readonly privateCluster?: boolean;
  /**
   * Ranges that may reach a public API server (`privateCluster: false`); ranges can be added later
   * without replacing anything.
   * @default - none
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
   * manager, scheduler, Entra ID guard) and the monitoring agent's container logs.
   * @default - a workspace `<name>-logs` with 30 days of retention is created
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Key Vault key that encrypts Secrets in etcd; the control plane then runs as a user-assigned
   * identity granted Key Vault Crypto User on the vault before the cluster is created.
   * @default - platform-managed keys only; the policy gate warns
   */
  readonly secretsEncryption?: AksSecretsEncryption;
  /**
   * Disk encryption set for node OS and data disks, with a key you control.
   * @default - platform-managed disk keys plus encryption at host; the policy gate warns
   */
  readonly diskEncryptionSetId?: string;
  /**
   * Encryption at host (temp disks and caches). Opt-out: `false` where the subscription has not
   * registered the `Microsoft.Compute/EncryptionAtHost` feature.
   * @default true
   */
  readonly hostEncryption?: boolean;
  /**
   * Ephemeral OS disks on the VM's local disk (faster, nothing left behind). Opt-out: `false` for VM
   * sizes without a local disk at least `diskSizeGiB` large (sizes without a `d`, such as D8s_v5).
   * @default true
   */
  readonly ephemeralOsDisks?: boolean;
  /**
   * Most pods per node.
   * @default 110
   */
  readonly maxPodsPerNode?: number;
  /**
   * The Blob CSI driver, so pods mount containers with their own workload identity. Opt-out:
   * `false` turns it off and removes `az` from the profile's object stores.
   * @default true
   */
  readonly objectStorageCsiDriver?: boolean;
}

/** AKS-only options of a GPU pool. */
export interface AksGpuPoolOptions extends GpuPoolOptions {
  /**
   * Set explicitly because changing it replaces the pool.
   * @default AksGpuDriver.INSTALL
   */
  readonly driver?: AksGpuDriver;
}
