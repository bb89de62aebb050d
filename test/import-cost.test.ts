import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ENTRY = path.join(__dirname, '..', 'build', 'lib', 'index.js');
const BARREL = /[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/;

/** Runs `code` after loading the compiled entry in a fresh process; returns every module loaded. */
function modulesLoaded(code = ''): string[] {
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "npm run build" (npm test does) first.`);
  const script = `const lib = require(${JSON.stringify(ENTRY)}); ${code}; process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.join(__dirname, '..') }));
}

const fromProvider = (loaded: string[], provider: string) => loaded.filter((m) => m.includes(`${path.sep}@cdktf${path.sep}${provider}${path.sep}`));

describe('loading ml-platform-constructs', () => {
  test('loads no provider binding at all until a cluster is built', () => {
    const loaded = modulesLoaded();
    for (const provider of ['provider-google', 'provider-aws', 'provider-azurerm', 'provider-helm']) expect(fromProvider(loaded, provider)).toEqual([]);
  });

  test('a Kubernetes-only program never loads cdktf, through synth and the policy gate', () => {
    const example = path.join(__dirname, '..', 'build', 'examples', 'custom-workload', 'main.js');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-only-'));
    const loaded = modulesLoaded(`
      const { App } = require('cdk8s');
      const kubernetes = new App({ outdir: ${JSON.stringify(outdir)} });
      require(${JSON.stringify(example)}).buildCustomWorkload(kubernetes);
      lib.synthPlatform({ kubernetes });`);
    expect(fs.readdirSync(outdir).length).toBeGreaterThan(0);
    expect(loaded.filter((m) => m.includes(`${path.sep}node_modules${path.sep}cdktf${path.sep}`))).toEqual([]);
  });

  test('building a GKE cluster loads only the Google resources it uses, by deep import, and no barrel', () => {
    const loaded = modulesLoaded(`
      const { App, TerraformStack } = require('cdktf');
      new lib.GkeCluster(new TerraformStack(new App(), 's'), 'c', { name: 'c', project: 'p', location: 'l', network: 'n', subnetwork: 's' });`);
    expect(loaded.filter((m) => BARREL.test(m))).toEqual([]);
    expect(fromProvider(loaded, 'provider-google').some((m) => m.endsWith(path.join('lib', 'container-cluster', 'index.js')))).toBe(true);
    expect(fromProvider(loaded, 'provider-aws')).toEqual([]);
    expect(fromProvider(loaded, 'provider-azurerm')).toEqual([]);
  });
});
