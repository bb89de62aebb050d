import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { appendTo } from './append-to';
import { earlierWithSameKey } from './duplicates';
import { assertScope, shapeProblems } from './props-shape';
import { constructsOfApp, perValidationPass, Problem, Problems } from './validation';

/** Objects a workload expects to exist in its namespace (or, for priority classes, in the cluster). */
export interface WorkloadReferences {
  readonly serviceAccounts: readonly string[];
  readonly persistentVolumeClaims: readonly string[];
  readonly secrets: readonly string[];
  readonly priorityClasses: readonly string[];
}

/** What the platform needs to know of a training job or serving stack to cross-check it. */
export interface PlatformWorkload extends IConstruct {
  readonly name: string;
  readonly namespace: string;
  /** The `ClusterProfile` name of the cluster it runs on. */
  readonly clusterName: string;
  /** GPUs held whatever the load: training replicas × GPUs, serving minimum replicas × GPUs. */
  fixedGpuDemand(): number;
  references(): WorkloadReferences;
}

export function isPlatformWorkload(construct: IConstruct): construct is PlatformWorkload {
  const candidate = construct as Partial<PlatformWorkload>;
  return typeof candidate.fixedGpuDemand === 'function' && typeof candidate.references === 'function';
}

const EXTERNAL = new WeakMap<IConstruct, Set<string>>();
const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
const BUILT_IN_PRIORITY_CLASSES = ['system-cluster-critical', 'system-node-critical'];

/**
 * What cross-object checks need from the whole app, gathered in one walk.
 * @internal
 */
export interface AppIndex {
  /** `Kind/namespace/name` of every object the program defines or declares. */
  readonly defined: ReadonlySet<string>;
  /** Training jobs and serving stacks, by namespace. */
  readonly workloadsIn: ReadonlyMap<string, readonly PlatformWorkload[]>;
}

function buildIndex(root: IConstruct): AppIndex {
  const defined = new Set(EXTERNAL.get(root));
  const workloadsIn = new Map<string, PlatformWorkload[]>();
  for (const construct of constructsOfApp(root)) {
    if (construct instanceof ApiObject) defined.add(key(construct.kind, construct.metadata.namespace ?? '', construct.name));
    if (isPlatformWorkload(construct)) {
      appendTo(workloadsIn, construct.namespace, construct);
    }
  }
  return { defined, workloadsIn };
}

/**
 * The index of the app `scope` belongs to, shared by every cross-object check of a validation pass.
 * @internal
 */
export function appIndex(scope: IConstruct): AppIndex {
  return perValidationPass(scope, 'app-index', buildIndex);
}

/** Records that an object is created outside this program (by cert-manager, an operator, by hand). */
export function declareExternalObject(scope: IConstruct, kind: string, namespace: string, name: string): void {
  assertScope('declareExternalObject', scope);
  // A JavaScript caller's missing name would declare "Secret/ns/undefined" and hide the real gap.
  const problems = shapeProblems({ kind, namespace, name }, { kind: 'string', namespace: 'string', name: 'string' }, ['kind', 'namespace', 'name'], 'declaration');
  if (name === '') problems.push({ code: 'PROP_TYPE_INVALID', message: 'declaration.name must not be empty.', received: name, fix: 'name the object created outside this program.' });
  problems.forEach((p) => Problems.of(scope).add(p));
  if (problems.length > 0) return;
  const root = scope.node.root;
  if (!EXTERNAL.has(root)) EXTERNAL.set(root, new Set());
  EXTERNAL.get(root)!.add(key(kind, namespace, name));
}

/**
 * Declares a namespace that something outside this program creates and secures (a platform team's
 * own tooling), so workloads may run there without a Tenant. Without it, such a workload is an
 * error: nothing would give its namespace Pod Security, a quota or default-deny networking.
 */
export function declareExternalNamespace(scope: IConstruct, namespace: string): void {
  declareExternalObject(scope, 'Namespace', '', namespace);
}

/**
 * References of `workload` to objects that neither the program nor a declaration defines.
 * @internal
 */
export function undefinedReferenceProblems(workload: PlatformWorkload): Problem[] {
  return [...duplicateWorkloadProblems(workload), ...referenceProblems(workload)];
}

/** Two workloads of one name in one namespace of one cluster write the same Services and ServiceAccounts; the last would win. */
function duplicateWorkloadProblems(workload: PlatformWorkload): Problem[] {
  const earlier = earlierWithSameKey(workload, 'workload', (c) => (isPlatformWorkload(c) ? `${c.clusterName}/${c.namespace}/${c.name}` : undefined));
  return earlier ? [{
    code: 'WORKLOAD_DUPLICATE',
    message: `"${workload.name}" in namespace ${workload.namespace} is also the name of ${earlier.node.path}; their objects would overwrite each other.`,
    received: workload.name,
    fix: 'give each workload of a namespace its own name.',
  }] : [];
}

function referenceProblems(workload: PlatformWorkload): Problem[] {
  const { defined } = appIndex(workload);
  const refs = workload.references();
  const missing: Array<[string, string, string]> = [
    ['Namespace', '', workload.namespace] as [string, string, string],
    ...refs.serviceAccounts.filter((n) => n !== 'default').map((n): [string, string, string] => ['ServiceAccount', workload.namespace, n]),
    ...refs.persistentVolumeClaims.map((n): [string, string, string] => ['PersistentVolumeClaim', workload.namespace, n]),
    ...refs.secrets.map((n): [string, string, string] => ['Secret', workload.namespace, n]),
    ...refs.priorityClasses.filter((n) => !BUILT_IN_PRIORITY_CLASSES.includes(n)).map((n): [string, string, string] => ['PriorityClass', '', n]),
  ].filter(([kind, namespace, name]) => !defined.has(key(kind, namespace, name)));
  return missing.map(([kind, namespace, name]) => ({
    code: kind === 'Namespace' ? 'NAMESPACE_UNMANAGED' : 'REFERENCE_UNDEFINED',
    message: kind === 'Namespace'
      ? `"${workload.name}" runs in namespace "${name}", which no Tenant of this program creates; it would get no Pod Security, quota or default-deny networking, and its GPUs would escape the tenant quota checks.`
      : `"${workload.name}" uses ${kind} "${name}"${namespace ? ` in namespace ${namespace}` : ''}, which this program never defines; its pods would not start.`,
    received: name,
    fix: kind === 'Namespace'
      ? `add a Tenant named "${name}" (it creates the namespace with Pod Security, a quota and default-deny networking), fix a misspelled namespace, or declareExternalNamespace(scope, "${name}") if it is managed elsewhere.`
      : kind === 'PriorityClass'
      ? 'add an MlPlatform for the cluster (it defines the ml-* priority classes) or define the class.'
      : `define it (Tenant.addServiceAccount, Tenant.addVolumeClaim, an ApiObject), or declare it with Tenant.declareExternal${kind === 'Secret' ? 'Secret' : ''} if it is created elsewhere.`,
  }));
}
