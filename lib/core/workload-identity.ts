import { Cloud } from './cloud';

/** The ServiceAccount annotation that binds pods to a cloud identity, per cloud. */
export const WORKLOAD_IDENTITY_ANNOTATION: Record<Cloud, string> = {
  [Cloud.GKE]: 'iam.gke.io/gcp-service-account',
  [Cloud.EKS]: 'eks.amazonaws.com/role-arn',
  [Cloud.AKS]: 'azure.workload.identity/client-id',
};

/** AKS injects the identity token only into pods that carry this label. */
export const AKS_WORKLOAD_IDENTITY_POD_LABEL = { 'azure.workload.identity/use': 'true' } as const;
