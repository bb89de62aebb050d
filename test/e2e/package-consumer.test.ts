import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The package as a consumer meets it: `npm pack`, installed into a fresh project with its own
 * package.json, cdk8s.yaml and cdktf.json, and a program that uses only the public entry; then
 * the real `cdk8s synth` and `cdktf synth` of that project.
 */
const ROOT = path.join(__dirname, '..', '..');
const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const pinned = (name: string) => own.devDependencies[name];

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true' }, maxBuffer: 64 * 1024 * 1024 });

describe('the packed library in a consumer project', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-consumer-'));
  let tarball: string;
  let packed: { size: number; files: Array<{ path: string }> };

  beforeAll(() => {
    [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT));
    tarball = path.join(work, (packed as any).filename);
    const project = path.join(work, 'infra');
    fs.mkdirSync(project);
    // Only the cloud the program uses: the other provider bindings are optional peers, loaded on use.
    const deps = ['cdktf', 'cdk8s', 'constructs', '@cdktf/provider-aws'];
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'consumer-infra',
      private: true,
      dependencies: { 'ml-platform-constructs': `file:${tarball}`, ...Object.fromEntries(deps.map((d) => [d, pinned(d)])) },
      devDependencies: Object.fromEntries(['typescript', 'cdk8s-cli', 'cdktf-cli', '@types/node'].map((d) => [d, pinned(d)])),
    }, null, 2));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out' }, include: ['main.ts'] }));
    fs.writeFileSync(path.join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx tsc && node out/main.js', output: 'cdktf.out', sendCrashReports: 'false' }));
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: typescript\napp: npx tsc && node out/main.js\noutput: dist\n');
    fs.copyFileSync(path.join(__dirname, 'consumer', 'main.ts'), path.join(project, 'main.ts'));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project);
  }, 15 * 60_000);

  const project = () => path.join(work, 'infra');

  test('ships compiled JavaScript and declarations only, under 10 MB', () => {
    expect(packed.size).toBeLessThan(10 * 1024 * 1024);
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('build/lib/index.js');
    expect(files).toContain('build/lib/index.d.ts');
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|build\/lib\/.+\.(js|d\.ts))$/.test(f))).toEqual([]);
  });

  test('the other clouds\' provider bindings are not installed, and not needed', () => {
    for (const provider of ['provider-google', 'provider-azurerm', 'provider-helm']) {
      expect(fs.existsSync(path.join(project(), 'node_modules', '@cdktf', provider))).toBe(false);
    }
  });

  test('types resolve from the public entry alone', () => {
    expect(() => run('npx', ['tsc', '--noEmit'], project())).not.toThrow();
    expect(fs.readFileSync(path.join(project(), 'main.ts'), 'utf8')).not.toMatch(/ml-platform-constructs\//);
  });

  test('the program, the library, cdk8s and cdktf all load one and the same copy of constructs, cdk8s and cdktf', () => {
    // Tools such as cdk8s-cli may carry private copies; what matters is what the program loads.
    const script = `
      const from = (dir) => ({ constructs: require.resolve('constructs', { paths: [dir] }), cdk8s: require.resolve('cdk8s', { paths: [dir] }), cdktf: require.resolve('cdktf', { paths: [dir] }) });
      const dirs = ['.', 'node_modules/ml-platform-constructs', 'node_modules/cdk8s', 'node_modules/cdktf', 'node_modules/@cdktf/provider-aws'];
      console.log(JSON.stringify(dirs.map((d) => from(require('path').resolve(d)))));`;
    const seen: Array<Record<string, string>> = JSON.parse(run(process.execPath, ['-e', script], project()));
    for (const name of ['constructs', 'cdk8s', 'cdktf']) {
      expect({ name, copies: [...new Set(seen.map((s) => path.relative(project(), s[name])))] }).toEqual({ name, copies: [`node_modules/${name}/lib/index.js`] });
    }
  });

  test('cdk8s synth writes the manifests, one file per cluster and tenant', () => {
    run('npx', ['cdk8s', 'synth'], project());
    expect(fs.readdirSync(path.join(project(), 'dist')).sort()).toEqual(['PLATFORM.md', 'eks-consumer-platform.k8s.yaml', 'eks-consumer-team.k8s.yaml']);
    expect(fs.readFileSync(path.join(project(), 'dist', 'eks-consumer-team.k8s.yaml'), 'utf8')).toContain('kind: ResourceQuota');
  }, 5 * 60_000);

  test('cdktf synth writes the Terraform stack and the cluster profile', () => {
    fs.rmSync(path.join(project(), 'cdktf.out'), { recursive: true, force: true });
    run('npx', ['cdktf', 'synth'], project());
    const stack = JSON.parse(fs.readFileSync(path.join(project(), 'cdktf.out', 'stacks', 'consumer-eks', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource.aws_eks_node_group)).toHaveLength(2);
    expect(JSON.parse(fs.readFileSync(path.join(project(), 'cdktf.out', 'profiles', 'consumer.json'), 'utf8')).cloud).toBe('eks');
  }, 5 * 60_000);
});
