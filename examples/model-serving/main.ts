/**
 * Two models on one GKE cluster: a CPU text classifier, and an image model on L4 GPUs rolling out
 * version 2 as a 10% canary, both behind one Ingress host with a path per model and per version
 * label. Terraform goes to cdktf.out/, manifests to dist/.
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as K8sApp, Chart } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import {
  Accelerator, GkeCluster, MlPlatform, ModelVersionPolicy, ServingExposure, synthPlatformOrExit, Tenant, TfServing,
} from '../../lib';

export function buildModelServing(terraform: App, kubernetes: K8sApp) {
  const stack = new TerraformStack(terraform, 'serving-gke');
  new GoogleProvider(stack, 'google', { project: 'acme-serving', region: 'us-central1' });
  const cluster = new GkeCluster(stack, 'cluster', {
    name: 'serving',
    project: 'acme-serving',
    location: 'us-central1',
    network: 'serving-vpc',
    subnetwork: 'serving-nodes',
    secretsEncryptionKey: 'projects/acme-serving/locations/us-central1/keyRings/gke/cryptoKeys/secrets',
    rbacSecurityGroup: 'gke-security-groups@acme.example',
  });
  cluster.addNodePool('cpu', { machineType: 'e2-standard-8', minNodes: 2, maxNodes: 10 });
  cluster.addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 12, zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] });

  const chart = new Chart(kubernetes, 'serving-models');
  const host = 'models.acme.dev';
  new MlPlatform(chart, 'platform', { cluster: cluster.profile });
  for (const [team, gpus] of [['team-nlp', 0], ['team-vision', 12]] as const) {
    const tenant = new Tenant(chart, team, { name: team, cluster: cluster.profile, quota: { gpus }, editorGroups: [`${team}@acme.dev`] });
    // The certificate is issued by cert-manager into each namespace.
    tenant.declareExternalSecret('models-tls');
  }
  const text = new TfServing(chart, 'text-classifier', {
    namespace: 'team-nlp',
    models: [{ name: 'sentiment', basePath: 'gs://acme-models/sentiment', versions: ModelVersionPolicy.specific(3), labels: { stable: 3 } }],
    cluster: cluster.profile,
    cloudIdentity: 'sentiment-serving@acme-serving.iam.gserviceaccount.com',
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
    expose: ServingExposure.ingress({ host, tlsSecretName: 'models-tls' }),
    prometheusOperator: true,
  });
  const vision = new TfServing(chart, 'vision', {
    namespace: 'team-vision',
    models: [{ name: 'resnet', basePath: 'gs://acme-models/resnet', versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
    cluster: cluster.profile,
    gpus: 1,
    accelerator: Accelerator.NVIDIA_L4,
    cloudIdentity: 'resnet-serving@acme-serving.iam.gserviceaccount.com',
    replicas: 10,
    canary: { weight: 10, version: 2 },
    batching: { maxBatchSize: 32, batchTimeoutMicros: 2000 },
    expose: ServingExposure.ingress({ host, tlsSecretName: 'models-tls' }),
    prometheusOperator: true,
  });
  return { cluster, text, vision };
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildModelServing(terraform, kubernetes);
  synthPlatformOrExit({ terraform, kubernetes });
}
