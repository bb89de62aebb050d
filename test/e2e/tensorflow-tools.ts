import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

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

function takeLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (holderIsGone(lock)) fs.rmSync(lock, { recursive: true, force: true });
  return false;
}

function holderIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // No pid yet: the holder is between its mkdir and its write, unless that was long ago.
    try {
      return Date.now() - fs.statSync(lock).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
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

/** Starts one TensorFlow task; resolves when it exits or is killed after `timeoutMs`. */
export function runTask(python: string, script: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  const child = spawn(python, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? '/tmp', TF_CPP_MIN_LOG_LEVEL: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<TaskResult>((resolve) => child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); }));
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    /** Sends SIGTERM, as the kubelet does when a pod is reclaimed, drained or deleted. */
    terminate: () => child.kill('SIGTERM'),
    /** What the task has printed so far. */
    stdout: () => stdout,
  };
}
