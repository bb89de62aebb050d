import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadKinds } from '../core/workload-kinds';
import * as k8s from '../imports/k8s';
import { kubeObject, lateKubeObject } from '../k8s/kube-object';
import type { TenantProps } from './tenant';

/** An RBAC rule beyond the built-in roles. */
export interface TenantRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

// Resources tenants manage besides the registered workload kinds, by API group.
const SUPPORT_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': ['services', 'configmaps', 'persistentvolumeclaims'],
  'autoscaling': ['horizontalpodautoscalers'],
  'policy': ['poddisruptionbudgets'],
  'networking.k8s.io': ['ingresses'],
  'monitoring.coreos.com': ['servicemonitors', 'podmonitors', 'prometheusrules'],
};
const GROUP_ORDER = ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'jobset.x-k8s.io', 'kubeflow.org', 'monitoring.coreos.com'];

/** What tenant editors manage: the workload kinds registered when the roles are written, then the support resources. */
function editorResources(): Array<[string, string[]]> {
  const byGroup = new Map<string, string[]>(GROUP_ORDER.map((group) => [group, []]));
  const add = (group: string, resources: readonly string[]) => byGroup.set(group, [...(byGroup.get(group) ?? []), ...resources]);
  for (const kind of WorkloadKinds.all()) if (kind.tenantEditable !== false) add(kind.group, [kind.resource]);
  for (const [group, resources] of Object.entries(SUPPORT_RESOURCES)) add(group, resources);
  return [...byGroup].filter(([, resources]) => resources.length > 0);
}
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];


/**
 * What the roles of a tenant are written from.
 * @internal
 */
export interface TenantRoleInputs {
  readonly props: Pick<TenantProps, 'editorGroups' | 'viewerGroups' | 'allowSecretsRead' | 'extraRules'>;
  /** Whether the tenant has a Kueue queue, whose objects its members may read. */
  readonly hasQueue: boolean;
  metadata(name: string): k8s.ObjectMeta;
}

/**
 * The least-privilege `tenant-editor` and `tenant-viewer` Roles, bound to the given groups; returns the Roles.
 * @internal
 */
export function emitTenantRoles(scope: Construct, tenant: TenantRoleInputs): Record<'editor' | 'viewer', ApiObject> {
  const { props } = tenant;
  const roles = {} as Record<'editor' | 'viewer', ApiObject>;
  // Why a job waits is on its Workload and LocalQueue; reading them is enough, Kueue writes them.
  const queueRules = tenant.hasQueue ? [{ apiGroups: ['kueue.x-k8s.io'], resources: ['localqueues', 'workloads'], verbs: READ }] : [];
  const editorRules = (): k8s.PolicyRule[] => [
    ...editorResources().map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: [...READ, ...WRITE] })),
    { apiGroups: [''], resources: ['pods/log', 'events', 'serviceaccounts'], verbs: READ },
    { apiGroups: [''], resources: ['secrets'], verbs: props.allowSecretsRead ? [...READ, ...WRITE] : WRITE },
    ...(props.extraRules ?? []).map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    ...queueRules,
  ];
  const viewerRules = (): k8s.PolicyRule[] => [
    ...editorResources().map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: READ })),
    { apiGroups: [''], resources: ['pods/log', 'events', 'serviceaccounts'], verbs: READ },
    ...queueRules,
  ];
  for (const [role, rules, groups] of [['editor', editorRules, props.editorGroups], ['viewer', viewerRules, props.viewerGroups]] as const) {
    // Workload kinds registered after the tenant is built are granted too.
    const toJson = (list: k8s.PolicyRule[] | undefined) => list?.map((r) => k8s.toJson_PolicyRule(r));
    roles[role] = lateKubeObject(scope, `role-${role}`, k8s.KubeRole.GVK, tenant.metadata(`tenant-${role}`), 'rules', toJson, rules);
    if (!groups || groups.length === 0) continue;
    kubeObject(scope, `binding-${role}`, k8s.KubeRoleBinding.GVK, k8s.toJson_KubeRoleBindingProps, {
      metadata: tenant.metadata(`tenant-${role}`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `tenant-${role}` },
      subjects: groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    });
  }
  return roles;
}
