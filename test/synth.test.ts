import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App as K8sApp } from 'cdk8s';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Accelerator, EksCluster, synthPlatform, TfStrategy, TfTrainingJob, ValidationError } from '../lib';
import { testChart } from './k8s-helpers';

describe('synthPlatform', () => {
  function apps() {
    const tfOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-tf-'));
    const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-k8s-'));
    const terraform = new App({ outdir: tfOut });
    const kubernetes = new K8sApp({ outdir: k8sOut });
    const stack = new TerraformStack(terraform, 'eks');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const cluster = new EksCluster(stack, 'cluster', { name: 'c', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
    cluster.addGpuPool('gpu', { accelerator: Accelerator.NVIDIA_L4, maxNodes: 1 });
    return { terraform, kubernetes, cluster, tfOut, k8sOut };
  }

  test('writes both sides when both are valid', () => {
    const { terraform, kubernetes, cluster, tfOut, k8sOut } = apps();
    new TfTrainingJob(testChart(kubernetes, 'jobs'), 'j', { namespace: 'ns', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1, gpus: 1, accelerator: Accelerator.NVIDIA_L4 }, cluster: cluster.profile });
    synthPlatform({ terraform, kubernetes });
    expect(fs.existsSync(path.join(tfOut, 'stacks', 'eks', 'cdk.tf.json'))).toBe(true);
    expect(fs.readdirSync(k8sOut)).toEqual(['jobs.k8s.yaml']);
  });

  test('fails when the Kubernetes side has a problem, writing neither side and listing both sides\' problems', () => {
    const { terraform, kubernetes, cluster, tfOut, k8sOut } = apps();
    cluster.addNodePool('cpu', { machineType: 'm6i.large', minNodes: 2, maxNodes: 1 });
    new TfTrainingJob(testChart(kubernetes, 'jobs'), 'j', { namespace: 'ns', image: 'tf:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 3, gpus: 1, accelerator: Accelerator.NVIDIA_L4 }, cluster: cluster.profile });
    let error: unknown;
    try { synthPlatform({ terraform, kubernetes }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain('[eks/cluster] POOL_MIN_GT_MAX');
    expect(message).toContain('[jobs/j] GPU_DEMAND_EXCEEDS_CAPACITY');
    // cdktf makes an empty stacks/ folder when the App is created; no file is written into it.
    expect(fs.readdirSync(tfOut, { recursive: true }).filter((f) => String(f).endsWith('.json'))).toEqual([]);
    expect(fs.readdirSync(k8sOut)).toEqual([]);
  });
});

describe('synthPlatformOrExit', () => {
  test('prints every problem without a stack trace and exits 1', () => {
    const entry = require.resolve('../build/lib/index.js');
    const script = `
      const { App } = require('cdk8s');
      const lib = require(${JSON.stringify(entry)});
      const kubernetes = new App({ outdir: require('fs').mkdtempSync(require('os').tmpdir() + '/mlpc-') });
      const chart = new (require('cdk8s').Chart)(kubernetes, 'jobs');
      lib.declareExternalNamespace(chart, 'ns');
      const cluster = lib.ClusterProfile.fromJson({ cloud: 'gke', name: 'c', kubernetesVersion: '1.33', capabilities: { devicePluginRequired: false, managedGpuDrivers: true, extendedResourceToleration: true, networkPolicyEnforced: true, workloadIdentity: true }, pools: [] });
      new lib.TfTrainingJob(chart, 'j', { namespace: 'ns', image: 'tf:latest', strategy: lib.TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 0 }, cluster });
      lib.synthPlatformOrExit({ kubernetes });`;
    const result = require('child_process').spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Validation failed with 2 problem(s)');
    expect(result.stderr).toContain('[jobs/j] IMAGE_NOT_PINNED');
    expect(result.stderr).toContain('[jobs/j] REPLICAS_INVALID');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test.each([
    ['a builder that returns nothing', 'lib.synthPlatformOrExit(() => undefined);', 'Received: (not set).'],
    ['no apps at all', 'lib.synthPlatformOrExit();', 'Received: (not set).'],
  ])('JavaScript: %s is listed, not a TypeError with a stack trace', (_, call, detail) => {
    const entry = require.resolve('../build/lib/index.js');
    const result = require('child_process').spawnSync(process.execPath, ['-e', `const lib = require(${JSON.stringify(entry)}); ${call}`], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\[synthPlatform\] [A-Z_]+: .* Received: .*\. Fix: /);
    expect(result.stderr).toContain(detail);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test('lists the problems of a bad profile file the same way, when the apps are built inside it', () => {
    const entry = require.resolve('../build/lib/index.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-profile-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ cloud: 'gke', name: 'c', kubernetesVersion: 'latest', capabilities: {}, pools: [null] }));
    const script = `
      const { App } = require('cdk8s');
      const lib = require(${JSON.stringify(entry)});
      lib.synthPlatformOrExit(() => {
        const kubernetes = new App({ outdir: ${JSON.stringify(dir)} + '/out' });
        new lib.ClusterCharts(kubernetes, lib.ClusterProfile.fromFile(${JSON.stringify(file)}));
        return { kubernetes };
      });`;
    const result = require('child_process').spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`[${file}] PROFILE_VERSION_INVALID: profile.kubernetesVersion must be a minor version such as "1.33". Received: "latest". Fix: write major.minor`);
    expect(result.stderr).toContain(`[${file}] PROFILE_POOL_INVALID: profile.pools[0] must be an object. Received: null. Fix: `);
    expect(result.stderr).toContain(`[${file}] PROFILE_CAPABILITIES_INVALID: profile.capabilities.managedGpuDrivers must be a boolean. Received: (not set). Fix: `);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
