import { IConstruct } from 'constructs';
import { CLUSTER_PROFILE_SHAPE, ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_LABEL } from '../core/names';
import { PropsShape } from '../core/props-shape';
import { parseQuantity } from '../core/quantities';
import { earlierWithSameKey } from '../core/duplicates';
import { Problem } from '../core/validation';
import type { TenantProps } from './tenant';

/** The shape of TenantProps, checked before anything is built. */
export const TENANT_PROPS_SHAPE: PropsShape = {
  name: 'string',
  cluster: CLUSTER_PROFILE_SHAPE,
  quota: {
    fields: {
      cpu: 'string', memory: 'string', gpus: 'number', gpusByPriorityClass: { mapOf: 'number' }, pods: 'number',
      persistentVolumeClaims: 'number', storage: 'string', loadBalancers: 'number',
    },
  },
  containerDefaults: { fields: { cpuRequest: 'string', cpuLimit: 'string', memoryRequest: 'string', memoryLimit: 'string' } },
  editorGroups: { arrayOf: 'string' },
  viewerGroups: { arrayOf: 'string' },
  allowSecretsRead: 'boolean',
  extraRules: { arrayOf: { fields: { apiGroups: { arrayOf: 'string' }, resources: { arrayOf: 'string' }, verbs: { arrayOf: 'string' } } } },
  identities: { mapOf: 'string' },
  ingressControllerNamespace: 'string',
  servingClientCidrs: { arrayOf: 'string' },
  queue: 'object',
};

/** RBAC verbs Kubernetes knows; a rule with any other does nothing. */
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', 'use', 'approve', 'sign', '*'];

/** Problems of a tenant's props that no single field check catches: groups, rules, names, defaults. */
export function tenantInputProblems(props: TenantProps): Problem[] {
  const problems: Problem[] = [];
  for (const [field, groups] of [['editorGroups', props.editorGroups], ['viewerGroups', props.viewerGroups]] as const) {
    for (const group of groups ?? []) {
      if (typeof group !== 'string' || group.trim().length === 0 || group !== group.trim()) {
        problems.push({ code: 'RBAC_GROUP_INVALID', message: `${field} holds a group name that is empty or has surrounding spaces; the binding would name nobody, or somebody else.`, received: group, fix: 'use the exact group name or object id of the identity provider.' });
      }
    }
  }
  (props.extraRules ?? []).forEach((rule, i) => {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      if (!Array.isArray(rule[field]) || rule[field].length === 0) {
        problems.push({ code: 'RBAC_RULE_INVALID', message: `extraRules[${i}].${field} is empty; the rule grants nothing.`, received: rule[field], fix: `list the ${field} the rule is for.` });
      }
    }
    const unknown = (rule.verbs ?? []).filter((verb) => !VERBS.includes(verb));
    if (unknown.length > 0) problems.push({ code: 'RBAC_RULE_INVALID', message: `extraRules[${i}] names verbs Kubernetes does not have.`, received: unknown, fix: `use ${VERBS.filter((v) => v !== '*').join(', ')}.` });
  });
  if (props.ingressControllerNamespace !== undefined) {
    checkName(props.ingressControllerNamespace, DNS_LABEL, 'NAMESPACE_INVALID')
      .forEach((p) => problems.push({ ...p, message: 'ingressControllerNamespace is not a namespace name, so no ingress controller would be allowed in.' }));
  }
  for (const priorityClass of Object.keys(props.quota?.gpusByPriorityClass ?? {})) {
    checkName(priorityClass, { ...DNS_LABEL, what: 'PriorityClass name', maxLength: 253, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/ }, 'PRIORITY_CLASS_NAME_INVALID')
      .forEach((p) => problems.push({ ...p, message: `gpusByPriorityClass names "${priorityClass}", which cannot be a PriorityClass.` }));
  }
  const d = props.containerDefaults ?? {};
  for (const [resource, request, limit] of [['cpu', d.cpuRequest ?? '250m', d.cpuLimit ?? '1'], ['memory', d.memoryRequest ?? '512Mi', d.memoryLimit ?? '2Gi']] as const) {
    const [r, l] = [parseQuantity(request), parseQuantity(limit)];
    if (r !== undefined && l !== undefined && r > l) {
      problems.push({ code: 'LIMIT_RANGE_REQUEST_ABOVE_LIMIT', message: `The default ${resource} request is above the default ${resource} limit; Kubernetes rejects the LimitRange.`, received: { request, limit }, fix: `make the ${resource} request at most the limit.` });
    }
  }
  return problems;
}

/** Another Tenant of the same name on the same cluster: both would write one namespace, and the last would win. */
export function duplicateTenantProblems(tenant: IConstruct & { readonly name: string; readonly cluster: ClusterProfile }): Problem[] {
  const earlier = earlierWithSameKey(tenant, 'tenant', (c) => (c.constructor === tenant.constructor ? `${(c as typeof tenant).cluster.name}/${(c as typeof tenant).name}` : undefined));
  return earlier ? [{
    code: 'TENANT_DUPLICATE',
    message: `Tenant "${tenant.name}" on cluster "${tenant.cluster.name}" is also defined at ${earlier.node.path}; one would overwrite the other.`,
    received: tenant.name,
    fix: 'define each tenant once per cluster, or give this one another name.',
  }] : [];
}
