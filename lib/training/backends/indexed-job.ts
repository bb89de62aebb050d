import { ApiObject } from 'cdk8s';
import * as k8s from '../../imports/k8s';
import { jobLabels, jobMetadata, JobRender, podTemplate, TF_PORT_NAME } from '../pod-template';
import { ResolvedRole, TrainingSuccess } from '../job-props';
import { podFailurePolicy } from '../preemption';
import { TfRole } from '../tf-config';

/** The Job spec of one role, shared with JobSet's child Jobs. */
export function indexedJobSpec(job: JobRender, resolved: ResolvedRole, backoffLimit: number): k8s.JobSpec {
  const hasChief = job.roles.some((r) => r.role === TfRole.CHIEF);
  // Without a chief, worker 0 is the one whose success means the training succeeded.
  const leaderWorker = resolved.role === TfRole.WORKER && !hasChief && job.props.successPolicy !== TrainingSuccess.ALL_WORKERS;
  return {
    completionMode: 'Indexed',
    completions: resolved.replicas,
    parallelism: resolved.replicas,
    backoffLimit,
    podFailurePolicy: podFailurePolicy(job.props.retryableExitCodes),
    successPolicy: leaderWorker ? { rules: [{ succeededIndexes: '0' }] } : undefined,
    activeDeadlineSeconds: job.props.activeDeadline?.toSeconds(),
    template: podTemplate(job, resolved, TF_PORT_NAME, job.tfConfig(resolved.role)),
  };
}

/** What the indexed-job backend emits. */
export interface IndexedJobObjects {
  /** The headless Service the tasks find each other through. */
  readonly service: ApiObject;
  /** One Indexed Job per role. */
  readonly jobs: Partial<Record<TfRole, ApiObject>>;
}

/**
 * One Indexed Job per role and one headless Service. Queued, each Job starts suspended and Kueue
 * admits it as one Workload: the job is one unit only when it has a single role (checked at synth).
 */
export function emitIndexedJobs(job: JobRender): IndexedJobObjects {
  const service = job.add('service', k8s.KubeService.GVK, k8s.toJson_KubeServiceProps, {
    metadata: jobMetadata(job, job.topology.subdomain),
    spec: {
      clusterIp: 'None',
      // Tasks resolve each other before they are ready: TensorFlow connects while starting up.
      publishNotReadyAddresses: true,
      selector: jobLabels(job),
      ports: [{ name: TF_PORT_NAME, port: job.port, targetPort: k8s.IntOrString.fromNumber(job.port), protocol: 'TCP' }],
    },
  });
  const queued = Object.keys(job.queueLabels).length > 0;
  const jobs: Partial<Record<TfRole, ApiObject>> = {};
  for (const resolved of job.roles) {
    jobs[resolved.role] = job.add(`job-${resolved.role}`, k8s.KubeJob.GVK, k8s.toJson_KubeJobProps, {
      metadata: jobMetadata(job, job.topology.jobName(resolved.role), resolved.role, { ...job.queueLabels }),
      spec: {
        ...indexedJobSpec(job, resolved, job.props.maxRestarts ?? 3),
        suspend: queued ? true : undefined,
        ttlSecondsAfterFinished: job.ttlSeconds,
      },
    });
  }
  return { service, jobs };
}
