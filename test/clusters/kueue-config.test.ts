import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Accelerator, ClusterAddons, EksCluster } from '../../lib';
import { resources } from '../tf-helpers';
import { CHART_DEFAULT_CONFIG, managerConfigOf, notReadyVerdict } from '../k8s/kueue-pods-ready';

// A queued job is admitted on quota, not on nodes: its pods may still not all be placed (no spot
// capacity in the zone, a reclaimed node with no replacement). What Kueue then does is set by the
// manager configuration the library installs it with.

function kueueConfig() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-kueue-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'cluster');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const cluster = new EksCluster(stack, 'eks', { name: 'c', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
  cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 2, spot: true });
  new ClusterAddons(new TerraformStack(app, 'addons'), 'addons', { cluster, kueue: true });
  app.synth();
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'addons', 'cdk.tf.json'), 'utf8'));
  const release = resources(tf, 'helm_release').find((r: any) => r.chart === 'kueue');
  if (!release) throw new Error('ClusterAddons({ kueue: true }) wrote no kueue release');
  return managerConfigOf(release);
}

describe('Kueue as ClusterAddons installs it', () => {
  const config = kueueConfig();

  test('a job whose pods cannot all be placed gives its quota back and waits in the queue again', () => {
    expect(notReadyVerdict(config, { wasReady: false, elapsedMinutes: 14 })).toBe('keeps its quota');
    expect(notReadyVerdict(config, { wasReady: false, elapsedMinutes: 15 })).toBe('evicted and requeued');
  });

  test('a running job that lost a pod (a spot reclaim) and cannot replace it gives its quota back too', () => {
    expect(notReadyVerdict(config, { wasReady: true, elapsedMinutes: 15 })).toBe('evicted and requeued');
  });

  test('admission is not held for the whole cluster while one job starts', () => {
    expect(config.waitForPodsReady.blockAdmission).toBe(false);
  });

  test('every other setting is the chart\'s default', () => {
    const { waitForPodsReady, ...rest } = config;
    expect(waitForPodsReady).toBeDefined();
    expect(rest).toEqual(CHART_DEFAULT_CONFIG);
  });

  test('(the chart\'s default alone would keep the quota of a job that never starts, for ever)', () => {
    expect(notReadyVerdict(CHART_DEFAULT_CONFIG, { wasReady: false, elapsedMinutes: 24 * 60 })).toBe('keeps its quota');
  });
});
