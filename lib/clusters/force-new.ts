/**
 * Attributes of the resources the cluster constructs write whose change the provider cannot apply
 * in place, read from the providers' source at the pinned tags. `replace`: the resource is
 * destroyed and created again (ForceNew, or ForceNewIf in CustomizeDiff). `rotate`: AKS builds a
 * temporary pool, moves the nodes there and rebuilds the pool (every node is replaced, the
 * Terraform resource is not).
 *
 * GKE: hashicorp/terraform-provider-google v6.50.0, google/services/container/.
 * AKS: hashicorp/terraform-provider-azurerm v4.55.0, internal/services/containers/.
 * EKS: hashicorp/terraform-provider-aws internal/service/eks/node_group.go by attribute name (read
 * at a later commit, not at v5.100.0); `instance_types` and the tag's `tag` are confirmed by the
 * real 5.100.0 provider in test/e2e/eks-day2.test.ts. EFS and security groups: same provider,
 * internal/service/efs/ and internal/service/ec2/ (read at later commits).
 */
export interface ForceNewEntry {
  /** Dotted path in the Terraform JSON the constructs write (blocks as objects). */
  readonly path: string;
  readonly effect: 'replace' | 'rotate';
  /** Provider source file and line. */
  readonly source: string;
}

const GKE_CLUSTER = 'resource_container_cluster.go';
const GKE_POOL = 'resource_container_node_pool.go';
const GKE_NODE = 'node_config.go';
const AKS_CLUSTER = 'kubernetes_cluster_resource.go';
const AKS_POOL = 'kubernetes_cluster_node_pool_resource.go';
const AKS_NODEPOOL_SCHEMA = 'kubernetes_nodepool.go';
const EKS_NODE_GROUP = 'internal/service/eks/node_group.go';

const replace = (path: string, source: string): ForceNewEntry => ({ path, effect: 'replace', source });
const rotate = (path: string, source: string): ForceNewEntry => ({ path, effect: 'rotate', source });

/** node_config fields of a GKE pool that force a new pool (node_config.go, shared by cluster and pool). */
const GKE_NODE_CONFIG = [
  replace('node_config.guest_accelerator', `${GKE_NODE}:168`),
  replace('node_config.metadata', `${GKE_NODE}:371`),
  replace('node_config.oauth_scopes', `${GKE_NODE}:388`),
  replace('node_config.preemptible', `${GKE_NODE}:403`),
  replace('node_config.spot', `${GKE_NODE}:443`),
  replace('node_config.service_account', `${GKE_NODE}:452`),
  replace('node_config.shielded_instance_config', `${GKE_NODE}:474`),
  replace('node_config.boot_disk_kms_key', `${GKE_NODE}:569`),
];

/** Resource type → its attributes that cannot change in place. */
export const FORCE_NEW: Readonly<Record<string, readonly ForceNewEntry[]>> = {
  google_container_cluster: [
    replace('name', `${GKE_CLUSTER}:275`),
    replace('location', `${GKE_CLUSTER}:309`),
    replace('initial_node_count', `${GKE_CLUSTER}:1017`),
    replace('master_auth.client_certificate_config.issue_client_certificate', `${GKE_CLUSTER}:1353`),
    replace('network', `${GKE_CLUSTER}:1409`),
    replace('project', `${GKE_CLUSTER}:1540`),
    replace('subnetwork', `${GKE_CLUSTER}:1548`),
    replace('ip_allocation_policy.cluster_ipv4_cidr_block', `${GKE_CLUSTER}:1592`),
    replace('ip_allocation_policy.services_ipv4_cidr_block', `${GKE_CLUSTER}:1602`),
    replace('networking_mode', `${GKE_CLUSTER}:1697`),
    replace('private_cluster_config.enable_private_nodes', `${GKE_CLUSTER}:1783`),
    replace('private_cluster_config.master_ipv4_cidr_block', `${GKE_CLUSTER}:1792`),
    replace('default_max_pods_per_node', `${GKE_CLUSTER}:1872`),
    replace('datapath_provider', `${GKE_CLUSTER}:2055`),
    // The whole block is ForceNew (schemaNodeConfig); the constructs ignore it after creation.
    replace('node_config', `${GKE_NODE}:141`),
  ],
  google_container_node_pool: [
    replace('project', `${GKE_POOL}:75`),
    replace('cluster', `${GKE_POOL}:81`),
    replace('location', `${GKE_POOL}:88`),
    replace('max_pods_per_node', `${GKE_POOL}:242`),
    replace('initial_node_count', `${GKE_POOL}:295`),
    replace('name', `${GKE_POOL}:343`),
    ...GKE_NODE_CONFIG,
  ],
  azurerm_kubernetes_cluster: [
    replace('name', `${AKS_CLUSTER}:160`),
    replace('location', `${AKS_CLUSTER}:164`),
    replace('resource_group_name', `${AKS_CLUSTER}:166`),
    replace('disk_encryption_set_id', `${AKS_CLUSTER}:411`),
    replace('dns_prefix', `${AKS_CLUSTER}:418`),
    replace('network_profile.network_plugin', `${AKS_CLUSTER}:1061`),
    replace('network_profile.network_data_plane', `${AKS_CLUSTER}:98`),
    replace('network_profile.network_plugin_mode', `${AKS_CLUSTER}:107`),
    replace('network_profile.dns_service_ip', `${AKS_CLUSTER}:1098`),
    replace('network_profile.pod_cidr', `${AKS_CLUSTER}:1123`),
    replace('network_profile.service_cidr', `${AKS_CLUSTER}:1142`),
    replace('network_profile.load_balancer_sku', `${AKS_CLUSTER}:1161`),
    replace('private_cluster_enabled', `${AKS_CLUSTER}:1382`),
    replace('role_based_access_control_enabled', `${AKS_CLUSTER}:1410`),
    replace('default_node_pool.gpu_driver', `${AKS_NODEPOOL_SCHEMA}:106`),
    ...['host_encryption_enabled', 'max_pods', 'only_critical_addons_enabled', 'os_disk_size_gb', 'os_disk_type', 'vnet_subnet_id', 'vm_size', 'zones']
      .map((field) => rotate(`default_node_pool.${field}`, `${AKS_CLUSTER}:2589`)),
  ],
  azurerm_kubernetes_cluster_node_pool: [
    replace('name', `${AKS_POOL}:128`),
    replace('kubernetes_cluster_id', `${AKS_POOL}:135`),
    replace('eviction_policy', `${AKS_POOL}:174`),
    replace('gpu_driver', `${AKS_POOL}:206`),
    replace('os_type', `${AKS_POOL}:318`),
    replace('priority', `${AKS_POOL}:335`),
    replace('spot_max_price', `${AKS_POOL}:359`),
    ...['host_encryption_enabled', 'max_pods', 'os_disk_size_gb', 'os_disk_type', 'vm_size', 'vnet_subnet_id', 'zones']
      .map((field) => rotate(field, `${AKS_POOL}:960`)),
  ],
  aws_eks_node_group: ['ami_type', 'capacity_type', 'cluster_name', 'disk_size', 'instance_types', 'node_group_name', 'node_role_arn', 'subnet_ids']
    .map((field) => replace(field, EKS_NODE_GROUP)),
  aws_autoscaling_group_tag: [replace('autoscaling_group_name', 'internal/service/autoscaling/group_tag.go'), replace('tag', 'internal/service/autoscaling/group_tag.go')],
  // A new file system starts empty: every checkpoint on the old one is gone.
  aws_efs_file_system: ['creation_token', 'encrypted', 'kms_key_id', 'performance_mode'].map((field) => replace(field, 'internal/service/efs/file_system.go')),
  aws_efs_mount_target: ['file_system_id', 'subnet_id'].map((field) => replace(field, 'internal/service/efs/mount_target.go')),
  aws_security_group: ['name', 'description', 'vpc_id'].map((field) => replace(field, 'internal/service/ec2/vpc_security_group.go')),
};
