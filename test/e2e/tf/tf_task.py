"""One TensorFlow task of a distributed job, configured only by TF_CONFIG.

Prints one JSON line on success: what the task computed, for the test to check.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

config = json.loads(os.environ["TF_CONFIG"])
task = config["task"]
strategy_name = sys.argv[1]


def multi_worker_mirrored():
    strategy = tf.distribute.MultiWorkerMirroredStrategy()

    @tf.function
    def one_per_replica():
        ctx = tf.distribute.get_replica_context()
        return ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.constant(1.0))

    total = strategy.run(one_per_replica)
    total = strategy.experimental_local_results(total)[0]
    print(json.dumps({"task": task, "replicas": strategy.num_replicas_in_sync, "all_reduce_sum": float(total.numpy())}), flush=True)


def parameter_server():
    if task["type"] in ("worker", "ps"):
        server = tf.distribute.Server(
            tf.train.ClusterSpec(config["cluster"]),
            job_name=task["type"],
            task_index=task["index"],
            protocol="grpc",
            start=True,
        )
        server.join()
        return
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    strategy = tf.distribute.ParameterServerStrategy(resolver)
    coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)
    with strategy.scope():
        counter = tf.Variable(0.0)

    @tf.function
    def step():
        counter.assign_add(1.0)
        return tf.constant(1.0)

    steps = 6
    results = [coordinator.schedule(step) for _ in range(steps)]
    coordinator.join()
    fetched = sum(float(r.fetch()) for r in results)
    print(json.dumps({
        "task": task,
        "steps": steps,
        "counter": float(counter.numpy()),
        "counter_device": counter.device,
        "fetched_sum": fetched,
    }), flush=True)


{"MultiWorkerMirroredStrategy": multi_worker_mirrored, "ParameterServerStrategy": parameter_server}[strategy_name]()
