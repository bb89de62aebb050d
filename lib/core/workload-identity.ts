import { ClusterProfile } from './cluster-profile';
import { Problems } from './validation';

/**
 * The ServiceAccount annotations that bind pods to `identity` on `cluster`. A cluster whose profile
 * states no workload identity gets none, and the problem is recorded.
 * @internal
 */
export function identityAnnotations(cluster: ClusterProfile, identity: string, problems: Problems): Record<string, string> {
  const facts = cluster.facts.workloadIdentity;
  if (!facts) {
    problems.add({
      code: 'WORKLOAD_IDENTITY_UNSUPPORTED',
      message: `Cluster "${cluster.name}" has no workload identity in its profile, so pods cannot take a cloud identity.`,
      received: identity,
      fix: 'add facts.workloadIdentity to the cluster profile, or drop the cloud identity and mount credentials from a Secret.',
    });
    return {};
  }
  return { [facts.serviceAccountAnnotation]: identity };
}

/**
 * Labels a pod running as a ServiceAccount with a cloud identity needs on `cluster`.
 * @internal
 */
export function identityPodLabels(cluster: ClusterProfile): Record<string, string> {
  return { ...cluster.facts.workloadIdentity?.podLabels };
}
