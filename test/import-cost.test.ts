import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ENTRY = path.join(__dirname, '..', 'build', 'lib', 'index.js');

/** Loads the compiled entry in a fresh process and returns every module it pulled in. */
function modulesLoadedBy(entry: string): string[] {
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" (npm test does) first.`);
  const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('loading ml-platform-constructs', () => {
  const loaded = modulesLoadedBy(ENTRY);

  test('loads no provider root barrel', () => {
    const barrels = loaded.filter((m) => /[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/.test(m));
    expect(barrels).toEqual([]);
  });

  test('loads the provider resources it uses by deep import', () => {
    const deep = (provider: string, resource: string) => loaded.some((m) => m.includes(path.join('@cdktf', provider, 'lib', resource, 'index.js')));
    expect(deep('provider-google', 'container-cluster')).toBe(true);
    expect(deep('provider-aws', 'eks-cluster')).toBe(true);
    expect(deep('provider-azurerm', 'kubernetes-cluster')).toBe(true);
  });
});
