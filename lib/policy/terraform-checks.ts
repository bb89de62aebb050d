import { Finding } from './kubernetes-checks';
import { PolicyRuleId } from './rules';

const OPEN = ['0.0.0.0/0', '::/0'];
const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Terraform JSON resources: type → logical id → body. */
export type Resources = Record<string, Record<string, any>>;

const one = (value: any) => (Array.isArray(value) ? value[0] : value);

/** Every policy finding over one synthesized Terraform stack. */
export function terraformFindings(stack: { resource?: Resources }): Finding[] {
  const findings: Finding[] = [];
  const resources = stack.resource ?? {};
  const each = (type: string) => Object.entries(resources[type] ?? {}).map(([id, body]) => ({ id, body, path: body['//']?.metadata?.path ?? `${type}.${id}` }));
  const count = (type: string) => Object.keys(resources[type] ?? {}).length;

  for (const { id, body, path } of each('google_container_cluster')) {
    const add = (rule: PolicyRuleId, detail: string, received: unknown) => findings.push({ rule, path, subject: `google_container_cluster.${id}`, detail, received });
    const priv = one(body.private_cluster_config) ?? {};
    const cidrs = (one(body.master_authorized_networks_config)?.cidr_blocks ?? []).map((b: any) => b.cidr_block);
    if (cidrs.some((c: string) => OPEN.includes(c)) || (priv.enable_private_endpoint !== true && cidrs.length === 0)) add('CLUSTER_ENDPOINT', 'the control plane is reachable from anywhere', { private_endpoint: priv.enable_private_endpoint, authorized: cidrs });
    if (priv.enable_private_nodes !== true) add('CLUSTER_PRIVATE_NODES', 'nodes get public addresses', priv.enable_private_nodes);
    if (!one(body.workload_identity_config)?.workload_pool) add('CLUSTER_WORKLOAD_IDENTITY', 'Workload Identity is off', body.workload_identity_config);
    if (body.enable_shielded_nodes === false) add('CLUSTER_SHIELDED_NODES', 'shielded nodes are off', false);
    if (one(body.database_encryption)?.state !== 'ENCRYPTED') add('CLUSTER_SECRETS_ENCRYPTION', 'Secrets are not encrypted with a customer key', body.database_encryption);
    if (body.datapath_provider !== 'ADVANCED_DATAPATH' && one(body.network_policy)?.enabled !== true) add('CLUSTER_NETWORK_POLICY', 'NetworkPolicy is not enforced', body.datapath_provider);
    if (!['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'].includes(one(body.release_channel)?.channel)) add('CLUSTER_UPGRADE_CHANNEL', 'no release channel', body.release_channel);
    if (body.deletion_protection === false) add('CLUSTER_DELETION_PROTECTION', 'deletion protection is off', false);
    if (!(one(body.logging_config)?.enable_components ?? []).includes('APISERVER')) add('CLUSTER_CONTROL_PLANE_LOGS', 'API server logs are off', body.logging_config);
    if (one(body.binary_authorization)?.evaluation_mode !== 'PROJECT_SINGLETON_POLICY_ENFORCE' && one(body.binary_authorization)?.enabled !== true) add('CLUSTER_BINARY_AUTHORIZATION', 'Binary Authorization is off', body.binary_authorization);
    if (Object.keys(body.resource_labels ?? {}).length === 0) add('CLUSTER_RESOURCE_LABELS', 'the cluster has no resource labels', body.resource_labels);
    if (body.enable_intranode_visibility !== true) add('CLUSTER_INTRANODE_VISIBILITY', 'intranode visibility is off', body.enable_intranode_visibility);
    if (!one(body.authenticator_groups_config)?.security_group) add('CLUSTER_GROUPS_RBAC', 'RBAC cannot bind Google Groups', body.authenticator_groups_config);
    if (body.enable_legacy_abac === true || one(one(body.master_auth)?.client_certificate_config)?.issue_client_certificate === true) add('CLUSTER_LEGACY_AUTH', 'legacy ABAC or client certificates are on', { enable_legacy_abac: body.enable_legacy_abac, master_auth: body.master_auth });
  }
  for (const { id, body, path } of each('google_container_node_pool')) {
    const add = (rule: PolicyRuleId, detail: string, received: unknown) => findings.push({ rule, path, subject: `google_container_node_pool.${id}`, detail, received });
    const node = one(body.node_config) ?? {};
    if (one(node.workload_metadata_config)?.mode !== 'GKE_METADATA') add('CLUSTER_WORKLOAD_IDENTITY', 'the pool exposes the node\'s metadata to pods', node.workload_metadata_config);
    const shielded = one(node.shielded_instance_config) ?? {};
    if (shielded.enable_secure_boot !== true || shielded.enable_integrity_monitoring === false) add('CLUSTER_SHIELDED_NODES', 'secure boot or integrity monitoring is off', shielded);
  }

  for (const { id, body, path } of each('aws_eks_cluster')) {
    const add = (rule: PolicyRuleId, detail: string, received: unknown) => findings.push({ rule, path, subject: `aws_eks_cluster.${id}`, detail, received });
    const vpc = one(body.vpc_config) ?? {};
    const cidrs: string[] = vpc.public_access_cidrs ?? [];
    if (vpc.endpoint_public_access !== false && (cidrs.length === 0 || cidrs.some((c) => OPEN.includes(c)))) add('CLUSTER_ENDPOINT', 'the public API endpoint accepts the whole internet', { endpoint_public_access: vpc.endpoint_public_access, public_access_cidrs: cidrs });
    if (count('aws_iam_openid_connect_provider') === 0) add('CLUSTER_WORKLOAD_IDENTITY', 'no OIDC provider for IAM roles for service accounts', undefined);
    if (!(one(body.encryption_config)?.resources ?? []).includes('secrets')) add('CLUSTER_SECRETS_ENCRYPTION', 'Secrets are not encrypted with KMS', body.encryption_config);
    const cni = each('aws_eks_addon').find((a) => a.body.addon_name === 'vpc-cni');
    if (!/"enableNetworkPolicy"\s*:\s*"?true/.test(String(cni?.body.configuration_values ?? ''))) add('CLUSTER_NETWORK_POLICY', 'the VPC CNI does not enforce NetworkPolicy', cni?.body.configuration_values);
    const logs: string[] = body.enabled_cluster_log_types ?? [];
    const missing = EKS_LOG_TYPES.filter((t) => !logs.includes(t));
    if (missing.length > 0) add('CLUSTER_CONTROL_PLANE_LOGS', `control-plane logs missing: ${missing.join(', ')}`, logs);
  }
  for (const { id, body, path } of each('aws_eks_node_group')) {
    if (body.remote_access) findings.push({ rule: 'CLUSTER_PRIVATE_NODES', path, subject: `aws_eks_node_group.${id}`, detail: 'nodes accept SSH', received: body.remote_access });
  }

  for (const { id, body, path } of each('azurerm_kubernetes_cluster')) {
    const add = (rule: PolicyRuleId, detail: string, received: unknown) => findings.push({ rule, path, subject: `azurerm_kubernetes_cluster.${id}`, detail, received });
    const ranges: string[] = one(body.api_server_access_profile)?.authorized_ip_ranges ?? [];
    if (ranges.some((r) => OPEN.includes(r)) || (body.private_cluster_enabled !== true && ranges.length === 0)) add('CLUSTER_ENDPOINT', 'the API server is reachable from anywhere', { private_cluster_enabled: body.private_cluster_enabled, authorized_ip_ranges: ranges });
    if (one(body.default_node_pool)?.node_public_ip_enabled === true) add('CLUSTER_PRIVATE_NODES', 'system nodes get public addresses', true);
    if (body.oidc_issuer_enabled !== true || body.workload_identity_enabled !== true) add('CLUSTER_WORKLOAD_IDENTITY', 'workload identity or the OIDC issuer is off', { oidc_issuer_enabled: body.oidc_issuer_enabled, workload_identity_enabled: body.workload_identity_enabled });
    if (!body.key_management_service) findings.push({ rule: 'CLUSTER_SECRETS_ENCRYPTION', path, subject: `azurerm_kubernetes_cluster.${id}`, detail: 'Secrets are not encrypted with a Key Vault key', received: undefined, fix: 'set secretsEncryption on AksCluster.' });
    if (!one(body.network_profile)?.network_policy) add('CLUSTER_NETWORK_POLICY', 'no network policy engine', body.network_profile);
    if (!body.automatic_upgrade_channel || body.automatic_upgrade_channel === 'none') add('CLUSTER_UPGRADE_CHANNEL', 'no automatic upgrade channel', body.automatic_upgrade_channel);
    if (!each('azurerm_monitor_diagnostic_setting').some((d) => String(d.body.target_resource_id).includes(`azurerm_kubernetes_cluster.${id}.`))) findings.push({ rule: 'CLUSTER_CONTROL_PLANE_LOGS', path, subject: `azurerm_kubernetes_cluster.${id}`, detail: 'no diagnostic setting sends control-plane logs anywhere', received: undefined, fix: 'set logAnalyticsWorkspaceId on AksCluster.' });
    if (body.local_account_disabled !== true || body.role_based_access_control_enabled === false || !body.azure_active_directory_role_based_access_control) add('CLUSTER_LEGACY_AUTH', 'local accounts are on or Entra ID RBAC is off', { local_account_disabled: body.local_account_disabled });
    if (body.azure_policy_enabled !== true) add('CLUSTER_AZURE_POLICY', 'Azure Policy is off', body.azure_policy_enabled);
    if (!one(body.oms_agent)?.log_analytics_workspace_id) add('CLUSTER_MONITORING_AGENT', 'no monitoring agent', body.oms_agent);
    if (!body.disk_encryption_set_id) add('CLUSTER_DISK_ENCRYPTION', 'node disks use platform-managed keys', undefined);
    if (one(body.key_vault_secrets_provider)?.secret_rotation_enabled !== true) add('CLUSTER_SECRETS_STORE_ROTATION', 'no Key Vault secrets provider with rotation', body.key_vault_secrets_provider);
    aksPoolFindings(one(body.default_node_pool) ?? {}, add);
  }
  for (const { id, body, path } of each('azurerm_kubernetes_cluster_node_pool')) {
    const add = (rule: PolicyRuleId, detail: string, received: unknown) => findings.push({ rule, path, subject: `azurerm_kubernetes_cluster_node_pool.${id}`, detail, received });
    if (body.node_public_ip_enabled === true) add('CLUSTER_PRIVATE_NODES', 'nodes get public addresses', true);
    aksPoolFindings(body, add);
  }
  return findings;
}

/** The node settings an AKS system pool and user pool share. */
function aksPoolFindings(pool: Record<string, any>, add: (rule: PolicyRuleId, detail: string, received: unknown) => void): void {
  if (pool.host_encryption_enabled !== true) add('CLUSTER_HOST_ENCRYPTION', 'encryption at host is off', pool.host_encryption_enabled);
  if (typeof pool.max_pods !== 'number' || pool.max_pods < 50) add('CLUSTER_MAX_PODS', 'fewer than 50 pods per node, or the default left implicit', pool.max_pods);
  if (pool.os_disk_type !== 'Ephemeral') add('CLUSTER_EPHEMERAL_OS_DISK', 'OS disks are managed disks', pool.os_disk_type);
}
