import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SHAPES = path.join(ROOT, 'build', 'bench', 'shapes.js');

/**
 * Builds one of the benchmark's programs at `size` in a fresh V8 and asks V8 whether two objects
 * built up from `{}` with the same new key still share a hidden class. The answer is V8's own
 * (`%HaveSameMap`), never a time. It is no once the program keeps more objects whose first keys
 * are its own names than V8 keeps transitions from `{}`; then every such object costs a hidden class
 * of its own: cdk8s's YAML writer builds its contexts that way, and a first synth of 2,000 serving
 * stacks ran two to three times as slowly in about half of the fresh processes.
 */
function sharesHiddenClasses(shape: string, size: number): boolean {
  if (!fs.existsSync(SHAPES)) throw new Error(`${SHAPES} is missing: run "npm run build" (npm test does) first.`);
  const script = `
    const { App } = require('cdk8s');
    const app = new App({ outdir: '/dev/null' });
    require(${JSON.stringify(SHAPES)}).shape(${JSON.stringify(shape)}).build(app, ${size});
    const built = (value) => Object.assign({}, { 'a-key-no-object-had-before': value });
    process.stdout.write(String(%HaveSameMap(built(1), built(2))));
    globalThis.keep = app;`;
  return execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { cwd: ROOT, encoding: 'utf8' }) === 'true';
}

describe('a program of thousands of constructs', () => {
  // Serving, with a canary and an Ingress; the mixed platform (serving, tenants and jobs on three clouds); tenants; training jobs.
  test.each(['serving-canary-ingress', 'mixed', 'tenants', 'training-small'])('%s at 2,000 leaves objects built up from {} sharing their hidden class', (shape) => {
    expect(sharesHiddenClasses(shape, 2000)).toBe(true);
  }, 60_000);
});
