import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Gives the run its own temporary directory (jest's workers inherit TMPDIR), removed at the end.
 * The suite creates thousands of output directories; in a shared /tmp they pile up over runs, and
 * every synth lists its output's parent (lib/delivery/atomic-output.ts), which then costs ~0.1 s.
 */
export default function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-test-run-'));
  (globalThis as { mlpcRunTmpdir?: string }).mlpcRunTmpdir = dir;
  process.env.TMPDIR = dir;
}
