/**
 * The TensorFlow cluster tests start their tasks from one import of TensorFlow (tf/task_group.py).
 * What they conclude rests on each task still behaving as a process of its own: its own pid,
 * environment and arguments, its output as it prints it, and the exit status a kubelet would see.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureTensorflowPython, runTensorflowTasks } from './tensorflow-tools';

const SCRIPT = `import json, os, signal, sys, time
import tensorflow as tf
mode = sys.argv[1]
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "name": os.environ.get("NAME"), "other": os.environ.get("OTHER"), "tf": tf.__version__}), flush=True)
if mode == "exit":
    sys.exit(int(os.environ["CODE"]))
if mode == "crash":
    raise RuntimeError("boom")
if mode == "wait":
    print("waiting", flush=True)
    time.sleep(60)
`;

describe('runTensorflowTasks', () => {
  let python: string;
  let script: string;
  beforeAll(() => {
    python = ensureTensorflowPython();
    script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-task-group-')), 'task.py');
    fs.writeFileSync(script, SCRIPT);
  }, 20 * 60_000);

  test('each task is its own process, with its own environment, arguments and exit status', async () => {
    const tasks = runTensorflowTasks(python, script, [
      { args: ['exit'], env: { NAME: 'a', CODE: '143' } },
      { args: ['exit'], env: { NAME: 'b', OTHER: 'only-b', CODE: '0' } },
      { args: ['crash'], env: { NAME: 'c' } },
    ], 60_000);
    const results = await Promise.all(tasks.map((t) => t.done));
    expect(results.map((r) => r.code)).toEqual([143, 0, 1]);
    const printed = results.map((r) => JSON.parse(r.stdout.split('\n')[0]));
    expect(printed.map((p) => [p.name, p.other])).toEqual([['a', null], ['b', 'only-b'], ['c', null]]);
    expect(new Set(printed.map((p) => p.pid)).size).toBe(3);
    expect(printed.every((p) => p.pid !== p.ppid && p.tf === '2.21.0')).toBe(true);
    expect(results[2].stderr).toContain('RuntimeError: boom');
  }, 120_000);

  test('output arrives while a task runs, and SIGTERM ends it as it would end the process', async () => {
    const [task] = runTensorflowTasks(python, script, [{ args: ['wait'], env: {} }], 60_000);
    const deadline = Date.now() + 60_000;
    while (!task.stdout().includes('waiting') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(task.stdout()).toContain('waiting');
    task.terminate();
    expect(await task.done).toMatchObject({ code: null });
  }, 120_000);
});
