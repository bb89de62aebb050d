// A consumer's program: only the package's public entry, the apps, and one provider binding.
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import {
  Accelerator, ClusterCharts, EksCluster, EksVpc, MlPlatform, synthPlatformOrExit, Tenant, TfStrategy, TfTrainingJob,
} from 'ml-platform-constructs';

const terraform = new App();
const kubernetes = new K8sApp();
const stack = new TerraformStack(terraform, 'consumer-eks');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const network = new EksVpc(stack, 'network', { clusterName: 'consumer', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
const cluster = new EksCluster(stack, 'cluster', { name: 'consumer', region: 'eu-west-1', subnetIds: network.privateSubnetIds, vpcCidr: network.cidr, admins: ['arn:aws:iam::111122223333:role/admins'] });
cluster.addNodePool('cpu', { machineType: 'm6i.xlarge', maxNodes: 3 });
cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2 });

const charts = new ClusterCharts(kubernetes, cluster.profile);
new MlPlatform(charts.platform, 'platform', { cluster: cluster.profile });
new Tenant(charts.tenant('team'), 'tenant', { name: 'team', cluster: cluster.profile, quota: { gpus: 2 } });
new TfTrainingJob(charts.tenant('team'), 'train', {
  namespace: 'team',
  image: 'tensorflow/tensorflow:2.21.0-gpu',
  strategy: TfStrategy.MULTI_WORKER_MIRRORED,
  workers: { replicas: 2, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
  cluster: cluster.profile,
});
synthPlatformOrExit({ terraform, kubernetes });
