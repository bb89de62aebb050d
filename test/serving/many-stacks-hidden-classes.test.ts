import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const SHAPES = path.join(ROOT, 'build', 'bench', 'shapes.js');

/**
 * Builds the benchmark's plain serving program of `stacks` stacks in a fresh V8 and asks V8 whether
 * two objects built up from `{}` with the same new key still share a hidden class. The answer is
 * V8's own (`%HaveSameMap`), never a time. When it is no, every such object costs a new hidden
 * class: cdk8s's YAML writer builds its contexts that way, and the first synth of 2,000 stacks ran
 * two to three times as slowly, in most fresh processes.
 */
function sharesHiddenClasses(stacks: number): boolean {
  if (!fs.existsSync(SHAPES)) throw new Error(`${SHAPES} is missing: run "npm run build" (npm test does) first.`);
  const script = `
    const { App } = require('cdk8s');
    const app = new App({ outdir: '/dev/null' });
    require(${JSON.stringify(SHAPES)}).shape('serving-plain').build(app, ${stacks});
    const built = (value) => Object.assign({}, { 'a-key-no-object-had-before': value });
    process.stdout.write(String(%HaveSameMap(built(1), built(2))));
    globalThis.keep = app;`;
  return execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { cwd: ROOT, encoding: 'utf8' }) === 'true';
}

describe('a program of thousands of serving stacks', () => {
  test('leaves objects built up from {} sharing their hidden class (no per-stack keys on fresh objects)', () => {
    expect(sharesHiddenClasses(2000)).toBe(true);
  }, 60_000);
});
