import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { WorkloadKinds } from '../../lib';

let validators: Map<string, (doc: unknown) => string[]> | undefined;

/**
 * Validators for the custom resources of the CRDs copied in crds/, by `apiVersion/kind`. Each
 * schema is compiled on its first use (compiling all of them took 1 s, and few are used), once.
 */
export function crdValidators(): Map<string, (doc: unknown) => string[]> {
  if (validators) return validators;
  // CRD patterns are Go regular expressions; `(?i)` (case-insensitive) is their only syntax JavaScript lacks.
  const goRegExp = Object.assign((pattern: string, flags: string) => (pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags)), { code: 'new RegExp' });
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
  validators = new Map();
  const dir = path.join(__dirname, '..', '..', 'crds');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const version of crd.spec.versions.filter((v: any) => v.served)) {
      let validate: ValidateFunction | undefined;
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, (doc) => {
        validate ??= ajv.compile(version.schema.openAPIV3Schema);
        return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
      });
    }
  }
  return validators;
}

export const readDocs = (file: string): any[] => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((d) => d);

/** Argo CD's kind order inside a wave (gitops-engine pkg/sync/sync_tasks.go); kinds not listed come after all of them. */
const ARGO_KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList',
  'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList',
  'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const argoKindRank = (kind: string) => { const i = ARGO_KIND_ORDER.indexOf(kind); return i < 0 ? 0 : i - ARGO_KIND_ORDER.length; };
const wave = (doc: any) => Number(doc.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

/** One apply step: the objects the engine sends together, then waits for before the next step. */
export type ApplyStep = any[];

/** Argo CD: one step per sync wave; inside a wave, by kind order, then name. */
export function argoSteps(docs: readonly any[]): ApplyStep[] {
  const sorted = [...docs].sort((a, b) => wave(a) - wave(b) || argoKindRank(a.kind) - argoKindRank(b.kind) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  const steps: ApplyStep[] = [];
  for (const doc of sorted) {
    if (steps.length === 0 || wave(steps[steps.length - 1][0]) !== wave(doc)) steps.push([]);
    steps[steps.length - 1].push(doc);
  }
  return steps;
}

/**
 * Flux kustomize-controller (fluxcd/pkg ssa ApplyAllStaged): CRDs, Namespaces and ClusterRoles
 * first, then kinds named *Class, then the rest; each stage waits for the one before. Several
 * Kustomizations run in their `dependsOn` order.
 */
export function fluxSteps(docs: readonly any[]): ApplyStep[] {
  const first = (d: any) => ['CustomResourceDefinition', 'Namespace', 'ClusterRole'].includes(d.kind);
  const classes = (d: any) => !first(d) && String(d.kind).endsWith('Class');
  return [docs.filter(first), docs.filter(classes), docs.filter((d) => !first(d) && !classes(d))].filter((s) => s.length > 0);
}

/** What a cluster has before the engine's first step: built-in namespaces and classes, and what its add-ons installed. */
export interface ClusterBaseline {
  readonly namespaces: ReadonlySet<string>;
  /** `group/Kind` of custom resources whose CRD is installed. */
  readonly customKinds: ReadonlySet<string>;
}

const BUILTIN_PRIORITY_CLASSES = ['system-cluster-critical', 'system-node-critical'];
const BUILTIN_GROUPS = ['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io'];
const BUILTIN_CLUSTER_SCOPED = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass', 'IngressClass', 'PersistentVolume'];

/** Kinds without a namespace: the built-in ones, and custom kinds whose CRD in crds/ says `scope: Cluster` (Kueue's ResourceFlavor, ClusterQueue). */
const CLUSTER_SCOPED: readonly string[] = [
  ...BUILTIN_CLUSTER_SCOPED,
  ...fs.readdirSync(path.join(__dirname, '..', '..', 'crds')).filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(fs.readFileSync(path.join(__dirname, '..', '..', 'crds', f), 'utf8')))
    .filter((crd) => crd?.spec?.scope === 'Cluster').map((crd) => crd.spec.names.kind),
];

const groupOf = (doc: any) => (String(doc.apiVersion).includes('/') ? String(doc.apiVersion).split('/')[0] : '');

/** The pod templates' priority classes of an object, read through the workload-kind registry. */
function priorityClasses(doc: any): string[] {
  const templates = WorkloadKinds.of(doc.kind)?.podTemplates(doc) ?? [];
  return templates.map((t) => t.template?.spec?.priorityClassName).filter((n): n is string => typeof n === 'string');
}

/**
 * Applies the steps in order and returns every object that would reach the API server before
 * what it needs: its namespace, the CRD of its kind, or the PriorityClass its pods name.
 * Something created in the same step counts only for namespaces (the engine sends a step in
 * order, and a namespace exists as soon as it is created); a CRD must be established in an
 * earlier step, and a PriorityClass must exist before the pods are admitted.
 */
export function appliedTooEarly(steps: readonly ApplyStep[], baseline: ClusterBaseline): string[] {
  const namespaces = new Set(baseline.namespaces);
  const kinds = new Set(baseline.customKinds);
  const classes = new Set(BUILTIN_PRIORITY_CLASSES);
  const problems: string[] = [];
  for (const step of steps) {
    const established: string[] = [];
    const created: string[] = [];
    for (const doc of step) {
      const what = `${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}`;
      if (doc.kind === 'Namespace') namespaces.add(doc.metadata.name);
      if (!CLUSTER_SCOPED.includes(doc.kind) && !namespaces.has(doc.metadata.namespace)) problems.push(`${what}: namespace ${doc.metadata.namespace} does not exist yet`);
      if (!BUILTIN_GROUPS.includes(groupOf(doc)) && !kinds.has(`${groupOf(doc)}/${doc.kind}`)) problems.push(`${what}: no CRD for ${groupOf(doc)}/${doc.kind} yet`);
      for (const name of priorityClasses(doc).filter((n) => !classes.has(n))) problems.push(`${what}: PriorityClass ${name} does not exist yet`);
      if (doc.kind === 'CustomResourceDefinition') established.push(`${doc.spec.group}/${doc.spec.names.kind}`);
      if (doc.kind === 'PriorityClass') created.push(doc.metadata.name);
    }
    established.forEach((k) => kinds.add(k));
    created.forEach((c) => classes.add(c));
  }
  return problems;
}

/** CRDs each add-on chart installs, by Helm chart name (from the charts at the versions ADDON_CHARTS pins). */
export const CHART_CUSTOM_KINDS: Record<string, readonly string[]> = {
  'kube-prometheus-stack': ['monitoring.coreos.com/ServiceMonitor', 'monitoring.coreos.com/PodMonitor', 'monitoring.coreos.com/PrometheusRule', 'monitoring.coreos.com/Prometheus', 'monitoring.coreos.com/Alertmanager'],
  'jobset': ['jobset.x-k8s.io/JobSet'],
  'kueue': ['kueue.x-k8s.io/ClusterQueue', 'kueue.x-k8s.io/LocalQueue', 'kueue.x-k8s.io/ResourceFlavor', 'kueue.x-k8s.io/Workload', 'kueue.x-k8s.io/WorkloadPriorityClass'],
  'argo-cd': ['argoproj.io/Application', 'argoproj.io/ApplicationSet', 'argoproj.io/AppProject'],
  'flux2': ['source.toolkit.fluxcd.io/GitRepository', 'source.toolkit.fluxcd.io/OCIRepository', 'kustomize.toolkit.fluxcd.io/Kustomization'],
};

/** A cluster's baseline from its add-ons stack: the namespaces its Helm releases create and the CRDs their charts bring. */
export function baselineFromAddons(addonsStackJson: any | undefined): ClusterBaseline {
  const releases = Object.values<any>(addonsStackJson?.resource?.helm_release ?? {});
  return {
    namespaces: new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...releases.map((r) => r.namespace)]),
    customKinds: new Set(releases.flatMap((r) => CHART_CUSTOM_KINDS[r.chart] ?? [])),
  };
}

/**
 * Where Kueue suspends and resumes each queued kind (Kueue v0.11 integrations: batch/Job and
 * JobSet `spec.suspend`; Kubeflow jobs `spec.runPolicy.suspend`). On admission it writes `false` there.
 */
export const KUEUE_SUSPEND_PATH: Record<string, string[]> = {
  'batch/Job': ['spec', 'suspend'],
  'jobset.x-k8s.io/JobSet': ['spec', 'suspend'],
  'kubeflow.org/TFJob': ['spec', 'runPolicy', 'suspend'],
};
export const kueueKey = (doc: any) => `${groupOf(doc)}/${doc.kind}`;
const getPath = (doc: any, at: readonly string[]) => at.reduce((v, k) => v?.[k], doc);
const setPath = (doc: any, at: readonly string[], value: unknown) => { at.slice(0, -1).reduce((v, k) => v[k], doc)[at[at.length - 1]] = value; };

/** What Kueue does when it admits a queued workload: it resumes it. */
export function kueueAdmits(live: any): any {
  const copy = JSON.parse(JSON.stringify(live));
  setPath(copy, KUEUE_SUSPEND_PATH[kueueKey(live)], false);
  return copy;
}

/**
 * The suspend field after the engine syncs `desired` over `live` again (a new revision, or drift).
 * Argo CD: fields under `ignoreDifferences` keep their live value only with the sync option
 * `RespectIgnoreDifferences=true` (without it they are ignored when comparing, but still written on
 * sync). Flux: `kustomize.toolkit.fluxcd.io/ssa: IfNotPresent` or `Ignore` leaves an existing object
 * alone; `Override` and `Merge` both write every field the manifest sets.
 */
export function suspendAfterResync(engineObjects: readonly any[], desired: any, live: any): unknown {
  return fieldAfterResync(engineObjects, desired, live, KUEUE_SUSPEND_PATH[kueueKey(desired)]);
}

/** The value at `at` after the engine syncs `desired` over `live` again (see suspendAfterResync). */
export function fieldAfterResync(engineObjects: readonly any[], desired: any, live: any, at: readonly string[]): unknown {
  const application = engineObjects.find((o) => o.kind === 'Application');
  if (application) {
    const pointer = `/${at.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    const ignored = (application.spec.ignoreDifferences ?? []).some((d: any) => (d.group ?? '') === groupOf(desired) && d.kind === desired.kind && (d.jsonPointers ?? []).includes(pointer));
    const respected = (application.spec.syncPolicy?.syncOptions ?? []).includes('RespectIgnoreDifferences=true');
    return getPath(ignored && respected ? live : desired, at);
  }
  const policy = desired.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/ssa'] ?? 'Override';
  return getPath(['IfNotPresent', 'Ignore'].includes(policy) ? live : desired, at);
}

/**
 * Kueue v0.11's webhook refuses an update of a queued job that changes its queue or its
 * WorkloadPriorityClass label (jobframework ValidateJobOnUpdate: ValidateUpdateForWorkloadPriorityClassName
 * is ValidateImmutableField; the queue name only while unsuspended). Returns the refusal, if any.
 */
export function kueueRefusesUpdate(live: any, updated: any): string | undefined {
  const label = 'kueue.x-k8s.io/priority-class';
  const before = live.metadata?.labels?.[label];
  const after = updated.metadata?.labels?.[label];
  return before === after ? undefined : `metadata.labels[${label}]: field is immutable (${before ?? 'unset'} → ${after ?? 'unset'})`;
}

/**
 * The objects a Flux Kustomization health-checks after applying `docs` (its directory), as
 * kustomize-controller's checkHealth does: with `wait`, every applied object except those the
 * apply skipped (`ssa: IfNotPresent` on an object that exists, `ssa: Ignore`); without it, the
 * `healthChecks` references. A reference to no object of the directory is kept, unresolved.
 */
export function fluxHealthChecked(kustomization: any, docs: readonly any[], existing: (doc: any) => boolean): Array<any | { missing: string }> {
  if (kustomization.spec.wait) {
    return docs.filter((d) => {
      const policy = d.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/ssa'];
      return policy !== 'Ignore' && !(policy === 'IfNotPresent' && existing(d));
    });
  }
  return (kustomization.spec.healthChecks ?? []).map((ref: any) => docs.find((d) => d.apiVersion === ref.apiVersion && d.kind === ref.kind && d.metadata.name === ref.name && (d.metadata.namespace ?? '') === (ref.namespace ?? ''))
    ?? { missing: `${ref.kind} ${ref.namespace ?? ''}/${ref.name}` });
}

/**
 * Flux's verdict on one object while its workloads run as they should (Deployments rolled out,
 * training jobs running, volumes waiting for their first pod). kustomize-controller reads a Job
 * with its own status reader (internal/statusreaders/job.go): Current only once it is Complete, so
 * a running or suspended training job is InProgress. kstatus reads a PersistentVolumeClaim as
 * Current only once Bound, and a claim of a WaitForFirstConsumer class binds with its first pod:
 * one a rolled-out Deployment or StatefulSet of `docs` mounts is bound, any other may still wait.
 * Everything else here is taken to be Current.
 */
export function fluxStatusWhileRunning(doc: any, docs: readonly any[]): 'Current' | 'InProgress' {
  if (doc.apiVersion === 'batch/v1' && doc.kind === 'Job') return 'InProgress';
  if (doc.kind === 'PersistentVolumeClaim') {
    const mounted = docs.some((d) => ['Deployment', 'StatefulSet'].includes(d.kind) && d.metadata.namespace === doc.metadata.namespace
      && (d.spec.template.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === doc.metadata.name));
    return mounted ? 'Current' : 'InProgress';
  }
  return 'Current';
}

/** Where each kind of training object keeps its time-to-live after it finishes. */
export const TTL_PATH: Record<string, string[]> = {
  'batch/Job': ['spec', 'ttlSecondsAfterFinished'],
  'jobset.x-k8s.io/JobSet': ['spec', 'ttlSecondsAfterFinished'],
  'kubeflow.org/TFJob': ['spec', 'runPolicy', 'ttlSecondsAfterFinished'],
};

/**
 * What happens to a finished training object delivered by the engine. With a TTL its controller
 * deletes it; the engine then finds it missing from the cluster and creates it again, and the job
 * runs again: Argo CD's automated sync with `selfHeal`, and Flux at every interval (an
 * `ssa: IfNotPresent` object is created when absent; only `Ignore` is never applied).
 */
export function afterFinished(engineObjects: readonly any[], doc: any): 'kept' | 'deleted' | 'run again' {
  const ttl = getPath(doc, TTL_PATH[kueueKey(doc)] ?? []);
  if (ttl === undefined) return 'kept';
  const application = engineObjects.find((o) => o.kind === 'Application');
  const recreates = application
    ? application.spec.syncPolicy?.automated?.selfHeal === true
    : doc.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/ssa'] !== 'Ignore';
  return recreates ? 'run again' : 'deleted';
}
