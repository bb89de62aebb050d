import * as fs from 'fs';

/** Removes the run's temporary directory made by ./private-tmpdir.ts. */
export default function teardown(): void {
  const dir = (globalThis as { mlpcRunTmpdir?: string }).mlpcRunTmpdir;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
