/** The GitOps engines the output can be delivered with. */
export enum GitOpsEngine {
  /** Argo CD: an Application per cluster; sync waves order namespaces, CRDs and classes first. */
  ARGO_CD = 'argo-cd',
  /** Flux: a GitRepository and, per cluster, Kustomizations for the platform and the tenants (`dependsOn`). */
  FLUX = 'flux',
}

/** Where each engine runs on a cluster; ClusterAddons installs it there and the delivery objects live there. */
export const GITOPS_NAMESPACES: Record<GitOpsEngine, string> = {
  [GitOpsEngine.ARGO_CD]: 'argocd',
  [GitOpsEngine.FLUX]: 'flux-system',
};
