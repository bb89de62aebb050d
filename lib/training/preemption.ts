/**
 * What happens when the cluster takes a training task away (spot reclaim, node drain, eviction),
 * and how each backend tells that apart from a crash.
 *
 * The contract with the training code: on SIGTERM it saves a checkpoint and exits with
 * {@link PREEMPTION_EXIT_CODE}, passed as `PREEMPTION_EXIT_CODE`. TensorFlow's
 * `tf.distribute.experimental.PreemptionCheckpointHandler` does exactly this with a SIGTERM
 * watcher of the code's own and `exit_fn=lambda: sys.exit(143)`: the signalled task tells its peers through the
 * coordination service, every task saves at the same step and every task exits. Every task's exit
 * is then a preemption exit, and each backend recreates every task without counting it. What each
 * backend can and cannot promise is in the README ("Preemption").
 */
import { Duration } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { TF_CONTAINER } from './pod-template';

/** The exit code of a task that saved after SIGTERM: TensorFlow's own restartable code (128 + SIGTERM). */
export const PREEMPTION_EXIT_CODE = 143;
/** The variable that hands the preemption exit code to the training code. */
export const PREEMPTION_EXIT_CODE_ENV = 'PREEMPTION_EXIT_CODE';
/** The grace period when none is given: time to save a checkpoint of a few GB. */
export const DEFAULT_GRACE_PERIOD = Duration.minutes(2);

/**
 * The pod failure policy of the Indexed Jobs (and JobSet child Jobs): disruption and the preemption
 * exit are never counted; with `retryableExitCodes`, any other code fails the job at once.
 */
export function podFailurePolicy(retryableExitCodes: readonly number[] | undefined): k8s.PodFailurePolicy {
  const permanent = retryableExitCodes && retryableExitCodes.length > 0
    ? [...new Set([...retryableExitCodes, PREEMPTION_EXIT_CODE])].sort((a, b) => a - b)
    : undefined;
  return {
    rules: [
      // The cluster's doing, not the code's. `status` is required by JobSet's CRD and by strict schemas.
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      // A peer that saved and exited because another task was signalled.
      { action: 'Ignore', onExitCodes: { containerName: TF_CONTAINER, operator: 'In', values: [PREEMPTION_EXIT_CODE] } },
      ...(permanent ? [{ action: 'FailJob', onExitCodes: { containerName: TF_CONTAINER, operator: 'NotIn', values: permanent } }] : []),
    ],
  };
}
