/** Every Helm chart the add-ons stack installs, pinned, in one place. */
export interface HelmChart {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

export const ADDON_CHARTS = {
  ingressNginx: { repository: 'https://kubernetes.github.io/ingress-nginx', chart: 'ingress-nginx', version: '4.12.1' },
  kubePrometheusStack: { repository: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '70.4.2' },
  dcgmExporter: { repository: 'https://nvidia.github.io/dcgm-exporter/helm-charts', chart: 'dcgm-exporter', version: '4.1.1' },
  jobset: { repository: 'oci://registry.k8s.io/jobset/charts', chart: 'jobset', version: '0.8.1' },
  clusterAutoscaler: { repository: 'https://kubernetes.github.io/autoscaler', chart: 'cluster-autoscaler', version: '9.46.6' },
  // Driver v2.1.15; installs the shared file system's StorageClass on EKS.
  efsCsiDriver: { repository: 'https://kubernetes-sigs.github.io/aws-efs-csi-driver', chart: 'aws-efs-csi-driver', version: '3.2.6' },
  // Driver v1.64.0; installs the encrypted gp3 default StorageClass on EKS.
  ebsCsiDriver: { repository: 'https://kubernetes-sigs.github.io/aws-ebs-csi-driver', chart: 'aws-ebs-csi-driver', version: '2.64.0' },
  kueue: { repository: 'oci://registry.k8s.io/kueue/charts', chart: 'kueue', version: '0.11.4' },
  // GitOps engines (ClusterAddons `gitOps`): Argo CD v3.4.4; Flux v2.7.5 (source-controller 1.7.4, kustomize-controller 1.7.3).
  argoCd: { repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', version: '10.1.1' },
  flux: { repository: 'https://fluxcd-community.github.io/helm-charts', chart: 'flux2', version: '2.17.2' },
} as const satisfies Record<string, HelmChart>;
