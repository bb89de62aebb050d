import { ApiObject } from 'cdk8s';
import { Problem } from '../core/validation';
import { renderOnce } from '../policy/rendering';

/** Where each kind that runs to completion keeps its time-to-live after it finishes. */
const TTL_FIELD: Record<string, readonly string[]> = {
  'batch/v1 Job': ['spec', 'ttlSecondsAfterFinished'],
  'jobset.x-k8s.io/v1alpha2 JobSet': ['spec', 'ttlSecondsAfterFinished'],
  'kubeflow.org/v1 TFJob': ['spec', 'runPolicy', 'ttlSecondsAfterFinished'],
};

/**
 * A finished job with a time-to-live is deleted by its controller; a GitOps engine then finds it
 * missing from the cluster and creates it again (Argo CD's self-heal, Flux at every interval),
 * and it runs again. Delivered by an engine, a job stays once finished, until the program drops it.
 */
export function finishedJobProblems(objects: readonly ApiObject[], engineName: string): Problem[] {
  return objects.flatMap((object) => {
    const field = TTL_FIELD[`${object.apiVersion} ${object.kind}`];
    if (!field) return [];
    // The gate's rendering of this validation pass: no second rendering of the job.
    const ttl = field.reduce((value: any, key) => value?.[key], renderOnce(object));
    if (ttl === undefined) return [];
    return [{
      code: 'GITOPS_JOB_TTL',
      message: `${object.kind} ${object.metadata.namespace ?? ''}/${object.name} is deleted ${ttl} s after it finishes (${field.join('.')}); ${engineName} would then find it missing and create it again, and it would run again.`,
      received: ttl,
      fix: 'drop ttlAfterFinished: delivered by GitOps, a finished job stays until the program no longer has it, and the engine prunes it then.',
    }];
  });
}
