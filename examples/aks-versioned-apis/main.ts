/**
 * An AKS platform with versioned model APIs: Prometheus, Alertmanager and Grafana installed as
 * add-ons; `/v1/<model>` and `/v2/<model>` routed to two loaded versions; a new TF Serving image
 * rolled out as a 10% canary.
 */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import {
  Accelerator, AksCluster, AksVnet, ClusterAddons, ClusterCharts, MlPlatform, ModelVersionPolicy, PriorityClasses, ServingExposure, synthPlatformOrExit,
  Tenant, TfServing,
} from '../../lib';

const TEAM = 'fraud';
const HOST = 'models.contoso.example';
const MODEL = 'fraud-score';

export function buildAksVersionedApis(terraform: App, kubernetes: K8sApp) {
  const stack = new TerraformStack(terraform, 'apis-aks');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const network = new AksVnet(stack, 'network', { clusterName: 'apis', location: 'westeurope', resourceGroupName: 'ml-apis', cidr: '10.30.0.0/16' });
  const cluster = new AksCluster(stack, 'cluster', {
    name: 'apis',
    location: 'westeurope',
    resourceGroupName: 'ml-apis',
    vnetSubnetId: network.nodeSubnetId,
    nodeCidr: network.nodeCidr,
    tenantId: '00000000-0000-0000-0000-000000000001',
    adminGroupObjectIds: ['00000000-0000-0000-0000-000000000002'],
    secretsEncryption: {
      keyId: 'https://apis-kv.vault.azure.net/keys/aks-secrets/0123456789abcdef0123456789abcdef',
      keyVaultId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-apis/providers/Microsoft.KeyVault/vaults/apis-kv',
    },
    diskEncryptionSetId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-apis/providers/Microsoft.Compute/diskEncryptionSets/apis-disks',
  });
  cluster.addNodePool('cpu', { machineType: 'Standard_D8ds_v5', minNodes: 2, maxNodes: 12 });
  cluster.addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 12, zones: ['1', '2', '3'] });
  new ClusterAddons(new TerraformStack(terraform, 'apis-aks-addons'), 'addons', {
    cluster,
    monitoring: { retention: '30d', storageGiB: 200, grafanaAdminSecret: 'grafana-admin' },
  });

  const charts = new ClusterCharts(kubernetes, cluster.profile);
  new MlPlatform(charts.platform, 'platform', { cluster: cluster.profile });
  const tenant = new Tenant(charts.tenant(TEAM), 'tenant', { name: TEAM, cluster: cluster.profile, quota: { gpus: 12 }, editorGroups: ['00000000-0000-0000-0000-00000000000f'] });
  tenant.declareExternalSecret('models-tls');
  const serving = new TfServing(charts.tenant(TEAM), MODEL, {
    namespace: TEAM,
    models: [{ name: MODEL, basePath: `az://contosomodels/models/${MODEL}`, versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, next: 2 } }],
    cluster: cluster.profile,
    gpus: 1,
    accelerator: Accelerator.NVIDIA_T4,
    cloudIdentity: '00000000-0000-0000-0000-00000000000a',
    replicas: 10,
    canary: { weight: 10, image: 'tensorflow/serving:2.19.0-gpu' },
    expose: ServingExposure.ingress({
      host: HOST,
      tlsSecretName: 'models-tls',
      versionRoutes: [{ prefix: `/v1/${MODEL}`, model: MODEL, version: 1 }, { prefix: `/v2/${MODEL}`, model: MODEL, version: 2 }],
    }),
    priorityClassName: PriorityClasses.SERVING_CRITICAL,
    prometheusOperator: true,
  });
  return { cluster, serving };
}

if (require.main === module) {
  const terraform = new App();
  const kubernetes = new K8sApp();
  buildAksVersionedApis(terraform, kubernetes);
  synthPlatformOrExit({ terraform, kubernetes });
}
