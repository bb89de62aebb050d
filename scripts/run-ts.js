#!/usr/bin/env node
/**
 * Runs a TypeScript program of this repository without type-checking it: each .ts file is
 * transpiled on require by TypeScript's own `transpileModule` (sound here, as tsconfig sets
 * isolatedModules) and kept in build/.run-ts-cache by content hash, so an edit costs the one file
 * changed. Type errors are `tsc`'s job (`npm test`, `npm run build`).
 *
 *   node scripts/run-ts.js examples/multi-cloud/main.ts
 */
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
const cacheDir = path.join(root, 'build', '.run-ts-cache');
let ts;
let options;

function transpile(source, file) {
  const key = crypto.createHash('sha1').update(file).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not transpiled yet: TypeScript is loaded only when some file changed.
  }
  if (!ts) {
    ts = require('typescript');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    options = { ...config.options, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false, noEmit: false };
  }
  const output = ts.transpileModule(source, { compilerOptions: options, fileName: file }).outputText;
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(`${cached}.${process.pid}`, output);
  fs.renameSync(`${cached}.${process.pid}`, cached);
  return output;
}

Module._extensions['.ts'] = (module, file) => {
  module._compile(transpile(fs.readFileSync(file, 'utf8'), file), file);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
const main = path.resolve(entry);
process.argv = [process.argv[0], main, ...args];
Module.runMain(main);
