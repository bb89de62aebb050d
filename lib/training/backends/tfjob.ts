import { ApiObject } from 'cdk8s';
import * as kf from '../../imports/kubeflow.org';
import { jobMetadata, JobRender, podTemplate, TFJOB_PORT_NAME } from '../pod-template';
import { KUEUE_QUEUE_LABEL, TrainingSuccess } from '../job-props';
import { TfRole } from '../tf-config';

const TFJOB_REPLICA_TYPE: Record<TfRole, string> = { chief: 'Chief', worker: 'Worker', ps: 'PS', evaluator: 'Evaluator' };
const ROLE_ORDER = [TfRole.CHIEF, TfRole.WORKER, TfRole.PS, TfRole.EVALUATOR];

/**
 * A `kubeflow.org/v1` TFJob. `ExitCode` lets the operator recreate a task that exits 128-255 (the
 * preemption code among them) without counting it, and fail at once on 1-127.
 */
export function emitTfJob(job: JobRender): ApiObject {
  const replicaSpecs: Record<string, kf.TfJobSpecTfReplicaSpecs> = {};
  for (const resolved of [...job.roles].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role))) {
    replicaSpecs[TFJOB_REPLICA_TYPE[resolved.role]] = {
      replicas: resolved.replicas,
      restartPolicy: 'ExitCode',
      template: podTemplate(job, resolved, TFJOB_PORT_NAME),
    };
  }
  const queue = job.queueLabels[KUEUE_QUEUE_LABEL];
  const tasks = job.roles.reduce((sum, r) => sum + r.replicas, 0);
  return job.add('tfjob', kf.TfJob.GVK, kf.toJson_TfJobProps, {
    metadata: jobMetadata(job, job.name, undefined, { ...job.queueLabels }),
    spec: {
      runPolicy: {
        cleanPodPolicy: 'Running',
        backoffLimit: job.props.maxRestarts ?? 3,
        ttlSecondsAfterFinished: job.ttlSeconds,
        activeDeadlineSeconds: job.props.activeDeadline?.toSeconds(),
        schedulingPolicy: {
          // Gang size for a gang scheduler; Kueue admits the whole TFJob as one Workload anyway.
          minAvailable: tasks,
          queue,
          priorityClass: job.props.priorityClassName,
        },
        suspend: queue ? true : undefined,
      },
      successPolicy: job.props.successPolicy === TrainingSuccess.ALL_WORKERS ? 'AllWorkers' : undefined,
      tfReplicaSpecs: replicaSpecs,
    },
  });
}
