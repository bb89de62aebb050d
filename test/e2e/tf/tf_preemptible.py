"""One task of a MultiWorkerMirrored job that survives preemption, configured only by its environment.

TF_CONFIG wires the cluster; CHECKPOINT_DIR and PREEMPTION_EXIT_CODE come from the pod template the
library writes. PreemptionCheckpointHandler restores the last checkpoint (tf.train.CheckpointManager) at start, and on SIGTERM to
any task makes every task save at the same step and exit with PREEMPTION_EXIT_CODE.
Prints "step N" as it trains and one JSON line when training ends.
"""
import json
import os
import signal
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

TOTAL_STEPS = int(os.environ.get("TOTAL_STEPS", "40"))
STEP_SECONDS = float(os.environ.get("STEP_SECONDS", "0.25"))
exit_code = int(os.environ["PREEMPTION_EXIT_CODE"])
task = json.loads(os.environ["TF_CONFIG"])["task"]

resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
with strategy.scope():
    # y = 3x: the weight moves towards 3 by a fixed rule, so its value tells how many steps ran.
    weight = tf.Variable(0.0)
    steps_done = tf.Variable(0, dtype=tf.int64, aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

# SIGTERM is the signal on every cloud (reclaim, drain, eviction). Watching it ourselves keeps the
# handler from switching to the GCE maintenance-event watcher when it detects Google Cloud.
sigterm = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: sigterm.set())

checkpoint = tf.train.Checkpoint(weight=weight, steps_done=steps_done)
# Given the checkpoint and the directory, the handler makes the CheckpointManagers: the chief writes
# CHECKPOINT_DIR, other workers a temporary directory of their own, so a shared volume stays consistent.
handler = tf.distribute.experimental.PreemptionCheckpointHandler(
    resolver, checkpoint, checkpoint_dir=os.environ["CHECKPOINT_DIR"],
    termination_config=tf.distribute.experimental.TerminationConfig(
        termination_watcher_fn=sigterm.is_set, exit_fn=lambda: sys.exit(exit_code)),
)
restored_at = int(handler.total_run_calls)
print(json.dumps({"event": "start", "task": task, "restored_at": restored_at}), flush=True)


@tf.function
def train_step():
    def replica_step():
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(weight * x - 3.0 * x))
        grad = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.MEAN, tape.gradient(loss, weight))
        weight.assign_sub(0.05 * grad)
        steps_done.assign_add(1)
        return loss
    return strategy.reduce(tf.distribute.ReduceOp.MEAN, strategy.run(replica_step), axis=None)


while handler.total_run_calls < TOTAL_STEPS:
    handler.run(train_step)
    print(f"step {handler.total_run_calls}", flush=True)
    time.sleep(STEP_SECONDS)

print(json.dumps({
    "event": "done", "task": task, "restored_at": restored_at,
    "final_step": int(handler.total_run_calls), "steps_done": int(steps_done.numpy()), "weight": float(weight.numpy()),
}), flush=True)
