import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { typeScriptFiles } from './typescript-files';

const ENTRY = path.join(__dirname, '..', 'build', 'lib', 'index.js');
const BARREL = /[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/;

/** Runs `code` after loading the compiled entry in a fresh process; returns every module loaded. */
function modulesLoaded(code = ''): string[] {
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "npm run build" (npm test does) first.`);
  const script = `const lib = require(${JSON.stringify(ENTRY)}); ${code}; process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.join(__dirname, '..') }));
}

/** The modules loaded by a program that builds the custom-workload example and synthesizes it, gate included; run once. */
let kubernetesOnlyLoaded: string[] | undefined;
function loadedByKubernetesOnlyProgram(): string[] {
  if (kubernetesOnlyLoaded) return kubernetesOnlyLoaded;
  const example = path.join(__dirname, '..', 'build', 'examples', 'custom-workload', 'main.js');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-only-'));
  const loaded = modulesLoaded(`
    const { App } = require('cdk8s');
    const kubernetes = new App({ outdir: ${JSON.stringify(outdir)} });
    require(${JSON.stringify(example)}).buildCustomWorkload(kubernetes);
    lib.synthPlatform({ kubernetes });`);
  if (fs.readdirSync(outdir).length === 0) throw new Error('the custom-workload program wrote no manifest');
  fs.rmSync(outdir, { recursive: true, force: true });
  kubernetesOnlyLoaded = loaded;
  return loaded;
}

const fromProvider = (loaded: string[], provider: string) => loaded.filter((m) => m.includes(`${path.sep}@cdktf${path.sep}${provider}${path.sep}`));

describe('loading ml-platform-constructs', () => {
  test('loads no provider binding at all until a cluster is built', () => {
    const loaded = modulesLoaded();
    for (const provider of ['provider-google', 'provider-aws', 'provider-azurerm', 'provider-helm']) expect(fromProvider(loaded, provider)).toEqual([]);
  });

  test('a Kubernetes-only program never loads cdktf, through synth and the policy gate', () => {
    const loaded = loadedByKubernetesOnlyProgram();
    expect(loaded.filter((m) => m.includes(`${path.sep}node_modules${path.sep}cdktf${path.sep}`))).toEqual([]);
  });

  test('a Kubernetes-only program loads one YAML library, the one cdk8s writes with', () => {
    const loaded = loadedByKubernetesOnlyProgram();
    const yamlLibraries = new Set(loaded.map((m) => /^(.*[\\/]node_modules[\\/]yaml)[\\/]/.exec(m)?.[1]).filter((root) => root !== undefined));
    expect([...yamlLibraries].map((root) => path.relative(path.join(__dirname, '..', 'node_modules'), root))).toEqual([path.join('cdk8s', 'node_modules', 'yaml')]);
  });

  test('the generated API classes loaded at import are the ones the library builds', () => {
    const imports = path.join(__dirname, '..', 'lib', 'imports');
    const libraryCode = typeScriptFiles(path.join(__dirname, '..', 'lib'), ['imports']).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    const unused = fs.readdirSync(imports).filter((f) => f.endsWith('.ts')).flatMap((file) =>
      [...fs.readFileSync(path.join(imports, file), 'utf8').matchAll(/^export class (\w+) extends ApiObject/gm)].map((m) => m[1])
        .filter((name) => !new RegExp(`\\.${name}\\b`).test(libraryCode)).map((name) => `${file}: ${name}`));
    expect(unused).toEqual([]);
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
