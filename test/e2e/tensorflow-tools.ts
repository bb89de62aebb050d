import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

const TENSORFLOW = 'tensorflow-cpu==2.21.0';
const DEFAULT_VENV = path.join(__dirname, '..', '..', '.cache', 'tf-venv');

/** The first package index pip is configured with (the local wheelhouse on these machines). */
function firstIndexUrl(): string | undefined {
  const listed = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of listed.split('\n')) {
    const match = /index-url='([^']+)'/.exec(line);
    if (match) return match[1].split(/\s+/)[0];
  }
  return undefined;
}

/**
 * A Python with TensorFlow: $ML_PLATFORM_TF_PYTHON, else a venv under .cache/ that is created from
 * the configured package index on first use. Throws naming what is missing.
 */
export function ensureTensorflowPython(): string {
  const given = process.env.ML_PLATFORM_TF_PYTHON;
  const python = given ?? path.join(DEFAULT_VENV, 'bin', 'python');
  const hasTf = () => spawnSync(python, ['-c', 'import tensorflow'], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } }).status === 0;
  if (fs.existsSync(python) && hasTf()) return python;
  if (given) throw new Error(`TensorFlow is missing: ML_PLATFORM_TF_PYTHON=${given} cannot import tensorflow.`);

  const venv = spawnSync('python3', ['-m', 'venv', DEFAULT_VENV], { encoding: 'utf8' });
  if (venv.status !== 0) throw new Error(`TensorFlow is missing: python3 -m venv failed (${venv.error?.message ?? venv.stderr}). Install python3 with venv.`);
  const index = firstIndexUrl();
  const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...(index ? ['--index-url', index] : []), TENSORFLOW];
  const install = spawnSync(python, pipArgs, { encoding: 'utf8', timeout: 15 * 60_000 });
  if (install.status !== 0 || !hasTf()) {
    throw new Error(`TensorFlow is missing: pip install ${TENSORFLOW}${index ? ` from ${index}` : ''} failed:\n${install.stderr ?? install.error?.message}`);
  }
  return python;
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
  return { done, kill: () => child.kill('SIGKILL') };
}
