/** The policy rules the gate enforces on everything the library synthesizes. */
export interface PolicyRule {
  /** Stable id, used in waivers. */
  readonly id: string;
  readonly title: string;
  /** Why the rule exists. */
  readonly rationale: string;
  readonly fix: string;
  /** The public checks it corresponds to (CIS, checkov, kube-score). */
  readonly references: readonly string[];
  /** Warnings are reported; errors stop synth. */
  readonly severity: 'error' | 'warning';
}

const rule = (id: string, title: string, rationale: string, fix: string, references: string[], severity: 'error' | 'warning' = 'error'): PolicyRule =>
  ({ id, title, rationale, fix, references, severity });

const PSS = 'Pod Security Standards "restricted"';

/** Every rule, by id. */
export const POLICY_RULES = {
  // Pod templates
  POD_HOST_NAMESPACES: rule('POD_HOST_NAMESPACES', 'No host network, PID or IPC namespace', 'Sharing host namespaces lets a pod see and reach what belongs to the node.', 'remove hostNetwork, hostPID and hostIPC.', [PSS, 'CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19']),
  POD_PRIVILEGED: rule('POD_PRIVILEGED', 'No privileged containers', 'A privileged container is root on the node.', 'remove securityContext.privileged.', [PSS, 'CKV_K8S_16']),
  POD_HOST_PATH: rule('POD_HOST_PATH', 'No hostPath volumes or host ports', 'Host paths and ports break the isolation between pod and node.', 'use emptyDir, a PVC or a Service instead.', [PSS]),
  POD_VOLUME_TYPES: rule('POD_VOLUME_TYPES', 'Only restricted volume types', 'Other volume types reach storage outside the pod\'s identity.', 'use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim.', [PSS]),
  POD_PRIVILEGE_ESCALATION: rule('POD_PRIVILEGE_ESCALATION', 'allowPrivilegeEscalation: false', 'setuid binaries could otherwise gain privileges.', 'set securityContext.allowPrivilegeEscalation: false on every container.', [PSS, 'CKV_K8S_20']),
  POD_RUN_AS_NON_ROOT: rule('POD_RUN_AS_NON_ROOT', 'Run as non-root', 'Root in a container is one kernel bug away from root on the node.', 'set runAsNonRoot: true (pod or container) and a non-zero runAsUser.', [PSS, 'CKV_K8S_23']),
  POD_SECCOMP: rule('POD_SECCOMP', 'RuntimeDefault seccomp profile', 'Without seccomp every syscall is reachable.', 'set seccompProfile.type: RuntimeDefault on the pod.', [PSS, 'CKV_K8S_31']),
  POD_CAPABILITIES: rule('POD_CAPABILITIES', 'Drop ALL capabilities', 'Default capabilities include raw sockets and file ownership changes.', 'set capabilities.drop: [ALL] and add only NET_BIND_SERVICE.', [PSS, 'CKV_K8S_28', 'CKV_K8S_37']),
  POD_RESOURCES: rule('POD_RESOURCES', 'CPU and memory requests and limits', 'Unbounded pods starve their neighbours and defeat quotas.', 'set requests and limits for cpu and memory on every container.', ['kube-score container-resources', 'CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13']),
  POD_GPU_REQUEST_EQUALS_LIMIT: rule('POD_GPU_REQUEST_EQUALS_LIMIT', 'GPU request equals limit', 'Extended resources cannot be overcommitted; Kubernetes rejects a request that differs from the limit.', 'set nvidia.com/gpu to the same whole number in requests and limits.', ['Kubernetes extended resources']),
  POD_IMAGE_PINNED: rule('POD_IMAGE_PINNED', 'Images pinned by tag or digest', 'A floating tag runs different code on every pull.', 'use a version tag other than latest, or a digest.', ['kube-score container-image-tag', 'CKV_K8S_14', 'CKV_K8S_43']),
  POD_SERVICE_ACCOUNT: rule('POD_SERVICE_ACCOUNT', 'A service account other than default', 'Shared default accounts accumulate permissions nobody meant to give this workload.', 'run the pod as its own ServiceAccount.', ['CKV_K8S_41']),
  POD_TOKEN_AUTOMOUNT: rule('POD_TOKEN_AUTOMOUNT', 'No automounted API token unless declared', 'A mounted token lets anyone who gets into the container call the API server.', 'set automountServiceAccountToken: false, or waive the rule for a workload that needs the API.', ['CKV_K8S_38']),
  POD_KIND_UNREGISTERED: rule('POD_KIND_UNREGISTERED', 'Pod-bearing kinds are registered', 'The gate cannot check the pods of a kind it does not know how to read, so it fails closed.', 'register the kind with WorkloadKinds.register({ group, kind, resource, podTemplates }), or waive the rule with the reason its pods are safe.', ['Pod Security Standards: every pod is checked']),
  // Deployments
  DEPLOYMENT_PROBES: rule('DEPLOYMENT_PROBES', 'Readiness and liveness probes that differ', 'Identical probes restart pods that are only busy; missing ones route traffic to pods that cannot answer.', 'add a readiness probe for "can serve" and a different liveness probe for "is alive".', ['kube-score pod-probes', 'kube-score pod-probes-identical']),
  DEPLOYMENT_PDB: rule('DEPLOYMENT_PDB', 'A PodDisruptionBudget at 2+ replicas', 'Node drains could otherwise evict every replica at once.', 'add a PodDisruptionBudget selecting the pods.', ['kube-score deployment-has-poddisruptionbudget']),
  DEPLOYMENT_SPREAD: rule('DEPLOYMENT_SPREAD', 'Replicas spread over nodes at 2+ replicas', 'Replicas on one node fail together.', 'add topologySpreadConstraints or pod anti-affinity on kubernetes.io/hostname.', ['kube-score deployment-has-host-podantiaffinity']),
  // Namespaces
  NAMESPACE_DEFAULT_DENY: rule('NAMESPACE_DEFAULT_DENY', 'Default-deny NetworkPolicy in every tenant namespace', 'Without it every pod accepts and makes any connection.', 'add a NetworkPolicy with an empty podSelector and both policy types, or use Tenant.', ['kube-score pod-networkpolicy', 'CIS Kubernetes 5.3.2']),
  NAMESPACE_QUOTA: rule('NAMESPACE_QUOTA', 'ResourceQuota in every tenant namespace', 'One team could take the whole cluster, GPUs included.', 'add a ResourceQuota, or use Tenant.', ['CIS Kubernetes: namespaces and quotas']),
  // RBAC
  RBAC_WILDCARD: rule('RBAC_WILDCARD', 'No wildcards in roles', '"*" grants every resource and verb, including those added later.', 'list API groups, resources and verbs explicitly.', ['CIS Kubernetes: minimize wildcard use in roles', 'CKV_K8S_49']),
  RBAC_CLUSTER_ADMIN: rule('RBAC_CLUSTER_ADMIN', 'No cluster-admin bindings for tenants', 'cluster-admin in a tenant namespace is every tenant\'s data.', 'bind the tenant roles instead.', ['CIS Kubernetes: cluster-admin only where required']),
  // Clusters
  CLUSTER_ENDPOINT: rule('CLUSTER_ENDPOINT', 'Private or CIDR-restricted API endpoint', 'A public API server is scanned and attacked around the clock.', 'keep the endpoint private, or list authorized networks other than 0.0.0.0/0.', ['CIS GKE: private endpoint / authorized networks', 'CKV_GCP_20', 'CKV_AWS_38', 'CKV_AWS_39', 'CKV_AZURE_6', 'CKV_AZURE_115']),
  CLUSTER_PRIVATE_NODES: rule('CLUSTER_PRIVATE_NODES', 'Private nodes', 'Nodes with public addresses are reachable from the internet.', 'enable private nodes; do not give node pools public IPs or SSH access.', ['CIS GKE: private nodes', 'CKV_GCP_64', 'CKV_AWS_100']),
  CLUSTER_WORKLOAD_IDENTITY: rule('CLUSTER_WORKLOAD_IDENTITY', 'Workload identity', 'Without it pods borrow the node\'s cloud identity.', 'enable Workload Identity (GKE, with GKE_METADATA on pools), an OIDC provider (EKS), or workload identity with the OIDC issuer (AKS).', ['CIS GKE: Workload Identity', 'CKV_GCP_69']),
  CLUSTER_SHIELDED_NODES: rule('CLUSTER_SHIELDED_NODES', 'Shielded nodes with secure boot', 'Boot-level malware survives node restarts.', 'enable shielded nodes, secure boot and integrity monitoring.', ['CIS GKE: shielded nodes', 'CKV_GCP_71', 'CKV_GCP_68']),
  CLUSTER_SECRETS_ENCRYPTION: rule('CLUSTER_SECRETS_ENCRYPTION', 'Secrets encrypted with a customer key', 'etcd backups otherwise hold Secrets under keys you do not control.', 'configure a KMS key for Secrets.', ['CIS GKE: application-layer secrets encryption', 'CKV_AWS_58'], 'warning'),
  CLUSTER_NETWORK_POLICY: rule('CLUSTER_NETWORK_POLICY', 'NetworkPolicy enforced', 'Unenforced NetworkPolicies are silently ignored.', 'use Dataplane V2 (GKE, with a network_policy block that stays disabled), the VPC CNI with enableNetworkPolicy (EKS) or a network policy engine (AKS).', ['CIS GKE: network policy', 'CKV_GCP_12', 'CKV_AZURE_7']),
  CLUSTER_UPGRADE_CHANNEL: rule('CLUSTER_UPGRADE_CHANNEL', 'An upgrade channel', 'Clusters without one fall behind on security patches.', 'set a release channel (GKE) or an automatic upgrade channel (AKS).', ['CIS GKE: release channel']),
  CLUSTER_DELETION_PROTECTION: rule('CLUSTER_DELETION_PROTECTION', 'Deletion protection', 'One terraform destroy should not delete a production cluster.', 'set deletion protection on.', ['Terraform: deletion_protection']),
  CLUSTER_CONTROL_PLANE_LOGS: rule('CLUSTER_CONTROL_PLANE_LOGS', 'Control-plane logs', 'Audit and API server logs are what an incident review reads.', 'enable API server, audit, authenticator, controller-manager and scheduler logs.', ['CIS GKE: logging', 'CKV_AWS_37']),
  CLUSTER_LEGACY_AUTH: rule('CLUSTER_LEGACY_AUTH', 'No legacy authentication', 'Legacy ABAC, client certificates and local accounts bypass the identity provider.', 'disable legacy ABAC and client certificates (GKE) and local accounts with Entra ID RBAC (AKS).', ['CKV_GCP_7', 'CKV_GCP_13', 'CKV_AZURE_141', 'CKV_AZURE_5']),
  CLUSTER_AZURE_POLICY: rule('CLUSTER_AZURE_POLICY', 'Azure Policy add-on', 'Azure Policy enforces the organisation\'s guardrails inside the cluster.', 'enable azure_policy_enabled.', ['CKV_AZURE_116']),
  CLUSTER_BINARY_AUTHORIZATION: rule('CLUSTER_BINARY_AUTHORIZATION', 'Binary Authorization', 'Only images the project\'s policy admits should run.', 'keep binaryAuthorization on GkeCluster: it enforces the project\'s policy.', ['CKV_GCP_66']),
  CLUSTER_RESOURCE_LABELS: rule('CLUSTER_RESOURCE_LABELS', 'Resource labels on the cluster', 'Unlabelled clusters cannot be traced to an owner or a bill.', 'set resourceLabels on GkeCluster (managed-by is always there).', ['CKV_GCP_21']),
  CLUSTER_INTRANODE_VISIBILITY: rule('CLUSTER_INTRANODE_VISIBILITY', 'Intranode visibility', 'Pod-to-pod traffic on one node otherwise bypasses VPC flow logs and firewall rules.', 'keep enable_intranode_visibility on.', ['CKV_GCP_61']),
  CLUSTER_GROUPS_RBAC: rule('CLUSTER_GROUPS_RBAC', 'Google Groups for RBAC', 'Binding groups instead of people keeps access in the identity provider.', 'set rbacSecurityGroup on GkeCluster to your gke-security-groups@ group.', ['CKV_GCP_65'], 'warning'),
  CLUSTER_MONITORING_AGENT: rule('CLUSTER_MONITORING_AGENT', 'Monitoring agent', 'Without it node and container logs and metrics go nowhere.', 'keep the oms_agent block AksCluster writes (it uses logAnalyticsWorkspaceId or the workspace it creates).', ['CKV_AZURE_4']),
  CLUSTER_DISK_ENCRYPTION: rule('CLUSTER_DISK_ENCRYPTION', 'Node disks encrypted with a customer key', 'Platform-managed keys cannot be revoked by you.', 'set diskEncryptionSetId on AksCluster.', ['CKV_AZURE_117'], 'warning'),
  CLUSTER_HOST_ENCRYPTION: rule('CLUSTER_HOST_ENCRYPTION', 'Encryption at host', 'Temp disks and disk caches are otherwise stored unencrypted on the host.', 'keep hostEncryption on (register Microsoft.Compute/EncryptionAtHost on the subscription).', ['CKV_AZURE_227']),
  CLUSTER_MAX_PODS: rule('CLUSTER_MAX_PODS', 'At least 50 pods per node', 'Too few pod slots strand a node\'s CPU and memory and defeat bin-packing.', 'set maxPodsPerNode to 50 or more.', ['CKV_AZURE_168']),
  CLUSTER_SECRETS_STORE_ROTATION: rule('CLUSTER_SECRETS_STORE_ROTATION', 'Key Vault secrets provider with rotation', 'Secrets mounted from Key Vault must follow rotations there.', 'keep key_vault_secrets_provider with secret_rotation_enabled.', ['CKV_AZURE_172']),
  CLUSTER_EPHEMERAL_OS_DISK: rule('CLUSTER_EPHEMERAL_OS_DISK', 'Ephemeral OS disks', 'Ephemeral disks leave no OS disk behind and reimage faster.', 'keep ephemeralOsDisks on, with VM sizes that have a local disk (a "d" in the size name).', ['CKV_AZURE_226'], 'warning'),
} as const satisfies Record<string, PolicyRule>;

export type PolicyRuleId = keyof typeof POLICY_RULES;
