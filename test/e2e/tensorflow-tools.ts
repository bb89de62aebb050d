import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { createInterface } from 'readline';

// TensorFlow for the training cluster; grpcio-tools to compile TF Serving's config protos.
const PACKAGES = ['tensorflow-cpu==2.21.0', 'grpcio-tools==1.84.0'];
const IMPORTS = 'import tensorflow, grpc_tools.protoc';
const DEFAULT_VENV = path.join(__dirname, '..', '..', '.cache', 'tf-venv');
const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * The package indexes pip is configured with (the local wheelhouse on these machines): the first
 * becomes --index-url, so pip never waits on an index it cannot reach; the rest are extras.
 */
function indexArgs(): string[] {
  const listed = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const urls = listed.split('\n').flatMap((line) => /index-url='([^']+)'/.exec(line)?.[1].split(/\s+/) ?? []);
  return urls.flatMap((url, i) => [i === 0 ? '--index-url' : '--extra-index-url', url]);
}

/**
 * Whether `python` has exactly the pinned PACKAGES and their modules: read from the installed
 * metadata in 0.05 s, where importing TensorFlow takes 3 s of CPU in each test file that asks.
 */
function hasPinnedPackages(python: string): boolean {
  const pins = PACKAGES.map((p) => p.split('=='));
  const script = `import importlib.metadata as m, importlib.util as u, json, sys
pins = json.loads(sys.argv[1])
for name, version in pins:
    try:
        if m.version(name) != version: sys.exit(1)
    except m.PackageNotFoundError:
        sys.exit(1)
sys.exit(0 if u.find_spec('tensorflow') and u.find_spec('grpc_tools.protoc') else 1)`;
  return spawnSync(python, ['-c', script, JSON.stringify(pins)], { encoding: 'utf8' }).status === 0;
}

/**
 * A Python with TensorFlow and grpcio-tools: $ML_PLATFORM_TF_PYTHON (checked by importing them),
 * else a venv under .cache/ that is created from the configured package index on first use and
 * rebuilt when it lacks the pinned versions. Throws naming what is missing.
 */
export function ensureTensorflowPython(venvDir = DEFAULT_VENV): string {
  const given = process.env.ML_PLATFORM_TF_PYTHON;
  const python = given ?? path.join(venvDir, 'bin', 'python');
  const hasTf = () => spawnSync(python, ['-c', IMPORTS], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } }).status === 0;
  if (given) {
    if (fs.existsSync(python) && hasTf()) return python;
    throw new Error(`TensorFlow is missing: ML_PLATFORM_TF_PYTHON=${given} cannot run "${IMPORTS}".`);
  }
  if (fs.existsSync(python) && hasPinnedPackages(python)) return python;
  return underBuildLock(`${venvDir}.lock`, () => {
    // Built by the caller that held the lock while this one waited.
    if (fs.existsSync(python) && hasPinnedPackages(python)) return python;
    const venv = spawnSync('python3', ['-m', 'venv', venvDir], { encoding: 'utf8' });
    if (venv.status !== 0) throw new Error(`TensorFlow is missing: python3 -m venv failed (${venv.error?.message ?? venv.stderr}). Install python3 with venv.`);
    const index = indexArgs();
    const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...index, ...PACKAGES];
    const install = spawnSync(python, pipArgs, { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
    if (install.status !== 0 || !hasTf() || !hasPinnedPackages(python)) {
      throw new Error(`TensorFlow is missing: pip install ${PACKAGES.join(' ')} ${index.join(' ')} failed:\n${install.stderr ?? install.error?.message}`);
    }
    return python;
  });
}

/**
 * Runs `build` while holding `lock`, a directory (mkdir is atomic) holding the builder's pid, so
 * test files that ask at once (jest's workers on a fresh checkout) build the venv once: the others
 * wait, then find it built. A lock whose builder has died is taken over.
 */
function underBuildLock<T>(lock: string, build: () => T): T {
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS + 60_000;
  while (!takeLock(lock)) {
    if (Date.now() > deadline) throw new Error(`TensorFlow is missing: ${lock} has been held for over ${BUILD_TIMEOUT_MS / 60_000} minutes; remove it if no venv build runs.`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
  try {
    return build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Takes `lock` if it is free; if its holder has died, removes it for the next try. `afterDeadSeen`
 * runs between seeing the dead holder and removing the lock: the window another waiter's takeover
 * can fall into (the test uses it).
 */
export function takeLock(lock: string, afterDeadSeen = () => {}): boolean {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (holderIsGone(lock)) {
    afterDeadSeen();
    removeIfStillStale(lock);
  }
  return false;
}

/**
 * Removes `lock` if its holder is still gone, holding a guard only one waiter can make. Another
 * waiter that saw the same dead holder may have taken the lock over since; removing that lock
 * would let two builds install into one venv at once.
 */
function removeIfStillStale(lock: string): void {
  const guard = `${lock}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another waiter is taking the lock over; a guard left by one that died goes after a while.
    if (isOlderThan(guard, 10_000)) fs.rmSync(guard, { recursive: true, force: true });
    return;
  }
  try {
    if (holderIsGone(lock)) fs.rmSync(lock, { recursive: true, force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

function holderIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // No pid yet: the holder is between its mkdir and its write, unless that was long ago.
    return isOlderThan(lock, 10_000);
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether `file` exists and was last changed over `ms` ago. */
function isOlderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** `count` TCP ports free on 127.0.0.1 right now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface TaskResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A started process: its result, its output so far, and the signals a kubelet would send it. */
export interface RunningTask {
  readonly done: Promise<TaskResult>;
  readonly kill: () => void;
  /** Sends SIGTERM, as the kubelet does when a pod is reclaimed, drained or deleted. */
  readonly terminate: () => void;
  /** What the task has printed so far. */
  readonly stdout: () => string;
}

const minimalEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: env.HOME ?? '/tmp', TF_CPP_MIN_LOG_LEVEL: '2', ...env });

/** Starts one process; resolves when it exits or is killed after `timeoutMs`. */
export function runTask(python: string, script: string, args: string[], env: Record<string, string>, timeoutMs: number): RunningTask {
  const child = spawn(python, [script, ...args], { env: minimalEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  // The timeout alone must not keep jest's worker alive; the child's pipes do while it runs.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs).unref();
  const done = new Promise<TaskResult>((resolve) => child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); }));
  return { done, kill: () => child.kill('SIGKILL'), terminate: () => child.kill('SIGTERM'), stdout: () => stdout };
}

export interface TaskSpec {
  readonly args: string[];
  readonly env: Record<string, string>;
}

const TASK_GROUP = path.join(__dirname, 'tf', 'task_group.py');

/**
 * Starts one process per task of a TensorFlow `script`, all forked from one Python that has imported
 * TensorFlow (tf/task_group.py): each task is still its own process with its own environment, but
 * the import's 3–4 s of CPU is paid once a group instead of once a task. Handles behave as runTask's.
 */
export function runTensorflowTasks(python: string, script: string, tasks: readonly TaskSpec[], timeoutMs: number): RunningTask[] {
  const taskPipes = tasks.flatMap(() => ['pipe', 'pipe'] as const);
  const group = spawn(python, [TASK_GROUP], { env: minimalEnv({}), stdio: ['pipe', 'pipe', 'pipe', ...taskPipes] });
  group.stdin!.end(JSON.stringify({ script, tasks }));
  let groupStderr = '';
  group.stderr!.on('data', (d) => { groupStderr += d; });

  // A task's result is final when its process ends; the last one's only once the group has ended
  // too, so that a caller who awaits every task leaves no process of the group running.
  let groupClosed = false;
  const mayFinish = (): boolean => groupClosed || handles.some((h) => !h.hasEnded);
  const handles: GroupTask[] = tasks.map((_, i) => new GroupTask(group.stdio[3 + 2 * i] as NodeJS.ReadableStream, group.stdio[4 + 2 * i] as NodeJS.ReadableStream, timeoutMs, mayFinish));
  createInterface({ input: group.stdout! }).on('line', (line) => {
    // An end by a signal carries no code: null, as child_process reports it.
    const event = JSON.parse(line) as { task: number; pid?: number; code?: number };
    if (event.pid) handles[event.task].started(event.pid);
    else handles[event.task].ended(event.code ?? null);
  });
  // A group that ends before reporting a task (a crash at import) ends the task with what it printed.
  group.on('close', () => {
    groupClosed = true;
    handles.forEach((h) => h.ended(null, groupStderr));
  });
  group.on('error', (error) => {
    groupClosed = true;
    handles.forEach((h) => h.ended(null, `${python} ${TASK_GROUP} did not start: ${error.message}`));
  });
  return handles;
}

/** One task of a group: its output, its pid once the group reports it, and its end. */
class GroupTask implements RunningTask {
  readonly done: Promise<TaskResult>;
  private out = '';
  private err = '';
  private pid = 0;
  private pendingSignal?: NodeJS.Signals;
  private code?: number | null;
  private openStreams = 2;
  private settle!: (result: TaskResult) => void;

  constructor(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream, timeoutMs: number, private readonly mayFinish: () => boolean) {
    stdout.on('data', (d) => { this.out += d; });
    stderr.on('data', (d) => { this.err += d; });
    for (const stream of [stdout, stderr]) stream.on('end', () => { this.openStreams -= 1; this.settleIfDone(); });
    const timer = setTimeout(() => this.kill(), timeoutMs).unref();
    this.done = new Promise((resolve) => { this.settle = (result) => { clearTimeout(timer); resolve(result); }; });
  }

  readonly kill = () => this.signal('SIGKILL');
  readonly terminate = () => this.signal('SIGTERM');
  readonly stdout = () => this.out;

  started(pid: number) {
    this.pid = pid;
    if (this.pendingSignal) this.signal(this.pendingSignal);
  }

  get hasEnded() {
    return this.code !== undefined;
  }

  ended(code: number | null, groupStderr = '') {
    if (this.code === undefined) {
      this.code = code;
      this.err += groupStderr;
    }
    this.settleIfDone();
  }

  private signal(name: NodeJS.Signals) {
    if (this.code !== undefined) return;
    if (!this.pid) {
      this.pendingSignal = name;
      return;
    }
    try {
      process.kill(this.pid, name);
    } catch (error) {
      // Exited, and reaped by the group before its report arrived.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  private settleIfDone() {
    if (this.code !== undefined && this.openStreams === 0 && this.mayFinish()) this.settle({ code: this.code, stdout: this.out, stderr: this.err });
  }
}
