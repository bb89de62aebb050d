import { jobLabels, jobMetadata, JobRender, podTemplate, TF_PORT_NAME } from '../pod-template';
import { ResolvedRole, TrainingSuccess } from '../job-props';
import { podFailurePolicy } from '../preemption';
import { TfRole } from '../tf-config';

/** The Job spec of one role, shared with JobSet's child Jobs. */
export function indexedJobSpec(job: JobRender, resolved: ResolvedRole, backoffLimit: number) {
  const hasChief = job.roles.some((r) => r.role === TfRole.CHIEF);
  const deadline = job.props.activeDeadline?.toSeconds();
  return {
    completionMode: 'Indexed',
    completions: resolved.replicas,
    parallelism: resolved.replicas,
    backoffLimit,
    podFailurePolicy: podFailurePolicy(job.props.retryableExitCodes),
    // Without a chief, worker 0 is the one whose success means the training succeeded.
    ...(resolved.role === TfRole.WORKER && !hasChief && job.props.successPolicy !== TrainingSuccess.ALL_WORKERS ? { successPolicy: { rules: [{ succeededIndexes: '0' }] } } : {}),
    ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
    template: podTemplate(job, resolved, TF_PORT_NAME, job.tfConfig(resolved.role)),
  };
}

/**
 * One Indexed Job per role and one headless Service. Queued, each Job starts suspended and Kueue
 * admits it as one Workload: the job is one unit only when it has a single role (checked at synth).
 */
export function emitIndexedJobs(job: JobRender): void {
  job.add('service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: jobMetadata(job, job.topology.subdomain),
    spec: {
      clusterIP: 'None',
      // Tasks resolve each other before they are ready: TensorFlow connects while starting up.
      publishNotReadyAddresses: true,
      selector: jobLabels(job),
      ports: [{ name: TF_PORT_NAME, port: job.port, targetPort: job.port, protocol: 'TCP' }],
    },
  });
  const queued = Object.keys(job.queueLabels).length > 0;
  for (const resolved of job.roles) {
    job.add(`job-${resolved.role}`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: jobMetadata(job, job.topology.jobName(resolved.role), resolved.role, { ...job.queueLabels }),
      spec: {
        ...(queued ? { suspend: true } : {}),
        ...indexedJobSpec(job, resolved, job.props.maxRestarts ?? 3),
        ttlSecondsAfterFinished: job.ttlSeconds,
      },
    });
  }
}
