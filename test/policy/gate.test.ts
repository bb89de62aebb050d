import { ApiObject, App as K8sApp, Chart, JsonPatch } from 'cdk8s';
import { App, TerraformResource } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import {
  collectValidationErrors, collectWarnings, POLICY_RULES, PolicyRuleId, synthPlatform, waivePolicy,
} from '../../lib';
import { collectWaivers } from '../../lib/policy/gate';
import { inventory, summaryText } from '../../lib/report';

/** The clean default example, built but not written, with handles to plant violations. */
function cleanExample() {
  const terraform = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-gate-tf-')) });
  const kubernetes = new K8sApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-gate-k8s-')) });
  const stacks = buildMultiCloud(terraform, kubernetes);
  const object = (kind: string, name: string, chart = 'ml-gke-team-vision') =>
    kubernetes.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === kind && c.name === name && c.node.path.startsWith(chart))!;
  const tf = (stack: string, type: string) =>
    terraform.node.findAll().find((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === type && c.node.path.startsWith(`${stack}/`))!;
  return { terraform, kubernetes, stacks, object, tf };
}

type Example = ReturnType<typeof cleanExample>;
const container = '/spec/template/spec/containers/0';
const serving = (e: Example) => e.object('Deployment', 'resnet-serving');

/** One planted violation per rule, through the escape hatches users have. */
const PLANTS: Record<PolicyRuleId, (e: Example) => void> = {
  POD_HOST_NAMESPACES: (e) => serving(e).addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true)),
  POD_PRIVILEGED: (e) => serving(e).addJsonPatch(JsonPatch.add(`${container}/securityContext/privileged`, true)),
  POD_HOST_PATH: (e) => serving(e).addJsonPatch(JsonPatch.add('/spec/template/spec/volumes/-', { name: 'host', hostPath: { path: '/var/run' } })),
  POD_VOLUME_TYPES: (e) => serving(e).addJsonPatch(JsonPatch.add('/spec/template/spec/volumes/-', { name: 'nfs', nfs: { server: 'nfs.local', path: '/models' } })),
  POD_PRIVILEGE_ESCALATION: (e) => serving(e).addJsonPatch(JsonPatch.replace(`${container}/securityContext/allowPrivilegeEscalation`, true)),
  POD_RUN_AS_NON_ROOT: (e) => serving(e).addJsonPatch(JsonPatch.replace(`${container}/securityContext/runAsNonRoot`, false)),
  POD_SECCOMP: (e) => serving(e).addJsonPatch(JsonPatch.remove('/spec/template/spec/securityContext/seccompProfile')),
  POD_CAPABILITIES: (e) => serving(e).addJsonPatch(JsonPatch.add(`${container}/securityContext/capabilities/add`, ['SYS_ADMIN'])),
  POD_RESOURCES: (e) => serving(e).addJsonPatch(JsonPatch.remove(`${container}/resources/limits/memory`)),
  POD_GPU_REQUEST_EQUALS_LIMIT: (e) => serving(e).addJsonPatch(JsonPatch.replace(`${container}/resources/requests/nvidia.com~1gpu`, '2')),
  POD_IMAGE_PINNED: (e) => serving(e).addJsonPatch(JsonPatch.replace(`${container}/image`, 'tensorflow/serving:latest')),
  POD_SERVICE_ACCOUNT: (e) => serving(e).addJsonPatch(JsonPatch.remove('/spec/template/spec/serviceAccountName')),
  POD_TOKEN_AUTOMOUNT: (e) => serving(e).addJsonPatch(JsonPatch.replace('/spec/template/spec/automountServiceAccountToken', true)),
  // A kind the gate cannot read: it fails closed instead of passing the pods unchecked.
  POD_KIND_UNREGISTERED: (e) => new ApiObject(e.kubernetes.node.findChild('ml-gke-team-vision') as Chart, 'pytorch', {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name: 'pytorch', namespace: 'team-vision' },
    spec: { pytorchReplicaSpecs: { Master: { template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1' }] } } } } },
  }),
  DEPLOYMENT_PROBES: (e) => serving(e).addJsonPatch(JsonPatch.remove(`${container}/livenessProbe`)),
  // The stable track alone runs 2+ pods once its autoscaler's minimum is raised.
  DEPLOYMENT_PDB: (e) => {
    e.object('HorizontalPodAutoscaler', 'resnet-serving').addJsonPatch(JsonPatch.replace('/spec/minReplicas', 2));
    e.object('PodDisruptionBudget', 'resnet-serving').addJsonPatch(JsonPatch.replace('/spec/selector/matchLabels', { app: 'something-else' }));
  },
  DEPLOYMENT_SPREAD: (e) => {
    e.object('HorizontalPodAutoscaler', 'resnet-serving').addJsonPatch(JsonPatch.replace('/spec/minReplicas', 2));
    serving(e).addJsonPatch(JsonPatch.remove('/spec/template/spec/topologySpreadConstraints'));
  },
  NAMESPACE_DEFAULT_DENY: (e) => e.object('NetworkPolicy', 'default-deny').addJsonPatch(JsonPatch.replace('/spec/policyTypes', ['Ingress'])),
  NAMESPACE_QUOTA: (e) => e.object('ResourceQuota', 'tenant-quota').addJsonPatch(JsonPatch.replace('/metadata/namespace', 'elsewhere')),
  RBAC_WILDCARD: (e) => e.object('Role', 'tenant-viewer').addJsonPatch(JsonPatch.add('/rules/-', { apiGroups: [''], resources: ['*'], verbs: ['get'] })),
  RBAC_CLUSTER_ADMIN: (e) => e.object('RoleBinding', 'tenant-editor').addJsonPatch(JsonPatch.replace('/roleRef', { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' })),
  CLUSTER_ENDPOINT: (e) => e.tf('ml-eks', 'aws_eks_cluster').addOverride('vpc_config.endpoint_public_access', true),
  CLUSTER_PRIVATE_NODES: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('private_cluster_config.enable_private_nodes', false),
  CLUSTER_WORKLOAD_IDENTITY: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('workload_identity_enabled', false),
  CLUSTER_SHIELDED_NODES: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('enable_shielded_nodes', false),
  CLUSTER_SECRETS_ENCRYPTION: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('database_encryption', { state: 'DECRYPTED' }),
  CLUSTER_NETWORK_POLICY: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('network_profile.network_policy', null),
  CLUSTER_UPGRADE_CHANNEL: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('release_channel.channel', 'UNSPECIFIED'),
  CLUSTER_DELETION_PROTECTION: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('deletion_protection', false),
  // Overrides merge arrays, so the list is dropped rather than shortened.
  CLUSTER_CONTROL_PLANE_LOGS: (e) => e.tf('ml-eks', 'aws_eks_cluster').addOverride('enabled_cluster_log_types', null),
  CLUSTER_LEGACY_AUTH: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('local_account_disabled', false),
  CLUSTER_AZURE_POLICY: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('azure_policy_enabled', false),
  CLUSTER_BINARY_AUTHORIZATION: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('binary_authorization', null),
  CLUSTER_RESOURCE_LABELS: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('resource_labels', null),
  CLUSTER_INTRANODE_VISIBILITY: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('enable_intranode_visibility', false),
  CLUSTER_GROUPS_RBAC: (e) => e.tf('ml-gke', 'google_container_cluster').addOverride('authenticator_groups_config', null),
  CLUSTER_MONITORING_AGENT: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('oms_agent', null),
  CLUSTER_DISK_ENCRYPTION: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('disk_encryption_set_id', null),
  CLUSTER_HOST_ENCRYPTION: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster_node_pool').addOverride('host_encryption_enabled', false),
  CLUSTER_MAX_PODS: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('default_node_pool.max_pods', 30),
  CLUSTER_SECRETS_STORE_ROTATION: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster').addOverride('key_vault_secrets_provider', null),
  CLUSTER_EPHEMERAL_OS_DISK: (e) => e.tf('ml-aks', 'azurerm_kubernetes_cluster_node_pool').addOverride('os_disk_type', 'Managed'),
};

const codes = (messages: readonly string[]) => [...new Set(messages.flatMap((m) => m.match(/POLICY_[A-Z_]+/g) ?? []))].sort();
const findings = (e: Example) => ({
  errors: [...collectValidationErrors(e.terraform), ...collectValidationErrors(e.kubernetes)],
  // Warnings come from the evaluation the validation pass just made.
  warnings: [e.terraform, e.kubernetes].flatMap((app) => collectWarnings(app)),
});

describe('policy gate', () => {
  test('the clean default example passes with zero waivers and no policy warnings', () => {
    const e = cleanExample();
    const { errors, warnings } = findings(e);
    expect(errors).toEqual([]);
    expect(codes(warnings)).toEqual([]);
    expect(collectWaivers(e.terraform)).toEqual([]);
    expect(collectWaivers(e.kubernetes)).toEqual([]);
  });

  test('every rule has a planted violation below', () => {
    expect(Object.keys(PLANTS).sort()).toEqual(Object.keys(POLICY_RULES).sort());
  });

  test.each(Object.keys(PLANTS) as PolicyRuleId[])('a planted %s is reported as exactly that rule', (rule) => {
    const e = cleanExample();
    PLANTS[rule](e);
    const { errors, warnings } = findings(e);
    const reported = POLICY_RULES[rule].severity === 'error' ? errors : warnings;
    expect(codes(reported)).toEqual([`POLICY_${rule}`]);
    expect(codes(POLICY_RULES[rule].severity === 'error' ? warnings : errors)).toEqual([]);
    expect(reported.join('\n')).toMatch(/Received: .*\. Fix: .+waivePolicy\(scope, '[A-Z_]+', '<reason>'\)/);
  });

  test('a waiver with a reason lets synth pass and shows in the summary', () => {
    const e = cleanExample();
    PLANTS.POD_TOKEN_AUTOMOUNT(e);
    waivePolicy(serving(e), 'POD_TOKEN_AUTOMOUNT', 'the serving sidecar reads its own ConfigMap through the API');
    const { waivers } = synthPlatform({ terraform: e.terraform, kubernetes: e.kubernetes });
    expect(waivers).toEqual([expect.stringMatching(/^POD_TOKEN_AUTOMOUNT at ml-gke-team-vision\/resnet-serving\/stable-deployment: the serving sidecar reads/)]);
    expect(summaryText(inventory(e), [], waivers)).toContain('Waivers (1):\n  POD_TOKEN_AUTOMOUNT at ml-gke-team-vision/resnet-serving/stable-deployment');
  });

  test('fails when a waiver gives no reason or names no rule', () => {
    const e = cleanExample();
    waivePolicy(serving(e), 'POD_TOKEN_AUTOMOUNT', 'because');
    waivePolicy(serving(e), 'NOT_A_RULE' as PolicyRuleId, 'a long enough reason that names nothing');
    const errors = collectValidationErrors(e.kubernetes).join('\n');
    expect(errors).toContain('WAIVER_REASON_MISSING');
    expect(errors).toContain('WAIVER_RULE_UNKNOWN');
  });
});

describe('policy documentation', () => {
  test('the README lists every rule of the gate', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const missing = Object.keys(POLICY_RULES).filter((id) => !readme.includes(`| \`${id}\` |`));
    expect(missing).toEqual([]);
  });
});
