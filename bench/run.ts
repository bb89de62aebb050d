/**
 * `npm run bench`: measures import cost, platform synth at growing N against the YAML
 * serialization floor, cdktf synth of large clusters, and training-job size, each in fresh
 * processes, and writes BENCHMARKS.md. Figures only: nothing here passes or fails.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SIZES = [100, 500, 1000, 2000];
const IMPORT_RUNS = 7;

type Measure = 'import' | 'platform' | 'clusters' | 'training';

/** Runs one measurement in a fresh Node process and returns what it printed as JSON. */
function measureInChild(kind: Measure, arg = ''): any {
  const out = execFileSync(process.execPath, [__filename, '--measure', kind, arg], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function measureImport() {
  const start = process.hrtime.bigint();
  require('../lib');
  const wallMs = ms(start);
  const barrels = Object.keys(require.cache).filter((m) => /@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/.test(m));
  return { wallMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), barrels };
}

function measurePlatform(n: number) {
  const { App, Yaml } = require('cdk8s') as typeof import('cdk8s');
  const { buildScaledPlatform } = require('./scenario') as typeof import('./scenario');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-bench-'));
  // Warm-up, not measured: a small platform through the same code paths, as the floor gets warm code too.
  const warm = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-bench-warm-')) });
  buildScaledPlatform(warm, 15);
  warm.synth();
  let start = process.hrtime.bigint();
  const app = new App({ outdir });
  const built = buildScaledPlatform(app, n);
  const constructMs = ms(start);
  start = process.hrtime.bigint();
  app.synth();
  const synthMs = ms(start);
  const outputBytes = fs.readdirSync(outdir).reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
  // The floor: the same final documents, serialized by the same YAML library, nothing else.
  const documents = app.charts.map((chart) => chart.toJson());
  let floorMs = Infinity;
  for (let i = 0; i < 3; i++) {
    start = process.hrtime.bigint();
    for (const docs of documents) Yaml.stringify(...docs);
    floorMs = Math.min(floorMs, ms(start));
  }
  const objects = documents.reduce((sum, docs) => sum + docs.length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { n, ...built, objects, constructMs, synthMs, floorMs, outputBytes, peakRssMiB: maxRssMiB() };
}

function measureClusters() {
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  const lib = require('../lib') as typeof import('../lib');
  const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
  const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
  const { AzurermProvider } = require('@cdktf/provider-azurerm/lib/provider');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-bench-tf-'));
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  const gkeStack = new TerraformStack(app, 'gke');
  new GoogleProvider(gkeStack, 'google', { project: 'p' });
  const gke = new lib.GkeCluster(gkeStack, 'c', { name: 'bench-gke', project: 'p', location: 'europe-west4', network: 'n', subnetwork: 's', secretsEncryptionKey: 'k' });
  const eksStack = new TerraformStack(app, 'eks');
  new AwsProvider(eksStack, 'aws', { region: 'us-east-1' });
  const eks = new lib.EksCluster(eksStack, 'c', { name: 'bench-eks', region: 'us-east-1', subnetIds: ['a', 'b'], admins: ['arn:aws:iam::1:role/a'] });
  const aksStack = new TerraformStack(app, 'aks');
  new AzurermProvider(aksStack, 'azurerm', { features: [{}] });
  const aks = new lib.AksCluster(aksStack, 'c', { name: 'bench-aks', location: 'westeurope', resourceGroupName: 'rg', vnetSubnetId: 's', tenantId: 't', adminGroupObjectIds: ['g'], logAnalyticsWorkspaceId: 'w' });
  const pools: Array<[InstanceType<typeof lib.GkeCluster> | InstanceType<typeof lib.EksCluster> | InstanceType<typeof lib.AksCluster>, string, typeof lib.Accelerator.NVIDIA_L4]> = [
    [gke, 'e2-standard-8', lib.Accelerator.NVIDIA_L4], [eks, 'm6i.2xlarge', lib.Accelerator.NVIDIA_L4], [aks, 'Standard_D8ds_v5', lib.Accelerator.NVIDIA_T4],
  ];
  for (const [cluster, machineType, accelerator] of pools) {
    for (let i = 0; i < 10; i++) {
      cluster.addNodePool(`cpu${i}`, { machineType, maxNodes: 10 });
      cluster.addGpuPool(`gpu${i}`, { accelerator, maxNodes: 4, spot: i % 2 === 1 });
    }
  }
  app.synth();
  const wallMs = ms(start);
  const outputBytes = ['gke', 'eks', 'aks'].reduce((sum, s) => sum + fs.statSync(path.join(outdir, 'stacks', s, 'cdk.tf.json')).size, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { clusters: 3, poolsPerCluster: 20, wallMs, outputBytes, peakRssMiB: maxRssMiB() };
}

function measureTraining() {
  const { Chart, Testing } = require('cdk8s') as typeof import('cdk8s');
  const { stringify } = require('yaml') as typeof import('yaml');
  const lib = require('../lib') as typeof import('../lib');
  const { BENCH_CLUSTERS } = require('./scenario') as typeof import('./scenario');
  return [10, 100, 1000].map((workers) => {
    const chart = new Chart(Testing.app(), 'training');
    new lib.TfTrainingJob(chart, 'big', { namespace: 'team', image: 'tensorflow/tensorflow:2.21.0', strategy: lib.TfStrategy.MULTI_WORKER_MIRRORED, chief: {}, workers: { replicas: workers }, cluster: BENCH_CLUSTERS[0] });
    const docs = chart.toJson();
    const worker = docs.find((d: any) => d.metadata.name === 'big-worker');
    const tfConfig = worker.spec.template.spec.containers[0].env.find((e: any) => e.name === 'TF_CONFIG').value;
    return { workers, objects: docs.length, yamlBytes: Buffer.byteLength(docs.map((d: any) => stringify(d)).join('---\n')), tfConfigBytes: Buffer.byteLength(tfConfig) };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Least-squares slope of log(y) against log(x). */
function logLogSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length;
  const my = ly.reduce((a, b) => a + b) / ly.length;
  const num = lx.reduce((sum, x, i) => sum + (x - mx) * (ly[i] - my), 0);
  const den = lx.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return num / den;
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

function report(): string {
  const started = Date.now();
  const imports = Array.from({ length: IMPORT_RUNS }, () => measureInChild('import'));
  const platform = SIZES.map((n) => measureInChild('platform', String(n)));
  const clusters = measureInChild('clusters');
  const training = measureInChild('training');
  const importMs = median(imports.map((i) => i.wallMs));
  const importRss = median(imports.map((i) => i.rssMiB));
  const barrels = [...new Set(imports.flatMap((i) => i.barrels))];
  const ratios = platform.map((p) => p.synthMs / p.floorMs);
  const synthSlope = logLogSlope(SIZES, platform.map((p) => p.synthMs));
  const totalSlope = logLogSlope(SIZES, platform.map((p) => p.constructMs + p.synthMs));
  const cpus = os.cpus();

  return [
    '# Benchmarks',
    '',
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${fixed(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}. Node ${process.version}. Run ${new Date().toISOString()} by \`npm run bench\` in ${fixed((Date.now() - started) / 1000)} s.`,
    'Every figure comes from a fresh process; times are wall-clock milliseconds.',
    '',
    '## 1. Import of the library entry',
    '',
    `Median of ${IMPORT_RUNS} processes: **${fixed(importMs)} ms**, RSS ${importRss} MiB (goal ≤ 300 ms: ${verdict(importMs <= 300)}). Provider root barrels in \`require.cache\`: ${barrels.length === 0 ? 'none' : barrels.join(', ')}.`,
    '',
    '## 2. Platform synth (cdk8s)',
    '',
    'N serving stacks (GPU-free, HPA, 50 % canary, ServiceMonitor and alerts), N/5 tenants and N/5 four-GPU training jobs, over GKE, EKS and AKS profiles, one chart per cluster. Synth includes validation and the policy gate. Floor: the same final documents serialized by the same YAML library (`Yaml.stringify` of cdk8s), nothing else, best of 3. Each process first synthesizes a 15-stack platform, unmeasured, so synth and floor both run warm code.',
    '',
    '| N | tenants | jobs | objects | construct ms | synth ms | floor ms | synth / floor | output MB | peak RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...platform.map((p, i) => `| ${p.n} | ${p.tenants} | ${p.trainingJobs} | ${p.objects} | ${fixed(p.constructMs)} | ${fixed(p.synthMs)} | ${fixed(p.floorMs)} | ${fixed(ratios[i], 2)} | ${fixed(p.outputBytes / 1e6, 1)} | ${p.peakRssMiB} |`),
    '',
    `- Ratio to the floor: ${ratios.map((r) => fixed(r, 2)).join(', ')} (goal ≤ 2 at every N: ${verdict(ratios.every((r) => r <= 2))}).`,
    `- Log-log slope of synth time against N: **${fixed(synthSlope, 2)}**; of construct + synth: ${fixed(totalSlope, 2)} (goal ≤ 1.1: ${verdict(synthSlope <= 1.1)}).`,
    '',
    '## 3. cdktf synth of three clusters with 20 pools each',
    '',
    `GKE, EKS and AKS, 10 CPU and 10 GPU pools each: **${fixed(clusters.wallMs)} ms** including construction, ${fixed(clusters.outputBytes / 1e6, 2)} MB of Terraform JSON, peak RSS ${clusters.peakRssMiB} MiB.`,
    '',
    '## 4. Training jobs by size',
    '',
    '| workers | objects | YAML bytes | TF_CONFIG bytes |',
    '|---|---|---|---|',
    ...training.map((t: any) => `| ${t.workers} | ${t.objects} | ${t.yamlBytes} | ${t.tfConfigBytes} |`),
    '',
    `Objects constant: ${verdict(new Set(training.map((t: any) => t.objects)).size === 1)}; 1000 workers under 150 KB: ${verdict(training[2].yamlBytes < 150 * 1024)}.`,
    '',
    '## History',
    '',
    '- Before the app index (same machine, N = 400): 6.0 s synth, 3.2 s of it in `undefinedReferenceProblems`, which walked the whole tree once per workload (quadratic). The index is now built once per validation pass and shared by every cross-check; at N = 400 synth takes 1.2 s, and the profile is dominated by YAML serialization.',
    '- Before the policy gate: synth / floor was 1.57, 1.37, 1.36, 1.36 at N = 100 … 2000. The gate checks the final objects (JSON patches included), so it renders the objects its rules read a second time, during validation: 1.4 s of 4.5 s at N = 1000 when it rendered every object. It now renders only the kinds some rule reads (pod controllers, namespaces, policies, quotas, autoscalers, budgets, accounts, RBAC), and indexes objects by namespace for the cross-object rules.',
    '- The first version of the gate walked the whole tree for every library construct to find charts: construct time at N = 2000 grew from 0.4 s to 19 s. It now looks only at the app\'s children and the construct\'s own chart.',
    '',
  ].join('\n');
}

if (process.argv[2] === '--measure') {
  const kind = process.argv[3] as Measure;
  const result = kind === 'import' ? measureImport()
    : kind === 'platform' ? measurePlatform(Number(process.argv[4]))
    : kind === 'clusters' ? measureClusters()
    : measureTraining();
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const text = report();
  fs.writeFileSync(path.join(__dirname, '..', '..', 'BENCHMARKS.md'), text);
  process.stdout.write(text);
}
