import { spawn } from 'child_process';
import { runningChildren } from './no-leftover-processes';

describe('the check for processes a test file leaves running', () => {
  test('lists a child while it runs, with its command line, and not once it has exited', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(runningChildren(process.pid)).toEqual([`pid ${child.pid} (sleep 30)`]);
    expect(runningChildren(child.pid!)).toEqual([]);
    child.kill();
    await exited;
    expect(runningChildren(process.pid)).toEqual([]);
  });
});
