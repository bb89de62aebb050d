/**
 * A fleet delivered by GitOps: two clusters this program builds (GKE in Europe, EKS in the US),
 * each with its state in its cloud's storage and its GitOps engine installed by ClusterAddons, and
 * one existing on-premises cluster described by a hand-written profile. Every cluster gets a
 * directory under dist/ that the engine applies, and dist/gitops/<cluster>.yaml to bootstrap it.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  Accelerator, TrainingBackend, TrainingCapacity, ClusterAddons, ClusterCharts, ClusterProfile, EksCluster, EksVpc, GitOpsDelivery, GitOpsEngine, GkeCluster, ManagedCluster,
  MlPlatform, NodeLabels, S3StateLocking, SPOT_TAINT, GPU_TAINT, StateBackend, synthPlatformOrExit, Tenant, TfStrategy, TfTrainingJob,
} from '../../lib';

/** The repository the fleet's output is committed to. */
export const FLEET_REPOSITORY = 'https://github.com/acme/ml-fleet.git';

class GkeFleetStack extends TerraformStack {
  public readonly cluster: GkeCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { project: 'acme-ml-eu', region: 'europe-west4' });
    this.cluster = new GkeCluster(this, 'cluster', {
      name: 'fleet-eu', project: 'acme-ml-eu', location: 'europe-west4', network: 'ml-vpc', subnetwork: 'fleet-eu-nodes', nodeCidr: '10.30.0.0/20',
      secretsEncryptionKey: 'projects/acme-ml-eu/locations/europe-west4/keyRings/gke/cryptoKeys/secrets',
      authorizedNetworks: [{ cidr: '10.200.0.0/16', displayName: 'corporate VPN' }],
    });
    this.cluster.addNodePool('cpu', { machineType: 'e2-standard-8', minNodes: 1, maxNodes: 4 });
    this.cluster.addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 4 });
    this.cluster.addGpuPool('l4spot', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 8, spot: true });
    StateBackend.gcs({ bucket: 'acme-ml-fleet-tfstate' }).applyTo(this);
  }
}

class EksFleetStack extends TerraformStack {
  public readonly cluster: EksCluster;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'us-east-2' });
    const network = new EksVpc(this, 'network', { clusterName: 'fleet-us', availabilityZones: ['us-east-2a', 'us-east-2b'] });
    this.cluster = new EksCluster(this, 'cluster', {
      name: 'fleet-us', region: 'us-east-2', subnetIds: network.privateSubnetIds, vpcCidr: network.cidr, admins: ['arn:aws:iam::111122223333:role/platform-admins'],
    });
    this.cluster.addNodePool('cpu', { machineType: 'm6i.2xlarge', minNodes: 1, maxNodes: 4 });
    this.cluster.addGpuPool('a10g', { accelerator: Accelerator.NVIDIA_A10G, maxNodes: 4 });
    StateBackend.s3({ bucket: 'acme-ml-fleet-tfstate', region: 'us-east-2', locking: S3StateLocking.lockfile() }).applyTo(this);
  }
}

/** Cluster software, the GitOps engine included, applied after the cluster stack. */
class FleetAddonsStack extends TerraformStack {
  constructor(scope: Construct, id: string, clusterStack: TerraformStack & { cluster: ManagedCluster<unknown> }, engine: GitOpsEngine, state: StateBackend) {
    super(scope, id);
    // Every cluster of the fleet runs a JobSet training job.
    new ClusterAddons(this, 'addons', { cluster: clusterStack.cluster, gitOps: engine, jobset: true });
    this.addDependency(clusterStack);
    state.applyTo(this);
  }
}

/** The lab's existing kubeadm cluster: one node pool of two L4 GPUs per node, tainted like the clouds' pools. */
export const LAB_PROFILE = new ClusterProfile({
  cloud: 'on-prem',
  name: 'fleet-lab',
  kubernetesVersion: '1.32',
  pools: [
    { name: 'cpu', machineType: 'r650', gpusPerNode: 0, minNodes: 3, maxNodes: 3, spot: false, labels: { [NodeLabels.POOL]: 'cpu', [NodeLabels.CAPACITY]: 'on-demand' }, taints: [], devicePluginRequired: false },
    {
      name: 'gpu', machineType: 'r760xa', accelerator: Accelerator.NVIDIA_L4.id, gpusPerNode: 2, minNodes: 2, maxNodes: 2, spot: false,
      labels: { [NodeLabels.POOL]: 'gpu', [NodeLabels.CAPACITY]: 'on-demand', [NodeLabels.ACCELERATOR]: Accelerator.NVIDIA_L4.id },
      taints: [GPU_TAINT], devicePluginRequired: true,
    },
  ],
  capabilities: { devicePluginRequired: true, managedGpuDrivers: false, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: false },
});

/** What every cluster of the fleet runs: the platform, two teams, and a training job that may use spot GPUs. */
export function defineFleetPlatform(k8s: K8sApp, profile: ClusterProfile): void {
  const charts = new ClusterCharts(k8s, profile);
  const accelerator = Accelerator.fromId(profile.pools.find((p) => p.accelerator !== undefined)!.accelerator!)!;
  new MlPlatform(charts.platform, 'platform', { cluster: profile });
  for (const [team, gpus] of [['research', 4], ['ranking', 2]] as const) {
    new Tenant(charts.tenant(team), 'tenant', { name: team, cluster: profile, quota: { cpu: '32', memory: '128Gi', gpus }, editorGroups: [`${team}-engineers`] });
  }
  const spot = profile.pools.some((p) => p.spot && p.taints.some((t) => t.key === SPOT_TAINT.key));
  new TfTrainingJob(charts.tenant('research'), 'bert', {
    image: 'tensorflow/tensorflow:2.21.0-gpu',
    command: ['python', '/app/train.py'],
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    workers: { replicas: 2, cpu: 4, memoryGiB: 16, gpus: 1, accelerator },
    // Where a cluster has spot GPUs the job may use them, on JobSet, which restarts the whole group
    // after a reclaim; elsewhere a plain Indexed Job needs no add-on (the lab has none).
    backend: spot ? TrainingBackend.JOBSET : TrainingBackend.INDEXED_JOB,
    capacity: spot ? TrainingCapacity.ON_DEMAND_THEN_SPOT : TrainingCapacity.ON_DEMAND,
  });
}

/** The whole fleet: Terraform for the two built clusters into `app`, every cluster's platform into `k8s`. */
export function buildFleet(app: App, k8s: K8sApp, engine: GitOpsEngine = GitOpsEngine.FLUX) {
  const eu = new GkeFleetStack(app, 'fleet-eu');
  const us = new EksFleetStack(app, 'fleet-us');
  new FleetAddonsStack(app, 'fleet-eu-addons', eu, engine, StateBackend.gcs({ bucket: 'acme-ml-fleet-tfstate' }));
  new FleetAddonsStack(app, 'fleet-us-addons', us, engine, StateBackend.s3({ bucket: 'acme-ml-fleet-tfstate', region: 'us-east-2', locking: S3StateLocking.lockfile() }));
  for (const profile of [eu.cluster.profile, us.cluster.profile, LAB_PROFILE]) defineFleetPlatform(k8s, profile);
  new GitOpsDelivery(k8s, 'delivery', { engine, repoUrl: FLEET_REPOSITORY, branch: 'main', path: 'dist' });
  return { eu, us };
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildFleet(terraform, kubernetes, process.env.ML_PLATFORM_GITOPS === GitOpsEngine.ARGO_CD ? GitOpsEngine.ARGO_CD : GitOpsEngine.FLUX);
  synthPlatformOrExit({ terraform, kubernetes });
}
