/**
 * Every example's complete output, compared byte for byte with the copy kept in test/golden/.
 * A change to what the library writes shows up here, and in review as a diff of those files.
 * Regenerate after a deliberate change with `UPDATE_GOLDEN=1 npx jest test/examples/golden`.
 */
import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthPlatform } from '../../lib';

const GOLDEN = path.join(__dirname, '..', 'golden');


export function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesBelow(full).map((f) => path.join(entry.name, f)) : [entry.name];
  }).sort();
}

/** Synthesizes an example as its main does and returns its files, keyed by `dist/…` and `cdktf.out/…` paths. */
export function synthesize(build: (terraform: App, kubernetes: K8sApp) => unknown): Map<string, string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-golden-'));
  const outdirs = { 'dist': path.join(root, 'dist'), 'cdktf.out': path.join(root, 'cdktf.out') };
  const terraform = new App({ outdir: outdirs['cdktf.out'] });
  const kubernetes = new K8sApp({ outdir: outdirs.dist });
  build(terraform, kubernetes);
  synthPlatform({ terraform, kubernetes });
  const files = new Map<string, string>();
  for (const [name, dir] of Object.entries(outdirs)) {
    for (const file of filesBelow(dir).filter((f) => !f.endsWith('manifest.json'))) {
      // Absolute temp paths would differ per run; the rest must not.
      files.set(path.join(name, file), fs.readFileSync(path.join(dir, file), 'utf8').split(root).join('<out>'));
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  return files;
}

/** Compares an example's files with test/golden/<example>, or rewrites them under UPDATE_GOLDEN. */
export function goldenSuite(example: string, build: (terraform: App, kubernetes: K8sApp) => unknown): void {
  const files = synthesize(build);
  const goldenDir = path.join(GOLDEN, example);

  if (process.env.UPDATE_GOLDEN) {
    fs.rmSync(goldenDir, { recursive: true, force: true });
    for (const [file, text] of files) {
      fs.mkdirSync(path.dirname(path.join(goldenDir, file)), { recursive: true });
      fs.writeFileSync(path.join(goldenDir, file), text);
    }
  }

  test('writes exactly the golden files', () => {
    expect([...files.keys()].sort()).toEqual(fs.existsSync(goldenDir) ? filesBelow(goldenDir) : []);
  });

  test.each([...files.keys()])('%s is byte-identical to its golden copy', (file) => {
    expect(files.get(file)).toBe(fs.readFileSync(path.join(goldenDir, file), 'utf8'));
  });
}
