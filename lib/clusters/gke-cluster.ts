import type { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import type { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { PropsShape, propsToBuild } from '../core/props-shape';
import { kubernetesVersionProblems, profileNameProblems } from './cluster-props';
import { GKE_GPU_POOL_SHAPE, GKE_PLACEHOLDERS, GKE_PROPS_SHAPE, GKE_REQUIRED } from './gke-input';
import { createHash } from 'crypto';
import { checkAuthorizedCidrs, checkDisjointCidrs } from '../core/cidr';
import { Cloud, DEFAULT_KUBERNETES_VERSION } from '../core/cloud';
import { ClusterCapabilities, NodePoolProfile } from '../core/cluster-profile';
import { checkName, GKE_NAME } from '../core/names';
import { GPU_TAINT } from '../core/scheduling';
import { GkeClusterProps, GkeGpuDriverVersion, GkeGpuPoolOptions, GkeReleaseChannel } from './gke-props';
import { EXEC_CREDENTIAL_API, KubernetesConnection, ManagedCluster } from './managed-cluster';
import { NodePoolOptions, poolProfile, PoolRules, ResolvedPool, terraformTaint } from './node-pool';
import { cdktf, google } from './bindings';

export * from './gke-props';

const NODE_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/autoscaling.metricsWriter',
  'roles/artifactregistry.reader',
];
const CLOUD_PLATFORM_SCOPE = ['https://www.googleapis.com/auth/cloud-platform'];

/**
 * A private GKE Standard cluster with Workload Identity, Dataplane V2, shielded nodes and a
 * dedicated node service account. The default pool is removed: add pools with `addNodePool` and
 * `addGpuPool`.
 */
export class GkeCluster extends ManagedCluster<ContainerNodePool> {
  public readonly cloud = Cloud.GKE;
  public readonly clusterName: string;
  public readonly kubernetesVersion: string;
  /** The Terraform resource, for escape-hatch overrides. */
  public readonly resource: ContainerCluster;
  /** The service account every node runs as. */
  public readonly nodeServiceAccount: ServiceAccount;
  protected readonly poolRules: PoolRules = {
    cloud: Cloud.GKE,
    nameRule: GKE_NAME,
    cloudTaintsGpuNodes: true,
    machineTypePattern: /^[a-z][a-z0-9]*-[a-z0-9-]+$/,
    machineTypeExample: 'e2-standard-8 or g2-standard-8',
    zonePattern: /^[a-z]+-[a-z]+\d+-[a-z]$/,
    zoneExample: 'use zones of the cluster\'s region, e.g. europe-west4-a.',
  };
  private readonly props: GkeClusterProps;
  private readonly objectStorage: boolean;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    const { ContainerCluster, DataGoogleProject, KmsCryptoKeyIamMember, ProjectIamMember, ServiceAccount } = google();
    props = propsToBuild((p) => this.problems.add(p), props, GKE_PROPS_SHAPE, GKE_REQUIRED, GKE_PLACEHOLDERS);
    this.props = props;
    this.clusterName = props.name;
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const publicEndpoint = props.publicEndpoint ?? false;
    const authorized = props.authorizedNetworks ?? [];
    const masterCidr = props.masterCidr ?? '172.16.0.0/28';
    const podCidr = props.podCidr ?? '10.64.0.0/14';
    const serviceCidr = props.serviceCidr ?? '10.68.0.0/20';
    this.objectStorage = props.objectStorageCsiDriver ?? true;

    [
      ...checkName(props.name, GKE_NAME, 'CLUSTER_NAME_INVALID'),
      ...kubernetesVersionProblems(Cloud.GKE, this.kubernetesVersion),
      ...profileNameProblems(props.name),
      ...checkAuthorizedCidrs(authorized.map((n) => n.cidr), { invalid: 'CIDR_INVALID', open: 'CIDR_OPEN_TO_WORLD' }),
      ...checkDisjointCidrs({ node: props.nodeCidr, pod: podCidr, service: serviceCidr, 'control-plane': masterCidr }, { invalid: 'CIDR_INVALID', overlap: 'CIDR_OVERLAP' }),
    ].forEach((p) => this.problems.add(p));
    if (publicEndpoint && authorized.length === 0) {
      this.problems.add({
        code: 'PUBLIC_ENDPOINT_UNRESTRICTED',
        message: 'A public control-plane endpoint needs authorized networks, or it is open to the internet.',
        received: { publicEndpoint, authorizedNetworks: authorized },
        fix: 'list the networks that need the API in authorizedNetworks, or keep publicEndpoint false.',
      });
    }
    if (!props.secretsEncryptionKey) {
      cdktf().Annotations.of(this).addWarning('GKE_SECRETS_NOT_CMEK: Secrets are encrypted with Google-managed keys only. Set secretsEncryptionKey to a Cloud KMS key to encrypt them with a key you control.');
    }

    this.nodeServiceAccount = new ServiceAccount(this, 'node-sa', {
      project: props.project,
      accountId: serviceAccountId(props.name),
      displayName: `GKE nodes of ${props.name}`,
    });
    for (const role of NODE_ROLES) {
      new ProjectIamMember(this, `node-sa-${role.split('/')[1]}`, {
        project: props.project,
        role,
        member: `serviceAccount:${this.nodeServiceAccount.email}`,
      });
    }

    // GKE encrypts Secrets as its service agent, which must hold the key before the cluster exists.
    const keyGrant = props.secretsEncryptionKey ? new KmsCryptoKeyIamMember(this, 'secrets-key-grant', {
      cryptoKeyId: props.secretsEncryptionKey,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: `serviceAccount:service-${new DataGoogleProject(this, 'project', { projectId: props.project }).number}@container-engine-robot.iam.gserviceaccount.com`,
    }) : undefined;

    this.resource = new ContainerCluster(this, 'cluster', {
      name: props.name,
      project: props.project,
      location: props.location,
      network: props.network,
      subnetwork: props.subnetwork,
      minMasterVersion: this.kubernetesVersion,
      releaseChannel: { channel: props.releaseChannel ?? GkeReleaseChannel.REGULAR },
      deletionProtection: props.deletionProtection ?? true,
      // The default pool cannot be configured like ours; it is created once and removed.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: {
        serviceAccount: this.nodeServiceAccount.email,
        oauthScopes: CLOUD_PLATFORM_SCOPE,
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
      },
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterIpv4CidrBlock: podCidr, servicesIpv4CidrBlock: serviceCidr },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: !publicEndpoint,
        masterIpv4CidrBlock: masterCidr,
      },
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: authorized.map((n) => ({ cidrBlock: n.cidr, displayName: n.displayName ?? n.cidr })),
      },
      workloadIdentityConfig: { workloadPool: `${props.project}.svc.id.goog` },
      datapathProvider: 'ADVANCED_DATAPATH',
      enableShieldedNodes: true,
      enableLegacyAbac: false,
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'APISERVER', 'CONTROLLER_MANAGER', 'SCHEDULER', 'WORKLOADS'] },
      monitoringConfig: { enableComponents: ['SYSTEM_COMPONENTS'], managedPrometheus: { enabled: true } },
      databaseEncryption: props.secretsEncryptionKey
        ? { state: 'ENCRYPTED', keyName: props.secretsEncryptionKey }
        : { state: 'DECRYPTED' },
      // Dataplane V2 enforces NetworkPolicy; the block says so to scanners (enabled must stay false with it).
      networkPolicy: { enabled: false },
      enableIntranodeVisibility: true,
      resourceLabels: { 'managed-by': 'ml-platform-constructs', ...props.resourceLabels },
      binaryAuthorization: props.binaryAuthorization === false ? undefined : { evaluationMode: 'PROJECT_SINGLETON_POLICY_ENFORCE' },
      authenticatorGroupsConfig: props.rbacSecurityGroup ? { securityGroup: props.rbacSecurityGroup } : undefined,
      addonsConfig: { gcsFuseCsiDriverConfig: { enabled: this.objectStorage } },
      // GKE reports the oldest pool's node_config here, and some of its fields (spot) force a new
      // cluster; this block only shapes the default pool, which is removed at creation.
      lifecycle: { ignoreChanges: ['node_config'] },
      dependsOn: keyGrant ? [keyGrant] : undefined,
    });
  }

  public credentialsCommand(): string {
    const internal = this.props.publicEndpoint ? '' : ' --internal-ip';
    return `gcloud container clusters get-credentials ${this.clusterName} --location ${this.props.location} --project ${this.props.project}${internal}`;
  }

  public kubernetesConnection(): KubernetesConnection {
    return {
      host: `https://${this.resource.endpoint}`,
      clusterCaCertificate: cdktf().Fn.base64decode(this.resource.masterAuth.clusterCaCertificate),
      exec: { apiVersion: EXEC_CREDENTIAL_API, command: 'gke-gcloud-auth-plugin', args: [] },
    };
  }

  /** The shape of this cloud's pool options, with its own GPU fields. */
  protected poolShape(gpu: boolean): PropsShape {
    return { ...super.poolShape(gpu), ...(gpu ? GKE_GPU_POOL_SHAPE : {}) };
  }

  /** Adds a GPU pool; GKE installs the driver and the device plugin and taints the nodes itself. */
  public addGpuPool(id: string, options: GkeGpuPoolOptions): ContainerNodePool {
    return super.addGpuPool(id, options);
  }

  protected createPool(id: string, pool: ResolvedPool, options: NodePoolOptions | GkeGpuPoolOptions): ContainerNodePool {
    const { ContainerNodePool } = google();
    const gpu = options as GkeGpuPoolOptions;
    const outside = (pool.zones ?? []).filter((zone) => !zone.startsWith(`${this.props.location}-`) && zone !== this.props.location);
    if (outside.length > 0) {
      this.problems.add({ code: 'POOL_ZONE_INVALID', message: `Pool "${pool.name}" names zones outside the cluster's location ${this.props.location}.`, received: outside, fix: `use zones of ${this.props.location}, e.g. ${this.props.location}-a.` });
    }
    const sharing = gpu.sharing;
    if (sharing && (!Number.isInteger(sharing.maxSharedClientsPerGpu) || sharing.maxSharedClientsPerGpu < 2 || sharing.maxSharedClientsPerGpu > 48)) {
      this.problems.add({ code: 'GPU_SHARING_INVALID', message: `Pool "${pool.name}" shares each GPU among an unsupported number of clients.`, received: sharing.maxSharedClientsPerGpu, fix: 'set maxSharedClientsPerGpu to a whole number from 2 to 48.' });
    }
    const offer = pool.accelerator?.offerOn(Cloud.GKE);
    return new ContainerNodePool(this, id, {
      name: pool.name,
      project: this.props.project,
      location: this.props.location,
      nodeLocations: pool.zones ? [...pool.zones] : undefined,
      cluster: this.resource.name,
      autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: 'ANY' },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
      nodeConfig: {
        machineType: pool.machineType,
        diskSizeGb: pool.diskSizeGiB,
        diskType: 'pd-balanced',
        imageType: 'COS_CONTAINERD',
        serviceAccount: this.nodeServiceAccount.email,
        oauthScopes: CLOUD_PLATFORM_SCOPE,
        spot: pool.spot,
        labels: { ...pool.labels },
        taint: pool.taints.map(terraformTaint),
        metadata: { 'disable-legacy-endpoints': 'true' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        guestAccelerator: offer ? [{
          type: offer.name,
          count: pool.gpusPerNode,
          gpuDriverInstallationConfig: { gpuDriverVersion: gpu.driverVersion ?? GkeGpuDriverVersion.DEFAULT },
          gpuSharingConfig: sharing ? { gpuSharingStrategy: sharing.strategy, maxSharedClientsPerGpu: sharing.maxSharedClientsPerGpu } : undefined,
        }] : undefined,
      },
    });
  }

  protected objectStores() {
    return this.objectStorage ? super.objectStores() : [];
  }

  protected poolProfile(pool: ResolvedPool): NodePoolProfile {
    const offer = pool.accelerator?.offerOn(Cloud.GKE);
    const cloudLabels: Record<string, string> = {
      'cloud.google.com/gke-nodepool': pool.name,
      ...(offer ? { 'cloud.google.com/gke-accelerator': offer.name } : {}),
      ...(pool.spot ? { 'cloud.google.com/gke-spot': 'true' } : {}),
    };
    return poolProfile(pool, cloudLabels, offer ? [GPU_TAINT] : [], false);
  }

  protected capabilities(): ClusterCapabilities {
    return {
      devicePluginRequired: false,
      managedGpuDrivers: true,
      extendedResourceToleration: true,
      networkPolicyEnforced: true,
      workloadIdentity: true,
    };
  }
}

/** GCP service account ids are 6–30 characters; long cluster names get a stable hash suffix. */
function serviceAccountId(clusterName: string): string {
  const plain = `${clusterName}-nodes`;
  if (plain.length <= 30) return plain;
  const hash = createHash('sha256').update(clusterName).digest('hex').slice(0, 6);
  return `${clusterName.slice(0, 17).replace(/-+$/, '')}-${hash}-nodes`;
}
