import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack } from 'cdktf';
import { Accelerator, AksCluster, AksClusterProps, AksGpuDriver, AksVnet, NodeLabels, waivePolicy } from '../../lib';
import { resource, resources, synthStack, synthStackError } from '../tf-helpers';

const BASE: AksClusterProps = {
  name: 'ml-aks',
  location: 'westeurope',
  resourceGroupName: 'rg',
  vnetSubnetId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes',
  nodeCidr: '10.20.0.0/20',
  tenantId: 'tenant',
  adminGroupObjectIds: ['admins'],
  logAnalyticsWorkspaceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs',
};

function aks(stack: TerraformStack, props: Partial<AksClusterProps> = {}): AksCluster {
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  return new AksCluster(stack, 'aks', { ...BASE, ...props });
}

describe('AksCluster', () => {
  test('private, Entra ID RBAC without local accounts, network policy, workload identity, upgrades, Azure Policy', () => {
    const tf = synthStack((stack) => aks(stack));
    expect(resource(tf, 'azurerm_kubernetes_cluster')).toMatchObject({
      private_cluster_enabled: true,
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true, tenant_id: 'tenant', admin_group_object_ids: ['admins'] },
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      azure_policy_enabled: true,
      automatic_upgrade_channel: 'patch',
      node_os_upgrade_channel: 'NodeImage',
      network_profile: { network_policy: 'cilium', network_data_plane: 'cilium', service_cidr: '10.96.0.0/16', dns_service_ip: '10.96.0.10', pod_cidr: '10.244.0.0/16' },
      default_node_pool: { name: 'system', only_critical_addons_enabled: true, auto_scaling_enabled: true, min_count: 2, max_count: 5 },
    });
  });

  test('a public API server is an explicit create-time choice; adding a range later leaves private_cluster_enabled alone', () => {
    const at = (ranges: string[]) => resource(synthStack((stack) => aks(stack, { privateCluster: false, authorizedIpRanges: ranges })), 'azurerm_kubernetes_cluster');
    const one = at(['203.0.113.0/24']);
    const two = at(['203.0.113.0/24', '198.51.100.0/24']);
    expect(one.private_cluster_enabled).toBe(false);
    expect(two.private_cluster_enabled).toBe(false);
    expect(two.api_server_access_profile).toEqual({ authorized_ip_ranges: ['203.0.113.0/24', '198.51.100.0/24'] });
  });

  test('KMS etcd encryption: the control plane runs as a user-assigned identity that holds Key Vault Crypto User before the cluster exists', () => {
    const tf = synthStack((stack) => aks(stack, { secretsEncryption: { keyId: 'https://kv.vault.azure.net/keys/k/1', keyVaultId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv' } }));
    const cluster = resource(tf, 'azurerm_kubernetes_cluster');
    const [identityId] = Object.keys(tf.resource.azurerm_user_assigned_identity);
    const [grantId, subnetGrantId] = Object.keys(tf.resource.azurerm_role_assignment);
    expect(cluster.identity).toEqual({ type: 'UserAssigned', identity_ids: [`\${azurerm_user_assigned_identity.${identityId}.id}`] });
    expect(cluster.key_management_service).toEqual({ key_vault_key_id: 'https://kv.vault.azure.net/keys/k/1', key_vault_network_access: 'Public' });
    expect(cluster.depends_on).toEqual([`azurerm_role_assignment.${grantId}`, `azurerm_role_assignment.${subnetGrantId}`]);
    expect(tf.resource.azurerm_role_assignment[subnetGrantId]).toMatchObject({ scope: BASE.vnetSubnetId, role_definition_name: 'Network Contributor' });
    expect(resource(tf, 'azurerm_role_assignment', 'key-access')).toMatchObject({
      scope: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
      role_definition_name: 'Key Vault Crypto User',
      principal_id: `\${azurerm_user_assigned_identity.${identityId}.principal_id}`,
    });
    expect(resource(synthStack((stack) => aks(stack)), 'azurerm_kubernetes_cluster').identity).toEqual({ type: 'SystemAssigned' });
  });

  test('AksVnet and an auto-created Log Analytics workspace: no invented ids needed', () => {
    let cluster!: AksCluster;
    const tf = synthStack((stack) => {
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      const network = new AksVnet(stack, 'net', { clusterName: 'ml-aks', location: 'westeurope', resourceGroupName: 'rg' });
      cluster = new AksCluster(stack, 'aks', { name: 'ml-aks', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: network.nodeSubnetId, nodeCidr: network.nodeCidr, tenantId: 't', adminGroupObjectIds: ['g'] });
    });
    expect(resource(tf, 'azurerm_subnet').address_prefixes).toEqual(['10.20.0.0/20']);
    expect(resource(tf, 'azurerm_kubernetes_cluster').default_node_pool.vnet_subnet_id).toMatch(/^\$\{azurerm_subnet\./);
    const [workspace] = Object.keys(tf.resource.azurerm_log_analytics_workspace);
    expect(resource(tf, 'azurerm_log_analytics_workspace')).toMatchObject({ name: 'ml-aks-logs', retention_in_days: 30 });
    expect(resource(tf, 'azurerm_monitor_diagnostic_setting').log_analytics_workspace_id).toBe(`\${azurerm_log_analytics_workspace.${workspace}.id}`);
    expect(resource(tf, 'azurerm_kubernetes_cluster').oms_agent).toEqual({ log_analytics_workspace_id: `\${azurerm_log_analytics_workspace.${workspace}.id}`, msi_auth_for_monitoring_enabled: true });
    expect(cluster.profile.facts.objectStores).toEqual([{ scheme: 'az', csiDriver: 'blob.csi.azure.com' }]);
  });

  test('benchmark rows: Blob CSI driver, secrets store rotation, max pods, ephemeral OS disks, encryption at host on every pool', () => {
    const tf = synthStack((stack) => { aks(stack).addNodePool('cpu', { machineType: 'Standard_D8ds_v5', maxNodes: 3 }); });
    const cluster = resource(tf, 'azurerm_kubernetes_cluster');
    expect(cluster.storage_profile).toEqual({ blob_driver_enabled: true });
    expect(cluster.key_vault_secrets_provider).toEqual({ secret_rotation_enabled: true, secret_rotation_interval: '2m' });
    for (const pool of [cluster.default_node_pool, resource(tf, 'azurerm_kubernetes_cluster_node_pool')]) {
      expect(pool).toMatchObject({ max_pods: 110, os_disk_type: 'Ephemeral', host_encryption_enabled: true });
    }
    let cluster2!: AksCluster;
    const off = synthStack((stack) => {
      cluster2 = aks(stack, { objectStorageCsiDriver: false, ephemeralOsDisks: false, hostEncryption: false });
      waivePolicy(cluster2, 'CLUSTER_HOST_ENCRYPTION', 'the subscription has not registered EncryptionAtHost yet');
    });
    expect(resource(off, 'azurerm_kubernetes_cluster').storage_profile).toEqual({ blob_driver_enabled: false });
    expect(resource(off, 'azurerm_kubernetes_cluster').default_node_pool).toMatchObject({ os_disk_type: 'Managed', host_encryption_enabled: false });
    expect(cluster2.profile.facts.objectStores).toEqual([]);
  });

  test('user pools rotate through a temporary pool when the VM size, disk or zones change', () => {
    const tf = synthStack((stack) => { aks(stack).addGpuPool('t4spot', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, spot: true }); });
    expect(resource(tf, 'azurerm_kubernetes_cluster_node_pool').temporary_name_for_rotation).toBe('t4spottmp');
    expect(resources(tf, 'azurerm_kubernetes_cluster_node_pool')).toHaveLength(1);
  });

  test('GPU pool: VM size from the accelerator, GPU taint, labels, explicit driver', () => {
    const tf = synthStack((stack) => { aks(stack).addGpuPool('a100', { accelerator: Accelerator.NVIDIA_A100_80GB, gpusPerNode: 2, maxNodes: 2 }); });
    const pool = resource(tf, 'azurerm_kubernetes_cluster_node_pool');
    expect(pool).toMatchObject({
      name: 'a100',
      mode: 'User',
      vm_size: 'Standard_NC48ads_A100_v4',
      gpu_driver: 'Install',
      priority: 'Regular',
      min_count: 0,
      max_count: 2,
      auto_scaling_enabled: true,
      node_taints: ['nvidia.com/gpu=present:NoSchedule'],
      node_labels: { [NodeLabels.ACCELERATOR]: 'nvidia-a100-80gb', [NodeLabels.POOL]: 'a100' },
    });
  });

  test('spot GPU pool: eviction policy, Azure\'s spot taint declared, no surge settings', () => {
    const tf = synthStack((stack) => { aks(stack).addGpuPool('t4spot', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 4, spot: true, driver: AksGpuDriver.NONE }); });
    const pool = resource(tf, 'azurerm_kubernetes_cluster_node_pool');
    expect(pool).toMatchObject({ priority: 'Spot', eviction_policy: 'Delete', spot_max_price: -1, gpu_driver: 'None', vm_size: 'Standard_NC4as_T4_v3' });
    expect(pool.node_taints).toEqual([
      'nvidia.com/gpu=present:NoSchedule',
      'ml-platform.io/spot=true:NoSchedule',
      'kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
    ]);
    expect(pool.upgrade_settings).toBeUndefined();
    // Azure labels spot nodes too; without the label in the config every plan shows a diff.
    expect(pool.node_labels['kubernetes.azure.com/scalesetpriority']).toBe('spot');
  });

  test('profile: AKS needs the device plugin and explicit GPU tolerations', () => {
    let cluster!: AksCluster;
    synthStack((stack) => {
      cluster = aks(stack);
      cluster.addNodePool('cpu', { machineType: 'Standard_D8ds_v5', maxNodes: 3 });
      cluster.addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, spot: true });
    });
    const profile = cluster.profile;
    expect(profile.capabilities).toMatchObject({ devicePluginRequired: true, extendedResourceToleration: false, managedGpuDrivers: true });
    const placement = profile.placementFor(Accelerator.NVIDIA_T4, { allowSpot: true })!;
    expect(placement.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-t4' });
    expect(placement.tolerations).toEqual(expect.arrayContaining([
      { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      { key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
    ]));
    expect(profile.placementFor(Accelerator.NVIDIA_T4)).toBeUndefined();
  });

  test('pools can be pinned to availability zones; a zone AKS does not have is refused', () => {
    const tf = synthStack((stack) => { aks(stack).addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, maxNodes: 2, zones: ['1', '3'] }); });
    expect(resource(tf, 'azurerm_kubernetes_cluster_node_pool').zones).toEqual(['1', '3']);
    expect(synthStackError((stack) => aks(stack).addNodePool('cpu', { machineType: 'Standard_D4ds_v5', maxNodes: 1, zones: ['westeurope-1'] }))).toContain('POOL_ZONE_INVALID');
  });

  test('credentials go through Entra ID', () => {
    synthStack((stack) => {
      expect(aks(stack).credentialsCommand()).toBe('az aks get-credentials --resource-group rg --name ml-aks && kubelogin convert-kubeconfig -l azurecli');
    });
  });

  describe('fails when', () => {
    test('a pool name is longer than AKS allows', () => {
      const message = synthStackError((stack) => aks(stack).addNodePool('cpu', { name: 'generalpurpose', machineType: 'Standard_D4ds_v5', maxNodes: 1 }));
      expect(message).toContain('POOL_NAME_INVALID: "generalpurpose" is not a valid AKS Linux node pool name (14 characters, limit 12).');
    });

    test('AKS does not offer the accelerator', () => {
      const message = synthStackError((stack) => aks(stack).addGpuPool('l4', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1 }));
      expect(message).toContain('ACCELERATOR_NOT_OFFERED: AKS does not offer NVIDIA L4');
    });

    test('the VM size carries another GPU', () => {
      const message = synthStackError((stack) => aks(stack).addGpuPool('t4', { accelerator: Accelerator.NVIDIA_T4, machineType: 'Standard_NC24ads_A100_v4', maxNodes: 1 }));
      expect(message).toContain('it comes with NVIDIA A100 80GB');
    });

    test('the machine type is not an Azure VM size', () => {
      expect(synthStackError((stack) => aks(stack).addNodePool('cpu', { machineType: 'm6i.large', maxNodes: 1 }))).toContain('MACHINE_TYPE_INVALID');
    });

    test('authorized ranges include the world', () => {
      expect(synthStackError((stack) => aks(stack, { privateCluster: false, authorizedIpRanges: ['10.0.0.0/8', '0.0.0.0/0'] }))).toContain('CIDR_OPEN_TO_WORLD');
    });

    test('authorized ranges are given without choosing a public API server', () => {
      const message = synthStackError((stack) => aks(stack, { authorizedIpRanges: ['203.0.113.0/24'] }));
      expect(message).toContain('AKS_ENDPOINT_CHOICE: authorizedIpRanges apply to a public API server, and whether the cluster is private is fixed at creation');
      expect(message).toContain('set privateCluster: false');
    });

    test('a public API server has no authorized ranges', () => {
      expect(synthStackError((stack) => aks(stack, { privateCluster: false }))).toContain('PUBLIC_ENDPOINT_UNRESTRICTED: A public API server needs authorizedIpRanges');
    });

    test('the service range overlaps the node subnet', () => {
      expect(synthStackError((stack) => aks(stack, { serviceCidr: '10.20.0.0/16' }))).toContain('CIDR_OVERLAP: The service CIDR overlaps the node CIDR');
    });

    test('a CIDR has host bits set', () => {
      const message = synthStackError((stack) => aks(stack, { podCidr: '10.244.1.0/16' }));
      expect(message).toContain('CIDR_INVALID: The pod CIDR is not a valid IPv4 block. Received: "10.244.1.0/16"');
    });

    test('no admin group is given', () => {
      expect(synthStackError((stack) => aks(stack, { adminGroupObjectIds: [] }))).toContain('CLUSTER_NO_ADMIN');
    });

    test('the DNS prefix is invalid', () => {
      expect(synthStackError((stack) => aks(stack, { dnsPrefix: 'ml_aks' }))).toContain('DNS_PREFIX_INVALID');
    });

    test('a user label key is invalid', () => {
      expect(synthStackError((stack) => aks(stack).addNodePool('cpu', { machineType: 'Standard_D4ds_v5', maxNodes: 1, labels: { 'bad key': 'x' } }))).toContain('LABEL_INVALID');
    });
  });
});
