/**
 * Synth is a node program: CI jobs that run `cdk8s synth` or `cdktf synth` in a node image have no
 * terraform binary, and only `cdktf deploy` needs one. cdktf's own terraform_data construct runs
 * `terraform version` at every validation and fails synth without it, so ClusterAddons must not use
 * it. The example runs in a child process: a test's `process.env` is not the one child processes get.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

test('the default example synthesizes with no terraform on the PATH', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-no-terraform-'));
  const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-empty-path-'));
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-ts.js'), path.join(ROOT, 'examples', 'multi-cloud', 'main.ts')], {
    cwd, encoding: 'utf8', env: { HOME: process.env.HOME, TMPDIR: os.tmpdir(), PATH: emptyPath },
  });
  expect({ status: run.status, stderr: run.stderr.split('\n').filter((line) => /terraform|Error/.test(line)).slice(0, 5) }).toEqual({ status: 0, stderr: [] });
  expect(fs.readdirSync(path.join(cwd, 'cdktf.out', 'stacks')).sort()).toEqual(['ml-aks', 'ml-aks-addons', 'ml-eks', 'ml-eks-addons', 'ml-gke', 'ml-gke-addons']);
  // The Grafana password is still made once by Terraform and kept in state.
  const addons = JSON.parse(fs.readFileSync(path.join(cwd, 'cdktf.out', 'stacks', 'ml-eks-addons', 'cdk.tf.json'), 'utf8'));
  expect(Object.values<any>(addons.resource.terraform_data)).toEqual([expect.objectContaining({ input: '${sensitive(uuid())}', lifecycle: { ignore_changes: ['input'] } })]);
});
