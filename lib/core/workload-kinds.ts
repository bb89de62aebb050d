import { PropsShape, shapeProblems, throwProblems } from './props-shape';
import { DNS_SUBDOMAIN } from './names';
import { Problem } from './validation';

/** A pod template found in a rendered object, with where it sits (for messages). */
export interface PodTemplateAt {
  /** e.g. ` replicatedJob workers`; empty for the object's only template. */
  readonly where: string;
  readonly template: any;
}

/**
 * A kind of Kubernetes object that runs pods. Registering it tells the platform what it needs:
 * the policy gate reads its pod templates, tenant roles grant its resource, and tenant network
 * policies open its serving ports to the ingress controller.
 */
export interface WorkloadKindDefinition {
  /** API group, `''` for the core group. */
  readonly group: string;
  readonly kind: string;
  /** The plural resource name RBAC rules use, e.g. `pytorchjobs`. */
  readonly resource: string;
  /** Every pod template in a rendered object of this kind. */
  podTemplates(doc: any): readonly PodTemplateAt[];
  /**
   * Ports the ingress controller may reach on this kind's pods labelled `ml-platform.io/serving`.
   * @default - none
   */
  readonly servingPorts?: readonly number[];
  /**
   * Tenant editors may create and change objects of this kind in their namespace.
   * @default true
   */
  readonly tenantEditable?: boolean;
}

const DEFINITION_SHAPE: PropsShape = {
  group: 'string', kind: 'string', resource: 'string', podTemplates: 'function', servingPorts: { arrayOf: 'number' }, tenantEditable: 'boolean',
};

const REGISTRY = new Map<string, WorkloadKindDefinition>();

/** Each value is written into RBAC rules and network policies, where the API server checks it. */
function definitionValueProblems(d: WorkloadKindDefinition): Problem[] {
  const problems: Problem[] = [];
  if (d.group !== '' && !(DNS_SUBDOMAIN.test(d.group) && d.group.length <= 253)) problems.push({ code: 'WORKLOAD_KIND_INVALID', message: 'definition.group must be an API group (a DNS subdomain), or "" for the core group.', received: d.group, fix: 'write the group as in apiVersion, e.g. kubeflow.org.' });
  if (!/^[A-Z][A-Za-z0-9]*$/.test(d.kind)) problems.push({ code: 'WORKLOAD_KIND_INVALID', message: 'definition.kind must be a Kubernetes kind (letters and digits, starting upper-case).', received: d.kind, fix: 'write the kind as in the objects, e.g. PyTorchJob.' });
  if (!/^[a-z][a-z0-9]*$/.test(d.resource)) problems.push({ code: 'WORKLOAD_KIND_INVALID', message: 'definition.resource must be the lower-case plural resource name RBAC rules use.', received: d.resource, fix: 'write it as kubectl api-resources shows it, e.g. pytorchjobs.' });
  for (const port of d.servingPorts ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ code: 'WORKLOAD_KIND_INVALID', message: 'definition.servingPorts must hold ports from 1 to 65535.', received: port, fix: 'list the container ports the ingress controller may reach.' });
  }
  return problems;
}

/** The registry of pod-bearing kinds; the built-in ones are registered when this module loads. */
export class WorkloadKinds {
  /** Registers `definition` (again: the later one wins, so a user can refine a built-in kind). */
  public static register(definition: WorkloadKindDefinition): WorkloadKindDefinition {
    // The registry is global: a broken definition would break every later synth, so it is refused here.
    throwProblems('WorkloadKinds.register', shapeProblems(definition, DEFINITION_SHAPE, ['group', 'kind', 'resource', 'podTemplates'], 'definition'));
    throwProblems('WorkloadKinds.register', definitionValueProblems(definition));
    REGISTRY.set(definition.kind, definition);
    return definition;
  }

  /** The definition of `kind`, if it is registered. */
  public static of(kind: string): WorkloadKindDefinition | undefined {
    return REGISTRY.get(kind);
  }

  public static all(): WorkloadKindDefinition[] {
    return [...REGISTRY.values()];
  }

  /** The serving ports of every registered kind, sorted. */
  public static servingPorts(): number[] {
    return [...new Set(WorkloadKinds.all().flatMap((k) => k.servingPorts ?? []))].sort((a, b) => a - b);
  }
}

const spec = (doc: any): PodTemplateAt[] => [{ where: '', template: doc?.spec?.template }];

// Node-wide and low-level controllers are the platform's, not the tenants'.
for (const [kind, resource] of [['StatefulSet', 'statefulsets'], ['DaemonSet', 'daemonsets'], ['ReplicaSet', 'replicasets']] as const) {
  WorkloadKinds.register({ group: 'apps', kind, resource, podTemplates: spec, tenantEditable: false });
}
WorkloadKinds.register({ group: 'batch', kind: 'Job', resource: 'jobs', podTemplates: spec });
// TF Serving's gRPC and REST ports.
WorkloadKinds.register({ group: 'apps', kind: 'Deployment', resource: 'deployments', podTemplates: spec, servingPorts: [8500, 8501] });
WorkloadKinds.register({ group: 'batch', kind: 'CronJob', resource: 'cronjobs', podTemplates: (doc) => [{ where: '', template: doc?.spec?.jobTemplate?.spec?.template }] });
WorkloadKinds.register({ group: '', kind: 'Pod', resource: 'pods', podTemplates: (doc) => [{ where: '', template: { metadata: doc?.metadata, spec: doc?.spec } }] });
WorkloadKinds.register({
  group: 'jobset.x-k8s.io',
  kind: 'JobSet',
  resource: 'jobsets',
  podTemplates: (doc) => (doc?.spec?.replicatedJobs ?? []).map((r: any) => ({ where: ` replicatedJob ${r.name}`, template: r.template?.spec?.template })),
});
WorkloadKinds.register({
  group: 'kubeflow.org',
  kind: 'TFJob',
  resource: 'tfjobs',
  podTemplates: (doc) => Object.entries<any>(doc?.spec?.tfReplicaSpecs ?? {}).map(([type, r]) => ({ where: ` ${type}`, template: r.template })),
});

/** Kinds known to hold no pod template, which the gate need not read for one. */
export const PODLESS_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Ingress', 'IngressClass',
  'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule',
  'ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'WorkloadPriorityClass', 'HTTPRoute', 'GRPCRoute', 'Gateway', 'ReferenceGrant',
  'CustomResourceDefinition', 'Kustomization', 'GitRepository', 'OCIRepository', 'Application', 'ApplicationSet', 'AppProject',
  'ExternalSecret', 'SecretStore', 'SecretProviderClass', 'ScaledObject', 'TriggerAuthentication',
]);

/**
 * True when `value` holds a pod spec anywhere: an object with a `containers` array.
 * @internal
 */
export function containsPodSpec(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsPodSpec);
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.containers)) return true;
  return Object.values(record).some(containsPodSpec);
}
