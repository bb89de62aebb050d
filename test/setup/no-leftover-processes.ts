import * as fs from 'fs';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's node environment, which fails a test file that ends with a process it started still
 * running. Jest waits only half a second for a worker to exit before killing it with "A worker
 * process has failed to exit gracefully", and then cannot say which file left what behind.
 */
export default class NoLeftoverProcesses extends TestEnvironment {
  async teardown(): Promise<void> {
    const left = runningChildren(process.pid);
    await super.teardown();
    if (left.length > 0) {
      throw new Error(
        `the test file left ${left.length} process(es) it started still running: ${left.join('; ')}. Wait for each one to exit (its 'exit' event or its done promise) before the file ends, in afterAll if it outlives a test.`,
      );
    }
  }
}

/**
 * The direct children of `pid` that have not exited, from /proc; a zombie has exited and is only
 * waiting for Node to read its status. Where there is no /proc (macOS), none can be listed.
 */
export function runningChildren(pid: number): string[] {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(entry, 'stat');
    if (stat === undefined) continue;
    // pid (comm) state ppid …; comm may hold spaces and parentheses.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) !== pid || state === 'Z') continue;
    const command = (readProc(entry, 'cmdline') ?? '').split('\0').join(' ').trim();
    found.push(`pid ${entry} (${command.slice(0, 200) || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))})`);
  }
  return found;
}

/** A file of /proc/`pid`, or undefined once the process has gone. */
function readProc(pid: string, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
