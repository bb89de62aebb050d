import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App as K8sApp, Chart } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import {
  Accelerator, ADDON_CHARTS, AksCluster, ClusterAddons, ClusterAddonsProps, EksCluster, TfStrategy, TfTrainingJob, TrainingBackend, usesTrainingBackend,
} from '../../lib';
import { resources, synthError, TfJson } from '../tf-helpers';

function build(addons: Partial<ClusterAddonsProps> = {}, cloud: 'eks' | 'aks' = 'eks') {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-addons-'));
  const app = new App({ outdir });
  const clusterStack = new TerraformStack(app, 'cluster');
  const cluster = cloud === 'eks'
    ? (new AwsProvider(clusterStack, 'aws', { region: 'us-east-1' }), new EksCluster(clusterStack, 'eks', { name: 'c', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] }))
    : (new AzurermProvider(clusterStack, 'azurerm', { features: [{}] }), new AksCluster(clusterStack, 'aks', { name: 'c', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 's', tenantId: 't', adminGroupObjectIds: ['g'], logAnalyticsWorkspaceId: 'w' }));
  cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, spot: cloud === 'aks' });
  new ClusterAddons(new TerraformStack(app, 'addons'), 'addons', { cluster, ...addons });
  app.synth();
  return { read: (stack: string): TfJson => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) };
}

const releases = (tf: TfJson) => Object.fromEntries(resources(tf, 'helm_release').map((r) => [r.name, r]));
const values = (release: any) => parse(release.values[0]);

describe('ClusterAddons', () => {
  const { read } = build();
  const tf = read('addons');

  test('the helm provider reaches the cluster through its outputs and an exec credential', () => {
    const kubernetes = tf.provider.helm[0].kubernetes;
    expect(kubernetes.host).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-cluster\.outputs\.[^}]+endpoint\}$/);
    expect(kubernetes.cluster_ca_certificate).toMatch(/^\$\{base64decode\(data\.terraform_remote_state\.[^)]+certificate_authority0data\)\}$/);
    expect(kubernetes.exec).toEqual({ api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'c', '--region', 'us-east-1'] });
  });

  test('AKS connects through kubelogin and Entra ID', () => {
    const aks = build({}, 'aks').read('addons');
    expect(aks.provider.helm[0].kubernetes.exec.command).toBe('kubelogin');
    expect(aks.provider.helm[0].kubernetes.exec.args).toEqual(['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630']);
    // AKS spot GPU nodes carry Azure's own taint: the exporter must tolerate it too.
    expect(values(releases(aks)['dcgm-exporter']).tolerations).toContainEqual({ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
  });

  test('every release is pinned to the version listed in ADDON_CHARTS and rolls back on failure', () => {
    const byName = releases(tf);
    expect(Object.keys(byName).sort()).toEqual(['aws-ebs-csi-driver', 'aws-efs-csi-driver', 'cluster-autoscaler', 'dcgm-exporter', 'ingress-nginx', 'kube-prometheus-stack']);
    const charts = Object.values(ADDON_CHARTS);
    for (const release of Object.values<any>(byName)) {
      const chart = charts.find((c) => c.chart === release.chart)!;
      expect([release.repository, release.version]).toEqual([chart.repository, chart.version]);
      expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(release.atomic).toBe(true);
    }
  });

  test('values: Prometheus picks up every namespace\'s monitors and rules, Grafana loads labelled dashboards', () => {
    const stack = values(releases(tf)['kube-prometheus-stack']);
    expect(stack.prometheus.prometheusSpec).toMatchObject({ serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false, retention: '15d' });
    expect(stack.grafana.sidecar.dashboards).toEqual({ enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' });
  });

  test('Grafana gets a random admin password made once, not a Secret nobody creates nor the chart\'s public default', () => {
    const stack = values(releases(tf)['kube-prometheus-stack']);
    expect(stack.grafana.admin).toBeUndefined();
    const [secret] = releases(tf)['kube-prometheus-stack'].set_sensitive;
    expect(secret.name).toBe('grafana.adminPassword');
    const [password] = Object.values<any>(tf.resource.terraform_data);
    expect(secret.value).toMatch(/^\$\{terraform_data\.[^.]+\.output\}$/);
    expect(password.input).toBe('${sensitive(uuid())}');
    expect(password.lifecycle.ignore_changes).toEqual(['input']);
    const own = releases(build({ monitoring: { grafanaAdminSecret: 'mine' } }).read('addons'))['kube-prometheus-stack'];
    expect(values(own).grafana.admin).toEqual({ existingSecret: 'mine', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(own.set_sensitive).toBeUndefined();
  });

  test('EKS: the Cluster Autoscaler finds the cluster\'s node groups and runs as the service account its Pod Identity names', () => {
    const autoscaler = values(releases(tf)['cluster-autoscaler']);
    expect(releases(tf)['cluster-autoscaler'].namespace).toBe('kube-system');
    expect(autoscaler).toMatchObject({ cloudProvider: 'aws', awsRegion: 'us-east-1', autoDiscovery: { clusterName: 'c' }, rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler' } }, image: { tag: 'v1.33.0' } });
    const association = resources(build().read('cluster'), 'aws_eks_pod_identity_association')[0];
    expect(association).toMatchObject({ namespace: 'kube-system', service_account: 'cluster-autoscaler' });
    // AKS scales its pools itself.
    expect(releases(build({}, 'aks').read('addons'))['cluster-autoscaler']).toBeUndefined();
  });

  test('values: the ingress controller is internal and scraped; the DCGM exporter runs on GPU nodes only', () => {
    const ingress = values(releases(tf)['ingress-nginx']).controller;
    expect(ingress.service.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internal');
    expect(ingress.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
    expect(ingress.allowSnippetAnnotations).toBe(false);
    const dcgm = values(releases(tf)['dcgm-exporter']);
    expect(dcgm.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([{ key: 'ml-platform.io/accelerator', operator: 'Exists' }]);
  });

  test('JobSet and Kueue only when asked; JobSet is asked for when a training job uses it', () => {
    expect(Object.keys(releases(build({ jobset: true, kueue: true }).read('addons'))).sort()).toEqual(['aws-ebs-csi-driver', 'aws-efs-csi-driver', 'cluster-autoscaler', 'dcgm-exporter', 'ingress-nginx', 'jobset', 'kube-prometheus-stack', 'kueue']);
    const k8s = new K8sApp();
    const { profile } = new EksCluster(new TerraformStack(new App(), 's'), 'c', { name: 'c', region: 'r', subnetIds: ['a', 'b'], admins: ['x'] });
    const chart = new Chart(k8s, 'jobs');
    new TfTrainingJob(chart, 'j', { namespace: 'ns', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, cluster: profile });
    expect(usesTrainingBackend(k8s, TrainingBackend.JOBSET, 'c')).toBe(false);
    new TfTrainingJob(chart, 'k', { namespace: 'ns', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, cluster: profile, backend: TrainingBackend.JOBSET });
    expect(usesTrainingBackend(k8s, TrainingBackend.JOBSET, 'c')).toBe(true);
  });

  test('the cluster stack needs no helm provider, so it still plans with the cloud provider alone', () => {
    const clusterStack = build().read('cluster');
    expect(Object.keys(clusterStack.provider)).toEqual(['aws']);
    expect(Object.keys(clusterStack.terraform.required_providers)).toEqual(['aws']);
  });

  test('fails when the retention is not a duration', () => {
    expect(synthError((app) => {
      const stack = new TerraformStack(app, 'c');
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const cluster = new EksCluster(stack, 'eks', { name: 'c', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
      new ClusterAddons(new TerraformStack(app, 'addons'), 'addons', { cluster, monitoring: { retention: 'two weeks' } });
    })).toContain('[addons/addons] RETENTION_INVALID');
  });
});
