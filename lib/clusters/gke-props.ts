import { GpuPoolOptions } from './node-pool';

/** GKE release channels. */
export enum GkeReleaseChannel {
  RAPID = 'RAPID',
  REGULAR = 'REGULAR',
  STABLE = 'STABLE',
}

/** Which NVIDIA driver GKE installs on GPU nodes. */
export enum GkeGpuDriverVersion {
  /** The default driver for the node's GKE version. */
  DEFAULT = 'DEFAULT',
  LATEST = 'LATEST',
}

/** How several containers share one physical GPU on GKE. */
export interface GkeGpuSharing {
  readonly strategy: 'TIME_SHARING' | 'MPS';
  /** Containers per GPU, 2 to 48. */
  readonly maxSharedClientsPerGpu: number;
}

/** A network allowed to reach the control plane. */
export interface AuthorizedNetwork {
  /** IPv4 CIDR; never `0.0.0.0/0`. */
  readonly cidr: string;
  /** @default - the CIDR */
  readonly displayName?: string;
}

export interface GkeClusterProps {
  /** Cluster name in GCP. */
  readonly name: string;
  readonly project: string;
  /** Region (regional cluster, recommended) or zone. */
  readonly location: string;
  /** VPC network name or self link. */
  readonly network: string;
  /** Subnetwork name or self link; GKE adds the pod and service ranges to it. */
  readonly subnetwork: string;
  /**
   * The subnetwork's primary range, checked against the pod, service and control-plane ranges.
   * @default - not checked
   */
  readonly nodeCidr?: string;
  /** @default '10.64.0.0/14' */
  readonly podCidr?: string;
  /** @default '10.68.0.0/20' */
  readonly serviceCidr?: string;
  /**
   * The /28 for the control plane's private endpoint.
   * @default '172.16.0.0/28'
   */
  readonly masterCidr?: string;
  /**
   * Minimum control-plane version; the release channel upgrades from there.
   * @default DEFAULT_KUBERNETES_VERSION
   */
  readonly kubernetesVersion?: string;
  /** @default GkeReleaseChannel.REGULAR */
  readonly releaseChannel?: GkeReleaseChannel;
  /**
   * Networks that may reach the control plane.
   * @default - none: only the VPC reaches the private endpoint
   */
  readonly authorizedNetworks?: readonly AuthorizedNetwork[];
  /**
   * Opt-out: expose a public control-plane endpoint, reachable only from `authorizedNetworks`.
   * @default false
   */
  readonly publicEndpoint?: boolean;
  /**
   * Cloud KMS key (`projects/…/cryptoKeys/…`) that encrypts Secrets in etcd.
   * @default - Google-managed encryption only; synth warns
   */
  readonly secretsEncryptionKey?: string;
  /**
   * Opt-out: allow `terraform destroy` to delete the cluster.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Labels on the cluster's GCP resources, for cost and ownership reports.
   * @default - only `managed-by: ml-platform-constructs`
   */
  readonly resourceLabels?: Readonly<Record<string, string>>;
  /**
   * Opt-out: `false` admits images without checking the project's Binary Authorization policy.
   * @default true
   */
  readonly binaryAuthorization?: boolean;
  /**
   * The `gke-security-groups@<your-domain>` Google Group whose member groups can be bound in RBAC.
   * @default - none: RBAC binds users and service accounts only, and the policy gate warns
   */
  readonly rbacSecurityGroup?: string;
  /**
   * The Cloud Storage FUSE CSI driver, so pods mount buckets with their own Workload Identity.
   * Opt-out: `false` turns it off and removes `gs` from the profile's object stores.
   * @default true
   */
  readonly objectStorageCsiDriver?: boolean;
}

/** GKE-only options of a GPU pool. */
export interface GkeGpuPoolOptions extends GpuPoolOptions {
  /** @default GkeGpuDriverVersion.DEFAULT */
  readonly driverVersion?: GkeGpuDriverVersion;
  /** @default - each container gets whole GPUs */
  readonly sharing?: GkeGpuSharing;
}
