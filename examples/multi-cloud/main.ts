/**
 * The reference platform: one cluster on each of GKE, EKS and AKS, each with a CPU pool and GPU
 * pools, every cluster in its own stack so each can be planned with only its own provider; and on
 * each cluster, workloads placed through the cluster's profile. Terraform goes to cdktf.out/,
 * Kubernetes manifests to dist/.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import {
  Accelerator, AksCluster, AksVnet, Cloud, ClusterAddons, ClusterCharts, ClusterProfile, EksCluster, EksVpc, GkeCluster, ManagedCluster, MlPlatform,
  ModelVersionPolicy, PriorityClasses, QueueFlavors, S3StateLocking, ServingExposure, StateBackend, synthPlatformOrExit, Tenant, TfServing, TfStrategy,
  TfTrainingJob, TrainingBackend, TrainingCapacity, TrainingCheckpoint, usesTrainingBackend, usesKueue,
} from '../../lib';

/** The pools every cluster of the platform gets; only the accelerator differs per cloud. */
function addReferencePools(cluster: ManagedCluster<unknown>, machineType: string, accelerator: Accelerator, gpuPlacement: { zones?: string[]; subnetIds?: string[] }): void {
  cluster.addNodePool('cpu', { machineType, minNodes: 1, maxNodes: 6 });
  cluster.addGpuPool('gpu', { accelerator, gpusPerNode: 1, maxNodes: 8, ...gpuPlacement });
  cluster.addGpuPool('gpuspot', { accelerator, gpusPerNode: 1, maxNodes: 8, spot: true, ...gpuPlacement });
}

function credentialsOutput(stack: Construct, cluster: ManagedCluster<unknown>): void {
  new TerraformOutput(stack, 'credentials-command', { value: cluster.credentialsCommand() });
}

export class GkeStack extends TerraformStack {
  public readonly cluster: GkeCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { project: 'ml-platform-prod', region: 'europe-west4' });
    this.cluster = new GkeCluster(this, 'cluster', {
      name: 'ml-gke',
      project: 'ml-platform-prod',
      location: 'europe-west4',
      network: 'ml-vpc',
      subnetwork: 'ml-gke-nodes',
      nodeCidr: '10.10.0.0/20',
      secretsEncryptionKey: 'projects/ml-platform-prod/locations/europe-west4/keyRings/gke/cryptoKeys/secrets',
      authorizedNetworks: [{ cidr: '10.200.0.0/16', displayName: 'corporate VPN' }],
      rbacSecurityGroup: 'gke-security-groups@acme.example',
    });
    addReferencePools(this.cluster, 'e2-standard-8', Accelerator.NVIDIA_L4, { zones: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'] });
    credentialsOutput(this, this.cluster);
  }
}

export class EksStack extends TerraformStack {
  public readonly cluster: EksCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const region = 'us-east-1';
    new AwsProvider(this, 'aws', { region });
    const network = new EksVpc(this, 'network', { clusterName: 'ml-eks', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    this.cluster = new EksCluster(this, 'cluster', {
      name: 'ml-eks',
      region,
      subnetIds: network.privateSubnetIds,
      vpcCidr: network.cidr,
      admins: ['arn:aws:iam::111122223333:role/platform-admins'],
    });
    addReferencePools(this.cluster, 'm6i.2xlarge', Accelerator.NVIDIA_L4, { subnetIds: network.privateSubnetIds });
    credentialsOutput(this, this.cluster);
  }
}

export class AksStack extends TerraformStack {
  public readonly cluster: AksCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const network = new AksVnet(this, 'network', { clusterName: 'ml-aks', location: 'westeurope', resourceGroupName: 'ml-platform' });
    this.cluster = new AksCluster(this, 'cluster', {
      name: 'ml-aks',
      location: 'westeurope',
      resourceGroupName: 'ml-platform',
      vnetSubnetId: network.nodeSubnetId,
      nodeCidr: network.nodeCidr,
      tenantId: '00000000-0000-0000-0000-000000000001',
      adminGroupObjectIds: ['00000000-0000-0000-0000-000000000002'],
      secretsEncryption: {
        keyId: 'https://ml-platform-kv.vault.azure.net/keys/aks-secrets/0123456789abcdef0123456789abcdef',
        keyVaultId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-platform/providers/Microsoft.KeyVault/vaults/ml-platform-kv',
      },
      diskEncryptionSetId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-platform/providers/Microsoft.Compute/diskEncryptionSets/ml-aks-disks',
    });
    // Azure sells no L4; the T4 is its closest inference GPU.
    addReferencePools(this.cluster, 'Standard_D8ds_v5', Accelerator.NVIDIA_T4, { zones: ['1', '2', '3'] });
    credentialsOutput(this, this.cluster);
  }
}

/** The cloud identity each cloud's serving pods read models with. */
const SERVING_IDENTITY: Record<Cloud, string> = {
  [Cloud.GKE]: 'resnet-serving@ml-platform-prod.iam.gserviceaccount.com',
  [Cloud.EKS]: 'arn:aws:iam::111122223333:role/resnet-serving',
  [Cloud.AKS]: '00000000-0000-0000-0000-000000000004',
};

/** Where each cloud's serving pods find the model: the cluster's own object store, read with the identity above. */
const MODEL_STORE: Record<Cloud, string> = {
  [Cloud.GKE]: 'gs://acme-ml-gke/models/resnet',
  [Cloud.EKS]: 's3://acme-ml-eks/models/resnet',
  [Cloud.AKS]: 'az://acmemlaks/models/resnet',
};

/** The cloud identity each cloud's training pods write checkpoints with. */
const TRAINING_IDENTITY: Record<Cloud, string> = {
  [Cloud.GKE]: 'resnet-training@ml-platform-prod.iam.gserviceaccount.com',
  [Cloud.EKS]: 'arn:aws:iam::111122223333:role/resnet-training',
  [Cloud.AKS]: '00000000-0000-0000-0000-000000000005',
};

/**
 * The platform every cluster runs, from its profile alone: the same definition on GKE, EKS and
 * AKS. One YAML file for the cluster's platform objects and one per tenant.
 */
export function definePlatform(k8s: K8sApp, profile: ClusterProfile): ClusterCharts {
  const charts = new ClusterCharts(k8s, profile);
  const accelerator = Accelerator.fromId(profile.pools.find((p) => p.accelerator !== undefined)!.accelerator!)!;
  new MlPlatform(charts.platform, 'platform', { cluster: profile });
  // Kueue flavors from the pools: one per accelerator and capacity type.
  new QueueFlavors(charts.platform, 'queues');
  const tenants: Record<string, Tenant> = {};
  for (const [team, gpus] of [['team-vision', 8], ['team-nlp', 3]] as const) {
    const tenant = new Tenant(charts.tenant(team), 'tenant', {
      name: team,
      cluster: profile,
      quota: { cpu: '64', memory: '256Gi', gpus },
      editorGroups: [`${team}-engineers`],
      viewerGroups: ['ml-platform-readers'],
      // Clients of the internal load balancer, inside the private network: default-deny would drop them.
      servingClientCidrs: ['10.0.0.0/8'],
      // A ClusterQueue in the shared cohort: jobs are admitted whole, and idle GPUs are lent.
      queue: {},
    });
    // The serving certificate is issued into each namespace by cert-manager.
    tenant.declareExternalSecret('models-tls');
    tenants[team] = tenant;
  }
  const vision = charts.tenant('team-vision');
  // Checkpoints go where TensorFlow can write with the cluster's own identity: Cloud Storage where
  // the pods can reach it, a ReadWriteMany volume elsewhere (TensorFlow has no s3:// or Azure Blob).
  const bucket = profile.objectStore('gs') !== undefined;
  // The ReadWriteMany class comes from the profile: EFS on EKS (EksCluster `sharedFileSystem`), Azure Files on AKS.
  if (!bucket) tenants['team-vision'].addVolumeClaim('checkpoints', { storage: '200Gi', readWriteMany: true });
  new TfTrainingJob(vision, 'resnet', {
    namespace: 'team-vision',
    image: 'tensorflow/tensorflow:2.21.0-gpu',
    command: ['python', '/app/train.py'],
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    workers: { replicas: 4, cpu: 4, memoryGiB: 16, gpus: 1, accelerator },
    cluster: profile,
    // JobSet restarts the whole group after a reclaim, so the job may use spot GPUs.
    backend: TrainingBackend.JOBSET,
    capacity: TrainingCapacity.ON_DEMAND_THEN_SPOT,
    queueName: tenants['team-vision'].queueName,
    priorityClassName: PriorityClasses.TRAINING_HIGH,
    ...(bucket
      ? { checkpoint: TrainingCheckpoint.bucket(`gs://acme-ml-${profile.cloud}/checkpoints/resnet`), cloudIdentity: TRAINING_IDENTITY[profile.cloud as Cloud] }
      : { checkpoint: TrainingCheckpoint.volume('checkpoints') }),
  });
  new TfServing(vision, 'resnet-serving', {
    namespace: 'team-vision',
    models: [{ name: 'resnet', basePath: MODEL_STORE[profile.cloud as Cloud], versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
    cluster: profile,
    gpus: 1,
    accelerator,
    priorityClassName: PriorityClasses.SERVING_CRITICAL,
    cloudIdentity: SERVING_IDENTITY[profile.cloud as Cloud],
    autoscaling: { minReplicas: 2, maxReplicas: 3 },
    // ingress-nginx holds the 50% share whatever the two autoscalers do.
    canary: { weight: 50, version: 2 },
    expose: ServingExposure.ingress({ host: `models.${profile.name}.internal.acme.dev`, tlsSecretName: 'models-tls' }),
    prometheusOperator: true,
  });
  return charts;
}

/** Cluster software, in a stack of its own so the cluster stack plans without the helm provider. */
export class AddonsStack extends TerraformStack {
  public readonly addons: ClusterAddons;
  constructor(scope: Construct, id: string, cluster: ManagedCluster<unknown>, k8s?: K8sApp) {
    super(scope, id);
    this.addons = new ClusterAddons(this, 'addons', {
      cluster,
      monitoring: { retention: '30d', storageGiB: 100 },
      jobset: k8s !== undefined && usesTrainingBackend(k8s, TrainingBackend.JOBSET, cluster.clusterName),
      kueue: k8s !== undefined && usesKueue(k8s, cluster.clusterName),
    });
  }
}

/**
 * Where each cloud's stacks keep their Terraform state. `ML_PLATFORM_STATE=remote` shares it in
 * the cloud's own storage, with locking; otherwise it stays in local files (and synth needs no
 * bucket, so it works offline either way).
 */
export function stateBackend(cloud: Cloud, remote = process.env.ML_PLATFORM_STATE === 'remote'): StateBackend {
  if (!remote) return StateBackend.local();
  switch (cloud) {
    case Cloud.GKE: return StateBackend.gcs({ bucket: 'acme-ml-platform-tfstate' });
    case Cloud.EKS: return StateBackend.s3({ bucket: 'acme-ml-platform-tfstate', region: 'us-east-1', locking: S3StateLocking.lockfile() });
    case Cloud.AKS: return StateBackend.azurerm({ resourceGroupName: 'ml-platform-state', storageAccountName: 'acmemlplatformstate', containerName: 'tfstate' });
  }
}

/** Builds the whole reference platform: clusters and their add-ons into `app`, what runs on them into `k8s`. */
export function buildMultiCloud(app: App, k8s?: K8sApp) {
  const stacks = {
    gke: new GkeStack(app, 'ml-gke'),
    eks: new EksStack(app, 'ml-eks'),
    aks: new AksStack(app, 'ml-aks'),
  };
  for (const stack of Object.values(stacks)) {
    const { cluster } = stack;
    if (k8s) definePlatform(k8s, cluster.profile);
    const addons = new AddonsStack(app, `${cluster.clusterName}-addons`, cluster, k8s);
    // `cdktf deploy '*'` applies the cluster before the add-ons that run on it.
    addons.addDependency(stack);
    stateBackend(cluster.cloud).applyTo(stack);
    stateBackend(cluster.cloud).applyTo(addons);
  }
  return stacks;
}

/**
 * The Kubernetes side alone, for CI jobs that run only `cdk8s synth`: the profiles come from the
 * JSON files `cdktf synth` wrote (or that the repository keeps), not from the cluster constructs.
 */
export function buildFromProfiles(k8s: K8sApp, profilesDir: string): void {
  for (const file of fs.readdirSync(profilesDir).filter((f) => f.endsWith('.json')).sort()) {
    definePlatform(k8s, ClusterProfile.fromFile(path.join(profilesDir, file)));
  }
}

if (require.main === module) {
  const kubernetes = new K8sApp();
  const profiles = process.env.ML_PLATFORM_PROFILES;
  if (profiles) {
    // Built inside synthPlatformOrExit, so a bad profile file is listed like any other problem.
    synthPlatformOrExit(() => {
      buildFromProfiles(kubernetes, profiles);
      return { kubernetes };
    });
  } else {
    const terraform = new App();
    buildMultiCloud(terraform, kubernetes);
    synthPlatformOrExit({ terraform, kubernetes });
  }
}
