import { builtinModules } from 'module';
import * as fs from 'fs';
import * as path from 'path';
import { typeScriptFiles } from './typescript-files';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The package a module specifier loads: `@scope/name` or `name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

test('every package the library loads at run time is a dependency or a peer of the published package', () => {
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const undeclared = new Set<string>();
  for (const file of typeScriptFiles(path.join(ROOT, 'lib'))) {
    const text = fs.readFileSync(file, 'utf8');
    // Type-only imports vanish from the JavaScript; every other import or require is loaded.
    for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^'.][^']*)'|require\('([^'.][^']*)'\)/gm)) {
      const name = packageOf(match[1] ?? match[2]);
      if (!builtinModules.includes(name) && !declared.has(name)) undeclared.add(`${name} (${path.relative(ROOT, file)})`);
    }
  }
  expect([...undeclared]).toEqual([]);
});

test('dependencies are pinned to exact versions', () => {
  const loose = Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version));
  expect(loose).toEqual([]);
});
