/**
 * The TensorFlow venv is built once, even when several test files ask for it at the same moment
 * (jest's workers on a fresh checkout): a stand-in `python3` on PATH records each venv and pip
 * call, so the race is checked in seconds, without TensorFlow.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTask, takeLock, TaskResult } from './tensorflow-tools';

const ROOT = path.join(__dirname, '..', '..');

// `python3 -m venv DIR` makes DIR/bin/python, which "installs" by touching a file, slowly enough that two callers overlap.
const FAKE_PYTHON3 = `#!/bin/bash
if [ "$1 $2" = "-m venv" ]; then
  echo "venv $$" >> "$CALLS"
  sleep 1
  mkdir -p "$3/bin"
  cat > "$3/bin/python" <<'VENV'
#!/bin/bash
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$1 $2 $3" = "-m pip install" ]; then echo "install $$" >> "$CALLS"; sleep 1; touch "$here/installed"; exit 0; fi
[ -f "$here/installed" ]
VENV
  chmod +x "$3/bin/python"
  exit 0
fi
exit 0
`;

/** Runs `ensureTensorflowPython(venv)` in a process of its own, as a test file of another jest worker would. */
function callEnsure(venv: string, env: Record<string, string>): Promise<TaskResult> {
  const program = `const { ensureTensorflowPython } = require(${JSON.stringify(path.join(ROOT, 'test/e2e/tensorflow-tools.ts'))});
process.stdout.write(ensureTensorflowPython(${JSON.stringify(venv)}));`;
  const file = path.join(path.dirname(venv), `caller-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, program);
  return runTask(process.execPath, path.join(ROOT, 'scripts/run-ts.js'), [file], env, 50_000).done;
}

describe('ensureTensorflowPython', () => {
  let work: string;
  let env: Record<string, string>;
  let calls: string;
  let venv: string;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-tf-venv-'));
    fs.mkdirSync(path.join(work, 'bin'));
    fs.writeFileSync(path.join(work, 'bin', 'python3'), FAKE_PYTHON3, { mode: 0o755 });
    calls = path.join(work, 'calls.log');
    venv = path.join(work, 'tf-venv');
    // runTask passes PATH, HOME and these only, so ML_PLATFORM_TF_PYTHON is never set in the callers.
    env = { PATH: `${path.join(work, 'bin')}:${process.env.PATH}`, CALLS: calls };
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const recorded = () => fs.readFileSync(calls, 'utf8').trim().split('\n').map((line) => line.split(' ')[0]);

  test('three callers at once build the venv once and all get its python', async () => {
    const results = await Promise.all([callEnsure(venv, env), callEnsure(venv, env), callEnsure(venv, env)]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result).toMatchObject({ code: 0, stdout: path.join(venv, 'bin', 'python') });
    }
    expect(recorded()).toEqual(['venv', 'install']);
    expect(fs.existsSync(`${venv}.lock`)).toBe(false);
  }, 60_000);

  test('a lock left by a builder that died is taken over', async () => {
    fs.mkdirSync(`${venv}.lock`);
    // A pid that cannot be running: above the kernel's pid_max.
    fs.writeFileSync(path.join(`${venv}.lock`, 'pid'), '4194305');
    const result = await callEnsure(venv, env);
    expect(result).toMatchObject({ code: 0, stdout: path.join(venv, 'bin', 'python') });
    expect(recorded()).toEqual(['venv', 'install']);
    expect(fs.existsSync(`${venv}.lock`)).toBe(false);
  }, 60_000);

  test('a waiter that saw the dead builder leaves alone the lock another waiter has taken over since', () => {
    const lock = `${venv}.lock`;
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), '4194305');
    // Between this waiter seeing the dead pid and acting on it, another waiter takes the lock over.
    const otherWaiterTakesOver = () => {
      fs.rmSync(lock, { recursive: true });
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    };
    expect(takeLock(lock, otherWaiterTakesOver)).toBe(false);
    expect(fs.readFileSync(path.join(lock, 'pid'), 'utf8')).toBe(String(process.pid));
    expect(fs.existsSync(`${lock}.takeover`)).toBe(false);
  });
});
