import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installPins, quickStartScript, readReadme, sectionBlocks } from './quick-start';

/**
 * The package as a new user meets it: the README's Quick start, run verbatim in an empty
 * directory, with the packed tarball in place of the registry name. Nothing else is added: no
 * tsconfig, CLI or type package that the README does not install itself.
 */
const ROOT = path.join(__dirname, '..', '..');
const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const blocks = sectionBlocks(readReadme(path.join(ROOT, 'README.md')), '## Quick start');

// npm's cache is reused (prefer-offline); the registry is asked only for what the cache lacks.
const env: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
for (const name of ['CDK8S_CHECK_UPGRADE', 'CHECKPOINT_DISABLE', 'CDK8S_OUTDIR', 'CDKTF_OUTDIR']) delete env[name];
// This machine points TF_CLI_CONFIG_FILE at a file that does not exist, which a reader's machine would not.
if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;

describe('the README Quick start, run verbatim against the packed library', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-quickstart-'));
  const project = path.join(work, 'project');
  let packed: { size: number; filename: string; files: Array<{ path: string }> };
  let output = '';
  let status: number | null = null;
  let seconds = 0;

  beforeAll(() => {
    [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', env }));
    fs.mkdirSync(project);
    const script = quickStartScript(blocks, own.name, path.join(work, packed.filename));
    const started = Date.now();
    const run = spawnSync('bash', ['-c', `exec 2>&1\n${script}`], { cwd: project, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    seconds = (Date.now() - started) / 1000;
    output = run.stdout;
    status = run.status;
    console.log(`Quick start ran in ${seconds.toFixed(0)} s`);
  }, 20 * 60_000);

  /** What one command of the script printed, up to the next traced command. */
  const printedBy = (command: string) => {
    const at = output.indexOf(`+ ${command}\n`);
    if (at < 0) return `(never ran: ${command})`;
    const rest = output.slice(at + command.length + 3);
    const next = rest.search(/^\+ /m);
    return next < 0 ? rest : rest.slice(0, next);
  };

  test('pins what it installs to the versions this package is built with, TypeScript 5 and both CLIs included', () => {
    const pins = installPins(blocks);
    expect(pins.get('typescript')).toBe('5');
    for (const name of ['cdktf', 'cdk8s', 'constructs', '@cdktf/provider-aws', 'cdk8s-cli', 'cdktf-cli']) {
      expect({ name, version: pins.get(name) }).toEqual({ name, version: own.devDependencies[name] });
    }
    expect(pins.get('@types/node')).toBe(own.devDependencies['@types/node'].split('.')[0]);
  });

  test('runs to the end', () => {
    expect({ status, tail: output.slice(-3000) }).toEqual({ status: 0, tail: expect.any(String) });
  });

  test.each(['npx cdk8s synth', 'npx cdktf synth'])('%s prints the summary and no stack trace', (command) => {
    const printed = printedBy(command);
    expect(printed).toContain('Cluster consumer (eks, Kubernetes 1.33)');
    expect(printed).toMatch(/gpu\s+g6\.xlarge\s+0–2 nodes × 1 L4/);
    expect(printed).toMatch(/Terraform +cdktf\.out\/stacks\/consumer-eks\/cdk\.tf\.json/);
    expect(printed).toMatch(/Manifests +dist\/\{eks-consumer-platform\.k8s\.yaml,eks-consumer-team\.k8s\.yaml\}/);
    expect(printed).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(printed).not.toMatch(/Error:|A new version undefined/);
  });

  test('ships compiled JavaScript and declarations only, under 10 MB', () => {
    expect(packed.size).toBeLessThan(10 * 1024 * 1024);
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('build/lib/index.js');
    expect(files).toContain('build/lib/index.d.ts');
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|build\/lib\/.+\.(js|d\.ts))$/.test(f))).toEqual([]);
  });

  test('the other clouds\' provider bindings are not installed, and not needed', () => {
    for (const provider of ['provider-google', 'provider-azurerm', 'provider-helm']) {
      expect(fs.existsSync(path.join(project, 'node_modules', '@cdktf', provider))).toBe(false);
    }
  });

  test('the program uses the public entry alone', () => {
    expect(fs.readFileSync(path.join(project, 'main.ts'), 'utf8')).not.toMatch(/ml-platform-constructs\//);
  });

  test('the program, the library, cdk8s and cdktf all load one and the same copy of constructs, cdk8s and cdktf', () => {
    // Tools such as cdk8s-cli may carry private copies; what matters is what the program loads.
    const script = `
      const from = (dir) => ({ constructs: require.resolve('constructs', { paths: [dir] }), cdk8s: require.resolve('cdk8s', { paths: [dir] }), cdktf: require.resolve('cdktf', { paths: [dir] }) });
      const dirs = ['.', 'node_modules/ml-platform-constructs', 'node_modules/cdk8s', 'node_modules/cdktf', 'node_modules/@cdktf/provider-aws'];
      console.log(JSON.stringify(dirs.map((d) => from(require('path').resolve(d)))));`;
    const seen: Array<Record<string, string>> = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }));
    for (const name of ['constructs', 'cdk8s', 'cdktf']) {
      expect({ name, copies: [...new Set(seen.map((s) => path.relative(project, s[name])))] }).toEqual({ name, copies: [`node_modules/${name}/lib/index.js`] });
    }
  });

  test('cdk8s synth wrote the manifests, one file per cluster and tenant, and PLATFORM.md', () => {
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['PLATFORM.md', 'eks-consumer-platform.k8s.yaml', 'eks-consumer-team.k8s.yaml']);
    expect(fs.readFileSync(path.join(project, 'dist', 'eks-consumer-team.k8s.yaml'), 'utf8')).toContain('kind: ResourceQuota');
  });

  test('cdktf synth wrote the Terraform stack and the cluster profile', () => {
    const stack = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'consumer-eks', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource.aws_eks_node_group)).toHaveLength(2);
    expect(JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'profiles', 'consumer.json'), 'utf8')).cloud).toBe('eks');
  });

  test('installs in reasonable time with a warm npm cache', () => {
    expect(seconds).toBeLessThan(600);
  });
});
