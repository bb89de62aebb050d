/** The managed Kubernetes services the library builds clusters on. */
export enum Cloud {
  GKE = 'gke',
  EKS = 'eks',
  AKS = 'aks',
}

export const ALL_CLOUDS: readonly Cloud[] = [Cloud.GKE, Cloud.EKS, Cloud.AKS];

/** The Kubernetes minor version new clusters get unless told otherwise. */
export const DEFAULT_KUBERNETES_VERSION = '1.33';
