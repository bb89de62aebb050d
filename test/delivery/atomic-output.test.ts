import { ApiObject, App as K8sApp, Lazy } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFleet } from '../../examples/fleet/main';
import { synthPlatform } from '../../lib';

const filesBelow = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name])).sort();

/** Runs the fleet program into `root` as its main would, with `change` applied to the apps before synth. */
function run(root: string, change: (terraform: App, kubernetes: K8sApp) => void = () => {}): void {
  const terraform = new App({ outdir: path.join(root, 'cdktf.out') });
  const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
  buildFleet(terraform, kubernetes);
  change(terraform, kubernetes);
  synthPlatform({ terraform, kubernetes });
}

describe('synth output is safe to deliver', () => {
  test('a re-synth removes the files of a chart that no longer exists', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-atomic-'));
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    // What a removed tenant left behind from an earlier run.
    fs.writeFileSync(path.join(root, 'dist', 'gke-fleet-eu-old-team.k8s.yaml'), 'kind: Namespace\n');
    run(root);
    expect(filesBelow(path.join(root, 'dist')).filter((f) => f.includes('old-team'))).toEqual([]);
  });

  test('a synth that fails half-way leaves the previous output whole', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-atomic-'));
    run(root);
    const before = filesBelow(root).map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]);
    expect(() => run(root, (_tf, k8s) => {
      // An object that fails while its chart is written, after other charts were.
      const last = k8s.charts[k8s.charts.length - 1];
      new ApiObject(last, 'broken', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'broken' }, data: { x: Lazy.any({ produce: () => { throw new Error('disk full'); } }) } });
    })).toThrow('disk full');
    expect(filesBelow(root).map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')])).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual(['cdktf.out', 'dist']);
  });

  test('Terraform\'s working files and local state in a stack directory survive a re-synth', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-atomic-'));
    run(root);
    const stackDir = path.join(root, 'cdktf.out', 'stacks', 'fleet-us');
    fs.mkdirSync(path.join(stackDir, '.terraform', 'providers'), { recursive: true });
    fs.writeFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'lock');
    fs.writeFileSync(path.join(stackDir, 'terraform.tfstate'), '{"serial": 7}');
    run(root);
    expect(fs.readFileSync(path.join(stackDir, 'terraform.tfstate'), 'utf8')).toBe('{"serial": 7}');
    expect(fs.existsSync(path.join(stackDir, '.terraform', 'providers'))).toBe(true);
    expect(fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8')).toBe('lock');
  });

  test('a later run clears what a killed run left next to the output', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-atomic-'));
    const killed = path.join(root, '.dist.new-abc123');
    fs.mkdirSync(killed);
    fs.writeFileSync(path.join(killed, 'half.k8s.yaml'), 'kind: Namespace\n');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(killed, twoHoursAgo, twoHoursAgo);
    fs.mkdirSync(path.join(root, '.cdktf.out.old-def456'));
    run(root);
    expect(fs.readdirSync(root).sort()).toEqual(['cdktf.out', 'dist']);
  });

  describe('a stack that left the program', () => {
    const withOldStack = (files: Record<string, string>, env: Record<string, string | undefined> = {}) => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-atomic-'));
      const old = path.join(root, 'cdktf.out', 'stacks', 'old-stack');
      fs.mkdirSync(old, { recursive: true });
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(old, name), text);
      const saved = process.env.CDKTF_OUTDIR;
      if (env.CDKTF_OUTDIR === undefined) delete process.env.CDKTF_OUTDIR; else process.env.CDKTF_OUTDIR = env.CDKTF_OUTDIR;
      try {
        run(root);
      } finally {
        if (saved === undefined) delete process.env.CDKTF_OUTDIR; else process.env.CDKTF_OUTDIR = saved;
      }
      return fs.existsSync(old) ? fs.readdirSync(old).sort() : undefined;
    };

    test('is gone when its directory held only synthesized files', () => {
      expect(withOldStack({ 'cdk.tf.json': '{}' })).toBeUndefined();
    });
    test('is kept whole when its directory holds state, which a synth never deletes', () => {
      expect(withOldStack({ 'cdk.tf.json': '{}', 'terraform.tfstate': '{}' })).toEqual(['cdk.tf.json', 'terraform.tfstate']);
    });
    test('is kept under cdktf synth, which deletes it itself and fails when it is already gone', () => {
      expect(withOldStack({ 'cdk.tf.json': '{}' }, { CDKTF_OUTDIR: 'cdktf.out' })).toEqual(['cdk.tf.json']);
    });
  });
});
