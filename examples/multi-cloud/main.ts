/**
 * The reference platform: one cluster on each of GKE, EKS and AKS, each with a CPU pool and GPU
 * pools, every cluster in its own stack so each can be planned with only its own provider; and on
 * each cluster, workloads placed through the cluster's profile. Terraform goes to cdktf.out/,
 * Kubernetes manifests to dist/.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp, Chart } from 'cdk8s';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  Accelerator, AksCluster, ClusterAddons, EksCluster, EksVpc, GkeCluster, ManagedCluster, MlPlatform, ModelVersionPolicy, PriorityClasses,
  ServingExposure, synthPlatformOrExit, Tenant, TfServing, TfStrategy, TfTrainingJob, TrainingBackend, TrainingCheckpoint, usesTrainingBackend,
} from '../../lib';

/** The pools every cluster of the platform gets; only the accelerator differs per cloud. */
function addReferencePools(cluster: ManagedCluster<unknown>, machineType: string, accelerator: Accelerator): void {
  cluster.addNodePool('cpu', { machineType, minNodes: 1, maxNodes: 6 });
  cluster.addGpuPool('gpu', { accelerator, gpusPerNode: 1, maxNodes: 8 });
  cluster.addGpuPool('gpuspot', { accelerator, gpusPerNode: 1, maxNodes: 8, spot: true });
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
    });
    addReferencePools(this.cluster, 'e2-standard-8', Accelerator.NVIDIA_L4);
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
    addReferencePools(this.cluster, 'm6i.2xlarge', Accelerator.NVIDIA_L4);
    credentialsOutput(this, this.cluster);
  }
}

export class AksStack extends TerraformStack {
  public readonly cluster: AksCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    this.cluster = new AksCluster(this, 'cluster', {
      name: 'ml-aks',
      location: 'westeurope',
      resourceGroupName: 'ml-platform',
      vnetSubnetId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-platform/providers/Microsoft.Network/virtualNetworks/ml-vnet/subnets/aks-nodes',
      nodeCidr: '10.20.0.0/20',
      tenantId: '00000000-0000-0000-0000-000000000001',
      adminGroupObjectIds: ['00000000-0000-0000-0000-000000000002'],
    });
    // Azure sells no L4; the T4 is its closest inference GPU.
    addReferencePools(this.cluster, 'Standard_D8ds_v5', Accelerator.NVIDIA_T4);
    credentialsOutput(this, this.cluster);
  }
}

/** The cloud identity each cloud's serving pods read models with. */
const SERVING_IDENTITY: Record<string, string> = {
  gke: 'resnet-serving@ml-platform-prod.iam.gserviceaccount.com',
  eks: 'arn:aws:iam::111122223333:role/resnet-serving',
  aks: '00000000-0000-0000-0000-000000000004',
};

/** The workloads every cluster runs; only the accelerator differs per cloud. */
function addWorkloads(k8s: K8sApp, cluster: ManagedCluster<unknown>, accelerator: Accelerator): Chart {
  const chart = new Chart(k8s, `${cluster.clusterName}-platform`);
  const profile = cluster.profile;
  new MlPlatform(chart, 'platform', { cluster: profile });
  new Tenant(chart, 'team-vision', {
    name: 'team-vision',
    cluster: profile,
    quota: { cpu: '64', memory: '256Gi', gpus: 8 },
    editorGroups: ['team-vision-engineers'],
    viewerGroups: ['ml-platform-readers'],
  });
  new Tenant(chart, 'team-nlp', {
    name: 'team-nlp',
    cluster: profile,
    quota: { cpu: '32', memory: '128Gi', gpus: 4 },
    editorGroups: ['team-nlp-engineers'],
    viewerGroups: ['ml-platform-readers'],
  });
  new TfTrainingJob(chart, 'resnet', {
    namespace: 'team-vision',
    image: 'tensorflow/tensorflow:2.21.0-gpu',
    command: ['python', '/app/train.py'],
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    workers: { replicas: 4, cpu: 4, memoryGiB: 16, gpus: 1, accelerator },
    cluster: profile,
    priorityClassName: PriorityClasses.TRAINING_HIGH,
    checkpoint: TrainingCheckpoint.bucket(`gs://acme-ml-${cluster.cloud}/checkpoints/resnet`),
  });
  new TfServing(chart, 'resnet-serving', {
    namespace: 'team-vision',
    models: [{ name: 'resnet', basePath: `gs://acme-ml-${cluster.cloud}/models/resnet`, versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
    cluster: profile,
    gpus: 1,
    accelerator,
    priorityClassName: PriorityClasses.SERVING_CRITICAL,
    cloudIdentity: SERVING_IDENTITY[cluster.cloud],
    autoscaling: { minReplicas: 2, maxReplicas: 3 },
    canary: { weight: 50, version: 2 },
    expose: ServingExposure.loadBalancer(),
  });
  return chart;
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
    });
  }
}

/** Builds the whole reference platform: clusters and their add-ons into `app`, what runs on them into `k8s`. */
export function buildMultiCloud(app: App, k8s?: K8sApp) {
  const stacks = {
    gke: new GkeStack(app, 'ml-gke'),
    eks: new EksStack(app, 'ml-eks'),
    aks: new AksStack(app, 'ml-aks'),
  };
  const accelerators = { gke: Accelerator.NVIDIA_L4, eks: Accelerator.NVIDIA_L4, aks: Accelerator.NVIDIA_T4 };
  for (const [cloud, stack] of Object.entries(stacks) as Array<[keyof typeof stacks, GkeStack | EksStack | AksStack]>) {
    if (k8s) addWorkloads(k8s, stack.cluster, accelerators[cloud]);
    new AddonsStack(app, `${stack.cluster.clusterName}-addons`, stack.cluster, k8s);
  }
  return stacks;
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildMultiCloud(terraform, kubernetes);
  synthPlatformOrExit({ terraform, kubernetes });
}
