/**
 * The Grafana admin password ClusterAddons makes: the terraform_data block as synth writes it,
 * applied by real Terraform on its own (it needs no provider). It must come out as a UUID, be kept
 * in state, and not change on the next plan (a rotating password would roll Grafana at every apply).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterAddons, EksCluster } from '../../lib';
import { findTerraform } from './terraform-tools';

function passwordBlock(): Record<string, unknown> {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-grafana-')) });
  const clusterStack = new TerraformStack(app, 'cluster');
  new AwsProvider(clusterStack, 'aws', { region: 'us-east-1' });
  const cluster = new EksCluster(clusterStack, 'eks', { name: 'c', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
  const addons = new TerraformStack(app, 'addons');
  new ClusterAddons(addons, 'addons', { cluster });
  const json = JSON.parse(JSON.stringify(addons.toTerraform()));
  const blocks = json.resource.terraform_data;
  expect(Object.keys(blocks)).toHaveLength(1);
  return blocks;
}

test('the Grafana password is a UUID made once: a second plan changes nothing', () => {
  const terraform = findTerraform();
  const blocks = passwordBlock();
  const [name] = Object.keys(blocks);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-grafana-root-'));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({
    resource: { terraform_data: blocks },
    output: { password: { value: `\${terraform_data.${name}.output}`, sensitive: true } },
  }));
  // No provider to install: an empty CLI configuration (the machine's may name a missing file, which terraform warns about).
  fs.writeFileSync(path.join(dir, 'cli.tfrc'), '');
  const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, 'cli.tfrc'), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const run = (...args: string[]) => spawnSync(terraform, args, { cwd: dir, encoding: 'utf8', env });
  expect(run('init', '-input=false').status).toBe(0);
  const apply = run('apply', '-auto-approve', '-input=false');
  expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: '' });
  const password = run('output', '-raw', 'password').stdout;
  expect(password).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // -detailed-exitcode: 0 is no change, 2 is a change.
  expect(run('plan', '-input=false', '-detailed-exitcode').status).toBe(0);
  expect(run('output', '-raw', 'password').stdout).toBe(password);
});
