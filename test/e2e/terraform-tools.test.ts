import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findTerraform, startAwsProvider, terraformRunner } from './terraform-tools';

/** A filesystem mirror holding only `file` (with `content`) as the aws provider `version`. */
function mirrorWith(version: string, file: string, content: string, mode: number): string {
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-mirror-'));
  const dir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', version, 'linux_amd64');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), content, { mode });
  return mirror;
}

describe('the shared aws provider of the terraform tests', () => {
  test('a provider that exits instead of listening fails the start, naming the provider and what it printed', async () => {
    const mirror = mirrorWith('9.9.9', 'terraform-provider-aws_v9.9.9_x5', '#!/bin/sh\necho "no debug mode here"\nexit 3\n', 0o755);
    await expect(startAwsProvider(mirror, '9.9.9')).rejects.toThrow(/terraform provider aws 9\.9\.9 did not start in debug mode \(.*terraform-provider-aws_v9\.9\.9_x5\):\nno debug mode here/);
  });

  test('a provider file that cannot be run fails the start, naming where it looked', async () => {
    const mirror = mirrorWith('9.9.9', 'terraform-provider-aws_v9.9.9_x5', 'not a program', 0o644);
    await expect(startAwsProvider(mirror, '9.9.9')).rejects.toThrow(/terraform provider aws 9\.9\.9 is not runnable: no executable terraform-provider-aws_\* under .*registry\.terraform\.io\/hashicorp\/aws\/9\.9\.9\./);
  });
});

describe('the terraform runner', () => {
  // terraform_data is built into terraform: no provider, no mirror entry.
  const planIn = (config: object) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-runner-'));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config));
    const run = terraformRunner(findTerraform(), dir, fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-mirror-')));
    run('init', '-input=false');
    return run;
  };
  const flags = ['-input=false', '-refresh=false', '-lock=false'];

  test('planHasChanges: exit 2 (a resource or an output to create) is true, exit 0 (nothing to do) is false', () => {
    expect(planIn({ resource: { terraform_data: { marker: { input: 'v1' } } } }).planHasChanges(...flags)).toBe(true);
    // An output alone is a change too: the day-2 harness still filters the resource changes after `show`.
    expect(planIn({ output: { marker: { value: 'v1' } } }).planHasChanges(...flags)).toBe(true);
    expect(planIn({}).planHasChanges(...flags)).toBe(false);
  });

  test('planHasChanges: an invalid configuration (exit 1) still throws, with terraform\'s message', () => {
    const run = planIn({ resource: { terraform_data: { marker: { no_such_argument: 1 } } } });
    expect(() => run.planHasChanges(...flags)).toThrow(/terraform plan failed \(exit 1\)[\s\S]*no_such_argument/);
  });
});
