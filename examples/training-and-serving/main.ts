/**
 * Distributed training, then serving, on EKS: a MultiWorkerMirrored job on four GPU workers, a
 * ParameterServer job (chief, three workers, two parameter servers, an evaluator) on JobSet, and
 * the trained model served by TF Serving behind a load balancer with autoscaling.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import {
  Accelerator, ClusterAddons, ClusterCharts, EksCluster, EksVpc, MlPlatform, ModelVersionPolicy, PriorityClasses, ServingExposure,
  synthPlatformOrExit, Tenant, TfServing, TfStrategy, TfTrainingJob, TrainingBackend, TrainingCheckpoint, TrainingSuccess, usesTrainingBackend,
} from '../../lib';

const TEAM = 'recsys';

export function buildTrainingAndServing(terraform: App, kubernetes: K8sApp) {
  const stack = new TerraformStack(terraform, 'train-eks');
  new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  const network = new EksVpc(stack, 'network', { clusterName: 'train', availabilityZones: ['us-west-2a', 'us-west-2b'] });
  const cluster = new EksCluster(stack, 'cluster', { name: 'train', region: 'us-west-2', subnetIds: network.privateSubnetIds, vpcCidr: network.cidr, admins: ['arn:aws:iam::111122223333:role/ml-admins'] });
  cluster.addNodePool('cpu', { machineType: 'm6i.4xlarge', minNodes: 2, maxNodes: 20 });
  cluster.addGpuPool('a10g', { accelerator: Accelerator.NVIDIA_A10G, gpusPerNode: 4, maxNodes: 3, subnetIds: network.privateSubnetIds });

  const profile = cluster.profile;
  const charts = new ClusterCharts(kubernetes, profile);
  new MlPlatform(charts.platform, 'platform', { cluster: profile });
  const tenant = new Tenant(charts.tenant(TEAM), 'tenant', {
    name: TEAM,
    cluster: profile,
    quota: { cpu: '128', memory: '512Gi', gpus: 8 },
    editorGroups: ['recsys-engineers'],
    identities: { trainer: 'arn:aws:iam::111122223333:role/recsys-trainer' },
  });
  tenant.addVolumeClaim('checkpoints', { storage: '500Gi', storageClassName: 'efs', readWriteMany: true });
  const chart = charts.tenant(TEAM);

  new TfTrainingJob(chart, 'ranker-mwms', {
    namespace: TEAM,
    image: 'tensorflow/tensorflow:2.21.0-gpu',
    command: ['python', '/app/train_ranker.py'],
    strategy: TfStrategy.MULTI_WORKER_MIRRORED,
    workers: { replicas: 4, cpu: 8, memoryGiB: 32, gpus: 1, accelerator: Accelerator.NVIDIA_A10G },
    cluster: profile,
    serviceAccountName: 'trainer',
    priorityClassName: PriorityClasses.TRAINING_HIGH,
    checkpoint: TrainingCheckpoint.volume('checkpoints'),
    retryableExitCodes: [137, 143],
  });
  new TfTrainingJob(chart, 'embeddings-ps', {
    namespace: TEAM,
    image: 'tensorflow/tensorflow:2.21.0',
    command: ['python', '/app/train_embeddings.py'],
    strategy: TfStrategy.PARAMETER_SERVER,
    backend: TrainingBackend.JOBSET,
    chief: { cpu: 4, memoryGiB: 16 },
    workers: { replicas: 3, cpu: 8, memoryGiB: 32 },
    parameterServers: { replicas: 2, cpu: 4, memoryGiB: 64 },
    evaluator: { cpu: 4, memoryGiB: 16 },
    // The set ends when the chief and the evaluator are done, so the last evaluation is kept.
    successPolicy: TrainingSuccess.CHIEF_AND_EVALUATOR,
    cluster: profile,
    serviceAccountName: 'trainer',
    priorityClassName: PriorityClasses.TRAINING_PREEMPTIBLE,
    checkpoint: TrainingCheckpoint.volume('checkpoints'),
  });
  new TfServing(chart, 'ranker', {
    namespace: TEAM,
    models: [{ name: 'ranker', basePath: 's3://acme-recsys/models/ranker', versions: ModelVersionPolicy.latest(2) }],
    cluster: profile,
    gpus: 1,
    accelerator: Accelerator.NVIDIA_A10G,
    cloudIdentity: 'arn:aws:iam::111122223333:role/recsys-serving',
    autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 60 },
    expose: ServingExposure.loadBalancer({ internal: true }),
    priorityClassName: PriorityClasses.SERVING_CRITICAL,
    prometheusOperator: true,
  });

  new ClusterAddons(new TerraformStack(terraform, 'train-eks-addons'), 'addons', {
    cluster,
    jobset: usesTrainingBackend(kubernetes, TrainingBackend.JOBSET, cluster.clusterName),
  });
  return { cluster };
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildTrainingAndServing(terraform, kubernetes);
  synthPlatformOrExit({ terraform, kubernetes });
}
