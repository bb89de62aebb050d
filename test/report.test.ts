import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFleet } from '../examples/fleet/main';
import { buildMultiCloud } from '../examples/multi-cloud/main';
import { synthPlatformOrExit } from '../lib';

/** Runs a program's main in `root` and returns what it printed, with the files it wrote. */
function runMain(build: (terraform: App, kubernetes: K8sApp) => unknown, env: Record<string, string> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-report-'));
  const cwd = process.cwd();
  const printed: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
  const log = jest.spyOn(console, 'log').mockImplementation((text) => { printed.stdout.push(String(text)); });
  const error = jest.spyOn(console, 'error').mockImplementation((text) => { printed.stderr.push(String(text)); });
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    process.chdir(root);
    const terraform = new App();
    const kubernetes = new K8sApp({ outdir: 'dist' });
    build(terraform, kubernetes);
    synthPlatformOrExit({ terraform, kubernetes });
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    error.mockRestore();
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  return { stdout: printed.stdout.join('\n'), stderr: printed.stderr.join('\n'), platform: fs.readFileSync(path.join(root, 'dist', 'PLATFORM.md'), 'utf8') };
}

describe('the synth summary', () => {
  const { stdout, platform } = runMain(buildMultiCloud);

  test('starts with where each kind of file was written', () => {
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'Wrote',
      '  Terraform  cdktf.out/stacks/{ml-aks,ml-aks-addons,ml-eks,ml-eks-addons,ml-gke,ml-gke-addons}/cdk.tf.json',
      '  Profiles   cdktf.out/profiles/{ml-aks.json,ml-eks.json,ml-gke.json}',
      expect.stringMatching(/^ {2}Manifests {2}dist\/\{ml-aks-platform\.k8s\.yaml,.*,ml-gke-team-vision\.k8s\.yaml\}$/),
      '  Overview   dist/PLATFORM.md',
    ]);
  });

  test('writes a pool as its node range times what each node carries', () => {
    expect(stdout).toMatch(/^ {4}gpu +g2-standard-4 +0–8 nodes × 1 L4 +8 L4 +no$/m);
    expect(stdout).toMatch(/^ {4}cpu +e2-standard-8 +1–6 nodes +- +no$/m);
    expect(platform).toContain('p_ml_aks_gpuspot["gpuspot: 0–8 nodes × 1 T4, spot"]');
  });

  test('has a route table per cluster: host and path, Service, track and share, model and version or label', () => {
    const host = 'models\\.ml-gke\\.internal\\.acme\\.dev';
    expect(stdout).toMatch(/^ {2}Routes$/m);
    expect(stdout).toMatch(new RegExp(`^ {4}resnet-serving +${host}/v1/models/resnet +resnet-serving-weighted +stable 50% +resnet +latest$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {4}resnet-serving +${host}/v1/models/resnet +resnet-serving-canary-weighted +canary 50% +resnet +latest$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {4}resnet-serving +${host}/v1/models/resnet/versions/1 +resnet-serving +stable 100% +resnet +version 1$`, 'm'));
    expect(stdout).toMatch(/^ {4}resnet-serving +\(Service\)\/v1\/models\/resnet\/labels\/canary +resnet-serving-canary +canary 100% +resnet +label canary$/m);
    expect(platform).toContain('### Routes');
  });

  test('draws spot edges only for work that tolerates spot: the training job, never the serving stack', () => {
    expect(platform).toContain('j_ml_gke_team_vision_resnet -.-> p_ml_gke_gpu');
    expect(platform).toContain('j_ml_gke_team_vision_resnet -. spot .-> p_ml_gke_gpuspot');
    expect(platform).toContain('s_ml_gke_team_vision_resnet_serving -.-> p_ml_gke_gpu');
    expect(platform).not.toMatch(/s_ml_gke_team_vision_resnet_serving -\. spot/);
  });
});

describe('the diagram of a fleet with a job allowed on spot', () => {
  const { stdout, stderr, platform } = runMain(buildFleet, { CDK8S_OUTDIR: 'dist' });

  test('draws the spot pool the job may land on, labelled spot, next to the on-demand one', () => {
    expect(platform).toContain('j_fleet_eu_research_bert -.-> p_fleet_eu_l4');
    expect(platform).toContain('j_fleet_eu_research_bert -. spot .-> p_fleet_eu_l4spot');
    expect(platform).not.toContain('j_fleet_us_research_bert -. spot');
  });

  test('under cdk8s synth (CDK8S_OUTDIR set) the summary goes to standard error, which the CLI shows', () => {
    expect(stdout).toBe('');
    expect(stderr).toContain('Manifests  dist/{fleet-eu/,fleet-lab/,fleet-us/}, dist/gitops/{fleet-eu.yaml,fleet-lab.yaml,fleet-us.yaml}');
  });
});
