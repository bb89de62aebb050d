import { KUEUE_PRIORITY_LABEL } from '../core/queue-priority';
import { GitOpsEngine, GITOPS_NAMESPACES } from './gitops-engine';

/** Where a cluster's output lives in the repository, and how the engine should treat it. */
export interface ClusterSource {
  readonly cluster: string;
  readonly repoUrl: string;
  readonly branch: string;
  /** The cluster's directory in the repository, e.g. `dist/ml-gke`. */
  readonly path: string;
  /** Whether the cluster has tenant charts (a `tenants/` directory next to `platform/`). */
  readonly hasTenants: boolean;
  readonly prune: boolean;
  readonly interval: string;
  readonly argoProject: string;
  /** @default - none: a public repository */
  readonly credentialsSecret?: string;
  /** What Flux waits for after applying each directory. */
  readonly healthChecks: Readonly<Record<'platform' | 'tenants', readonly HealthCheck[]>>;
}

/** An object Flux waits for after applying (a Kustomization's `healthChecks` entry). */
export interface HealthCheck {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** @default - none: a cluster-wide object */
  readonly namespace?: string;
}

/** The kinds a Kustomization waits for: what rolls out and then stays healthy. */
export const ROLLOUT_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Annotations the engines read on the objects they apply. */
export const EngineAnnotations = {
  ARGO_SYNC_WAVE: 'argocd.argoproj.io/sync-wave',
  ARGO_SYNC_OPTIONS: 'argocd.argoproj.io/sync-options',
  FLUX_PRUNE: 'kustomize.toolkit.fluxcd.io/prune',
  FLUX_SSA: 'kustomize.toolkit.fluxcd.io/ssa',
} as const;

/**
 * Where Kueue resumes a queued workload: a training job starts suspended and Kueue sets this to
 * false when it admits it. An engine that wrote the manifest's `true` back would evict it.
 */
export const QUEUED_SUSPEND_FIELDS = [
  { group: 'batch', kind: 'Job', jsonPointers: ['/spec/suspend'] },
  { group: 'jobset.x-k8s.io', kind: 'JobSet', jsonPointers: ['/spec/suspend'] },
  { group: 'kubeflow.org', kind: 'TFJob', jsonPointers: ['/spec/runPolicy/suspend'] },
] as const;

/** JSON pointer of the WorkloadPriorityClass label. */
const PRIORITY_LABEL_POINTER = `/metadata/labels/${KUEUE_PRIORITY_LABEL.replace(/\//g, '~1')}`;

/** The Argo CD Application that keeps a cluster in step with its directory; applied in the cluster's own Argo CD. */
export function argoApplication(source: ClusterSource): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: source.cluster, namespace: GITOPS_NAMESPACES[GitOpsEngine.ARGO_CD] },
    spec: {
      project: source.argoProject,
      source: { repoURL: source.repoUrl, targetRevision: source.branch, path: source.path },
      destination: { server: 'https://kubernetes.default.svc' },
      // Kueue owns the suspend field once a workload exists: not drift, and (RespectIgnoreDifferences) not
      // overwritten on sync. Its webhook refuses any change of the priority label, so that is set on creation only.
      ignoreDifferences: QUEUED_SUSPEND_FIELDS.map((field) => ({ ...field, jsonPointers: [...field.jsonPointers, PRIORITY_LABEL_POINTER] })),
      syncPolicy: {
        automated: { prune: source.prune, selfHeal: true },
        // Server-side apply: dashboards ConfigMaps outgrow the 256 KiB last-applied annotation of client-side apply.
        syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    },
  };
}

/** Flux's GitRepository takes only URLs (`ssh://git@host/path`), not Git's scp-like `git@host:path`. */
export function fluxRepositoryUrl(url: string): string {
  const scp = /^([\w.-]+@[\w.-]+):(?!\/\/)(.+)$/.exec(url);
  return scp ? `ssh://${scp[1]}/${scp[2].replace(/^\//, '')}` : url;
}

/**
 * The Flux objects for a cluster: the repository, a Kustomization for the platform directory
 * and one for the tenants that depends on it, so PriorityClasses, the device plugin and the
 * platform's namespaces are ready before any tenant workload is applied.
 */
export function fluxObjects(source: ClusterSource): Array<Record<string, unknown>> {
  const namespace = GITOPS_NAMESPACES[GitOpsEngine.FLUX];
  const repository = `${source.cluster}-output`;
  const kustomization = (name: string, dir: 'platform' | 'tenants', dependsOn: string[]) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace },
    spec: {
      interval: source.interval,
      sourceRef: { kind: 'GitRepository', name: repository },
      path: `./${source.path}/${dir}`,
      prune: source.prune,
      // Not `wait`, which waits for every object: Flux counts a Job healthy only once it completes,
      // and a claim only once bound, so hours of training (or a volume no pod used yet) would fail it.
      wait: false,
      ...(source.healthChecks[dir].length > 0 ? { healthChecks: source.healthChecks[dir].map((c) => ({ ...c })) } : {}),
      timeout: '10m',
      ...(dependsOn.length > 0 ? { dependsOn: dependsOn.map((n) => ({ name: n })) } : {}),
    },
  });
  return [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: repository, namespace },
      spec: {
        url: fluxRepositoryUrl(source.repoUrl),
        ref: { branch: source.branch },
        interval: source.interval,
        ...(source.credentialsSecret ? { secretRef: { name: source.credentialsSecret } } : {}),
      },
    },
    kustomization(`${source.cluster}-platform`, 'platform', []),
    ...(source.hasTenants ? [kustomization(`${source.cluster}-tenants`, 'tenants', [`${source.cluster}-platform`])] : []),
  ];
}
