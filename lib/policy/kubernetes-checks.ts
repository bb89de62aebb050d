import { appendTo } from '../core/append-to';
import { isPinnedImage } from '../core/pod-security';
import { containsPodSpec, PODLESS_KINDS, PodTemplateAt, WorkloadKinds } from '../core/workload-kinds';
import { PodSelectors } from './pod-selectors';
import { PolicyRuleId } from './rules';

/** A synthesized Kubernetes object and the construct path it came from. */
export interface Manifest {
  readonly doc: any;
  readonly path: string;
}

/** A rule broken by one object. */
export interface Finding {
  readonly rule: PolicyRuleId;
  /** The construct path of the object or resource. */
  readonly path: string;
  /** `Kind namespace/name` or `resource_type.name`. */
  readonly subject: string;
  readonly detail: string;
  readonly received: unknown;
  /**
   * A fix more specific than the rule's, when the check knows one.
   * @default - the rule's fix
   */
  readonly fix?: string;
}

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
/** The kinds the non-pod rules read. */
const RULE_KINDS = new Set([
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding',
]);

/**
 * Whether the gate must render objects of `kind`: every kind a rule reads, every registered
 * workload kind, and every kind it does not know, which might carry pods. Only kinds known to
 * hold no pod (ConfigMaps, Services, monitors) are skipped.
 * @internal
 */
export function isPolicyKind(kind: string): boolean {
  return RULE_KINDS.has(kind) || WorkloadKinds.of(kind) !== undefined || !PODLESS_KINDS.has(kind);
}

/**
 * Every pod template in a manifest, as its registered workload kind reads it.
 * @internal
 */
export function podTemplatesOf(doc: any): readonly PodTemplateAt[] {
  return WorkloadKinds.of(doc.kind)?.podTemplates(doc) ?? [];
}

/**
 * The Pod Security "restricted" profile, field by field, as the PodSecurity admission plugin checks it.
 * @internal
 */
export function podSecurityFindings(pod: any): Array<{ rule: PolicyRuleId; detail: string; received: unknown }> {
  const out: Array<{ rule: PolicyRuleId; detail: string; received: unknown }> = [];
  const add = (rule: PolicyRuleId, detail: string, received: unknown) => out.push({ rule, detail, received });
  const podSc = pod?.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod?.[field]) add('POD_HOST_NAMESPACES', `${field} is true`, true);
  for (const volume of pod?.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type === 'hostPath') add('POD_HOST_PATH', `volume ${volume.name} is a hostPath`, volume.hostPath);
    else if (type && !RESTRICTED_VOLUME_TYPES.includes(type)) add('POD_VOLUME_TYPES', `volume ${volume.name} has type ${type}`, type);
  }
  if (podSc.runAsUser === 0) add('POD_RUN_AS_NON_ROOT', 'the pod runs as user 0', 0);
  const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? []), ...(pod?.ephemeralContainers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) add('POD_PRIVILEGED', `${at} is privileged`, true);
    for (const port of c.ports ?? []) if (port.hostPort) add('POD_HOST_PATH', `${at} uses host port ${port.hostPort}`, port.hostPort);
    if (sc.allowPrivilegeEscalation !== false) add('POD_PRIVILEGE_ESCALATION', `${at} does not set allowPrivilegeEscalation: false`, sc.allowPrivilegeEscalation);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true || sc.runAsUser === 0) add('POD_RUN_AS_NON_ROOT', `${at} may run as root`, { runAsNonRoot: nonRoot, runAsUser: sc.runAsUser ?? podSc.runAsUser });
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) add('POD_SECCOMP', `${at} has no RuntimeDefault or Localhost seccomp profile`, seccomp);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) add('POD_CAPABILITIES', `${at} does not drop ALL capabilities`, caps.drop);
    for (const cap of caps.add ?? []) if (cap !== 'NET_BIND_SERVICE') add('POD_CAPABILITIES', `${at} adds capability ${cap}`, cap);
  }
  return out;
}

/** What the cross-object rules look up. */
interface ManifestIndex {
  /** Namespaces whose pods the restricted profile does not cover. */
  readonly privileged: ReadonlySet<string>;
  /** ServiceAccounts by `namespace/name`. */
  readonly serviceAccounts: ReadonlyMap<string, any>;
  readonly inNamespace: ReadonlyMap<string, any[]>;
  /** The first HorizontalPodAutoscaler of each target, by namespace. */
  readonly autoscalers: ReadonlyMap<string, Map<unknown, any>>;
  readonly budgets: ReadonlyMap<string, PodSelectors>;
}

/** Adds a finding about the object being checked. */
type AddFinding = (rule: PolicyRuleId, detail: string, received: unknown) => void;

/**
 * Every policy finding over the final manifests of an app.
 * @internal
 */
export function kubernetesFindings(manifests: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const index = indexManifests(manifests);
  for (const { doc, path } of manifests) {
    const namespace = doc.metadata?.namespace ?? 'default';
    const subject = `${doc.kind} ${doc.metadata?.namespace ? `${namespace}/` : ''}${doc.metadata?.name}`;
    const add: AddFinding = (rule, detail, received) => findings.push({ rule, path, subject, detail, received });

    if (!WorkloadKinds.of(doc.kind) && !RULE_KINDS.has(doc.kind) && containsPodSpec(doc)) {
      add('POD_KIND_UNREGISTERED', `${doc.apiVersion} ${doc.kind} holds pods the gate cannot read`, doc.kind);
    }
    if (!index.privileged.has(namespace)) podFindings(doc, namespace, index, add);
    if (doc.kind === 'Deployment') deploymentFindings(doc, index, add);
    if (doc.kind === 'Namespace' && !index.privileged.has(doc.metadata?.name)) namespaceFindings(doc, index, add);
    rbacFindings(doc, add);
  }
  return findings;
}

/** The lookups of the cross-object rules, in one pass: they keep the rules linear, however many objects share a namespace. */
function indexManifests(manifests: readonly Manifest[]): ManifestIndex {
  const privileged = new Set(['kube-system']);
  const serviceAccounts = new Map<string, any>();
  const inNamespace = new Map<string, any[]>();
  const autoscalers = new Map<string, Map<unknown, any>>();
  const budgets = new Map<string, PodSelectors>();
  for (const { doc: d } of manifests) {
    if (d.kind === 'Namespace' && d.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged') privileged.add(d.metadata.name);
    if (d.kind === 'ServiceAccount') serviceAccounts.set(`${d.metadata.namespace}/${d.metadata.name}`, d);
    const ns = d.metadata?.namespace;
    if (ns === undefined) continue;
    appendTo(inNamespace, ns, d);
    if (d.kind === 'HorizontalPodAutoscaler') {
      if (!autoscalers.has(ns)) autoscalers.set(ns, new Map());
      const byTarget = autoscalers.get(ns)!;
      // The first one wins, as a search in the order of the objects would find it.
      if (!byTarget.has(d.spec?.scaleTargetRef?.name)) byTarget.set(d.spec?.scaleTargetRef?.name, d);
    }
    if (d.kind === 'PodDisruptionBudget') {
      if (!budgets.has(ns)) budgets.set(ns, new PodSelectors());
      budgets.get(ns)!.add(d.spec?.selector?.matchLabels);
    }
  }
  return { privileged, serviceAccounts, inNamespace, autoscalers, budgets };
}

/** The rules on every pod template of `doc`: Pod Security, resources, images and the API token. */
function podFindings(doc: any, namespace: string, index: ManifestIndex, add: AddFinding): void {
  for (const { where, template } of podTemplatesOf(doc)) {
    const pod = template?.spec ?? {};
    for (const f of podSecurityFindings(pod)) add(f.rule, `${f.detail}${where}`, f.received);
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const requests = c.resources?.requests ?? {};
      const limits = c.resources?.limits ?? {};
      const missing = ['cpu', 'memory'].flatMap((r) => [...(requests[r] ? [] : [`requests.${r}`]), ...(limits[r] ? [] : [`limits.${r}`])]);
      if (missing.length > 0) add('POD_RESOURCES', `container ${c.name}${where} has no ${missing.join(', ')}`, c.resources);
      if ((requests['nvidia.com/gpu'] ?? limits['nvidia.com/gpu']) !== undefined && String(requests['nvidia.com/gpu']) !== String(limits['nvidia.com/gpu'])) {
        add('POD_GPU_REQUEST_EQUALS_LIMIT', `container ${c.name}${where} requests ${requests['nvidia.com/gpu']} GPUs but limits ${limits['nvidia.com/gpu']}`, c.resources);
      }
      if (!isPinnedImage(String(c.image ?? ''))) add('POD_IMAGE_PINNED', `container ${c.name}${where} uses ${c.image}`, c.image);
    }
    const account = pod.serviceAccountName ?? 'default';
    if (account === 'default') add('POD_SERVICE_ACCOUNT', `pods${where} run as the default ServiceAccount`, pod.serviceAccountName);
    const automount = pod.automountServiceAccountToken ?? index.serviceAccounts.get(`${namespace}/${account}`)?.automountServiceAccountToken;
    if (automount !== false) add('POD_TOKEN_AUTOMOUNT', `pods${where} get an API token mounted`, automount);
  }
}

/** Probes, and for two replicas or more a PodDisruptionBudget and a spread over nodes. */
function deploymentFindings(doc: any, index: ManifestIndex, add: AddFinding): void {
  const labels = doc.spec?.template?.metadata?.labels ?? {};
  for (const c of doc.spec?.template?.spec?.containers ?? []) {
    if (!c.readinessProbe || !c.livenessProbe) add('DEPLOYMENT_PROBES', `container ${c.name} lacks a ${!c.readinessProbe ? 'readiness' : 'liveness'} probe`, { readinessProbe: c.readinessProbe, livenessProbe: c.livenessProbe });
    else if (JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe)) add('DEPLOYMENT_PROBES', `container ${c.name} has identical readiness and liveness probes`, c.livenessProbe);
  }
  const hpa = index.autoscalers.get(doc.metadata?.namespace)?.get(doc.metadata?.name);
  const replicas = hpa?.spec?.minReplicas ?? doc.spec?.replicas ?? 1;
  if (replicas < 2) return;
  const pdb = index.budgets.get(doc.metadata?.namespace)?.anySelects(labels) ?? false;
  if (!pdb) add('DEPLOYMENT_PDB', `${replicas} replicas and no PodDisruptionBudget selects them`, replicas);
  const pod = doc.spec?.template?.spec ?? {};
  const spread = (pod.topologySpreadConstraints ?? []).some((c: any) => c.topologyKey === 'kubernetes.io/hostname')
    || (pod.affinity?.podAntiAffinity !== undefined);
  if (!spread) add('DEPLOYMENT_SPREAD', `${replicas} replicas with nothing spreading them over nodes`, pod.topologySpreadConstraints);
}

/** A default-deny NetworkPolicy and a ResourceQuota in every namespace the restricted profile covers. */
function namespaceFindings(doc: any, index: ManifestIndex, add: AddFinding): void {
  const inside = index.inNamespace.get(doc.metadata.name) ?? [];
  const denyAll = inside.some((d) => d.kind === 'NetworkPolicy'
    && Object.keys(d.spec?.podSelector ?? {}).length === 0
    && ['Ingress', 'Egress'].every((t) => (d.spec?.policyTypes ?? []).includes(t))
    && !(d.spec?.ingress?.length) && !(d.spec?.egress?.length));
  if (!denyAll) add('NAMESPACE_DEFAULT_DENY', 'the namespace has no default-deny NetworkPolicy', doc.metadata.name);
  if (!inside.some((d) => d.kind === 'ResourceQuota')) add('NAMESPACE_QUOTA', 'the namespace has no ResourceQuota', doc.metadata.name);
}

/** No wildcard in a role's rules, and no binding to cluster-admin. */
function rbacFindings(doc: any, add: AddFinding): void {
  if (doc.kind === 'Role' || doc.kind === 'ClusterRole') {
    for (const r of doc.rules ?? []) {
      if ([...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])].includes('*')) add('RBAC_WILDCARD', 'a rule uses "*"', r);
    }
  }
  if ((doc.kind === 'RoleBinding' || doc.kind === 'ClusterRoleBinding') && doc.roleRef?.name === 'cluster-admin') {
    add('RBAC_CLUSTER_ADMIN', `binds cluster-admin to ${(doc.subjects ?? []).map((s: any) => `${s.kind} ${s.name}`).join(', ')}`, doc.roleRef);
  }
}
