"""Runs several tasks of one TensorFlow script, each as its own process, from one import of TensorFlow.

Every task is a child forked after `import tensorflow`, before any TensorFlow context exists. It runs
the script as __main__ with its own argv and environment, as a pod's container runs it; only the
import, 3-4 s of CPU a process, is shared. Variables that TensorFlow reads at import must therefore
come from this process's environment, not a task's. A task ends with os._exit and its exit status,
as multiprocessing's children do.

Reads {"script": path, "tasks": [{"args": [...], "env": {...}}]} on stdin. Task i writes its stdout
to fd 3 + 2i and its stderr to fd 4 + 2i. Prints one JSON line when a task starts, {"task", "pid"},
and one when it ends, {"task", "code"} or {"task", "signal"}.
"""
import ctypes
import json
import os
import runpy
import signal
import sys
import traceback

spec = json.load(sys.stdin)
script, tasks = spec["script"], spec["tasks"]
task_fds = range(3, 3 + 2 * len(tasks))

import tensorflow  # noqa: E402,F401


def report(**fields):
    print(json.dumps(fields), flush=True)


def run_task(index, task):
    if sys.platform.startswith("linux"):
        # Tasks die with this process, as a pod's containers do with the pod.
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.dup2(3 + 2 * index, 1)
    os.dup2(4 + 2 * index, 2)
    for fd in task_fds:
        os.close(fd)
    os.environ.update(task["env"])
    sys.argv = [script, *task["args"]]
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - a crash of the script is the task's exit status 1, as in python
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


pids = {}
for index, task in enumerate(tasks):
    pid = os.fork()
    if pid == 0:
        run_task(index, task)
    pids[pid] = index
    report(task=index, pid=pid)
for fd in task_fds:
    os.close(fd)

while pids:
    pid, status = os.wait()
    index = pids.pop(pid)
    if os.WIFSIGNALED(status):
        report(task=index, signal=signal.Signals(os.WTERMSIG(status)).name)
    else:
        report(task=index, code=os.WEXITSTATUS(status))
sys.stdout.flush()
# Skips TensorFlow's teardown at interpreter exit, which outlasts the last report by a second or more.
os._exit(0)
