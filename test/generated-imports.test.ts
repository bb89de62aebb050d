import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

describe('lib/imports', () => {
  test('is what scripts/import-types.js generates from crds/ and the library\'s sources, pruned to what the library uses', () => {
    // Throws with the script's message, naming the stale files, when the check fails.
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'import-types.js'), '--check'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toContain('lib/imports is what scripts/import-types.js generates.');
  });
});
