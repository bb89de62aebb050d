import { ApiObject } from 'cdk8s';
import * as js from '../../imports/jobset.x-k8s.io';
import { jobLabels, jobMetadata, JobRender } from '../pod-template';
import { TrainingSuccess } from '../job-props';
import { TfRole } from '../tf-config';
import { indexedJobSpec } from './indexed-job';

/** The ReplicatedJobs whose success ends the set, for each success policy. */
export function jobSetSuccessTargets(job: JobRender): TfRole[] {
  const has = (role: TfRole) => job.roles.some((r) => r.role === role);
  const leader = has(TfRole.CHIEF) ? TfRole.CHIEF : TfRole.WORKER;
  switch (job.props.successPolicy ?? TrainingSuccess.CHIEF) {
    case TrainingSuccess.CHIEF_AND_EVALUATOR:
      return [leader, ...(has(TfRole.EVALUATOR) ? [TfRole.EVALUATOR] : [])];
    case TrainingSuccess.ALL_WORKERS:
      return [...new Set([leader, TfRole.WORKER])];
    default:
      return [leader];
  }
}

/**
 * One JobSet: a ReplicatedJob per role. Preempted tasks are recreated by the child Job's pod
 * failure policy without counting; other failures restart the whole set (maxRestarts).
 */
export function emitJobSet(job: JobRender): ApiObject {
  const retryable = job.props.retryableExitCodes;
  const queued = Object.keys(job.queueLabels).length > 0;
  return job.add('jobset', js.JobSet.GVK, js.toJson_JobSetProps, {
    metadata: jobMetadata(job, job.name, undefined, { ...job.queueLabels }),
    spec: {
      suspend: queued ? true : undefined,
      network: { enableDnsHostnames: true, publishNotReadyAddresses: true },
      // When the targets succeed the JobSet completes and deletes the child Jobs still running:
      // this is what stops parameter servers and evaluators.
      successPolicy: { operator: js.JobSetSpecSuccessPolicyOperator.ALL, targetReplicatedJobs: jobSetSuccessTargets(job) },
      // A counted failure recreates the whole set: collective training cannot resume one task alone.
      failurePolicy: {
        maxRestarts: job.props.maxRestarts ?? 3,
        rules: retryable ? [{ name: 'permanent-exit-code', action: js.JobSetSpecFailurePolicyRulesAction.FAIL_JOB_SET, onJobFailureReasons: ['PodFailurePolicy'] }] : undefined,
      },
      ttlSecondsAfterFinished: job.ttlSeconds,
      replicatedJobs: job.roles.map((resolved) => ({
        name: resolved.role,
        replicas: 1,
        template: { metadata: { labels: jobLabels(job, resolved.role) }, spec: indexedJobSpec(job, resolved, 0) },
      })),
    },
  });
}
