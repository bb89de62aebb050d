/**
 * One measurement, run in a fresh process by bench/run.ts: `node measure.js <kind> [args]`, prints
 * one JSON line. Everything that is compared is measured in the same process, so ratios hold on a
 * loaded machine even when the absolute times do not.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Shape } from './shapes';

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mlpc-bench-${prefix}-`));

/** The documents of one chart, as the floor and plain cdk8s get them. */
type ChartDocs = Array<{ id: string; docs: any[] }>;

/** The documents the shape process wrote to `docsFile` for the other processes. */
const readDocs = (docsFile: string) => JSON.parse(fs.readFileSync(docsFile, 'utf8')) as ChartDocs;

/** `run(outdir)` in a fresh output directory, removed after; CPU milliseconds of all threads. */
const cpuMsOf = (prefix: string, run: (outdir: string) => void): number => cpuOf(prefix, run).cpuMs;

/** As {@link cpuMsOf}, with the main thread's CPU milliseconds over the same span where it can be read. */
function cpuOf(prefix: string, run: (outdir: string) => void): { cpuMs: number; mainMs?: number } {
  const outdir = tmp(prefix);
  const main = mainThreadCpuMs();
  const cpuMs = cpuMsWhile(() => run(outdir));
  const mainMs = main === undefined ? undefined : mainThreadCpuMs()! - main;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { cpuMs, mainMs };
}

/** Rounds are taken, and their best kept, in groups of this many. */
const GROUP = 3;
const MAX_ROUNDS = 480;

/**
 * Runs `round` in groups of 3; small rounds are repeated until they add up to ten seconds (480 at
 * most): on a shared machine, rounds of the same work spread by up to half as much again, and the
 * best of a few is not yet free of that. With 48 at most, three processes of a 6 ms program read
 * 1.22–1.27 over plain cdk8s; with 480, 1.23–1.23.
 */
function repeatRounds(round: () => void): number {
  let rounds = 0;
  for (const started = Date.now(); ; ) {
    round();
    rounds++;
    if (rounds % GROUP === 0 && (Date.now() - started > 10000 || rounds >= MAX_ROUNDS)) return rounds;
  }
}

/**
 * The expected best of a group of rounds: the mean of each group's best. It is the same estimate at
 * every size, whatever the number of rounds. The best of all rounds was not: the best of 45 small
 * rounds sits lower in their spread than the best of 3 large ones, and the slope over N came out
 * higher than the cost's.
 */
function bestOfGroups(samples: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i += GROUP) sum += Math.min(...samples.slice(i, i + GROUP));
  return sum / Math.ceil(samples.length / GROUP);
}

/** CPU milliseconds of all threads while `run` runs. */
function cpuMsWhile(run: () => void): number {
  const cpu = process.cpuUsage();
  run();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

/**
 * Unmeasured rounds: three seconds of them, and at least as many as build the shape's largest size
 * once (20 at N = 100 when the largest is 2,000). The optimizing compiler reaches a function after
 * enough calls, not after enough time: three seconds are one round at N = 2,000 but six at N = 100,
 * where the library's functions that run once per object were first compiled in the measured
 * rounds 0-9 (`--trace-opt`), so the small sizes were measured while still warming up.
 */
function warmUp(id: string, n: number, round: () => void, afterFirst = () => {}) {
  const { shape } = require('./shapes') as typeof import('./shapes');
  const minRounds = Math.ceil(Math.max(...shape(id).sizes) / n);
  for (let warmed = 0, started = Date.now(); warmed < minRounds || Date.now() - started < 3000; warmed++) {
    round();
    if (warmed === 0) afterFirst();
  }
}

/**
 * The floor: each chart's documents written as the library's synth writes them (cdk8s's
 * `Yaml.stringify` per document, in chunks), one file per chart.
 */
function writeYaml(perChart: ChartDocs, outdir: string) {
  const { saveYamlInChunks } = require('../lib/policy/yaml-in-chunks') as typeof import('../lib/policy/yaml-in-chunks');
  for (const c of perChart) saveYamlInChunks(path.join(outdir, `${c.id.toLowerCase()}.k8s.yaml`), c.docs);
}

/** Constructs shape `id` at size `n` in a new app and synthesizes it to `outdir`. */
function synthShape(id: string, n: number, outdir: string) {
  const { App } = require('cdk8s') as typeof import('cdk8s');
  const { shape } = require('./shapes') as typeof import('./shapes');
  const app = new App({ outdir });
  shape(id).build(app, n);
  app.synth();
}

function measureImport() {
  const start = process.hrtime.bigint();
  require('../lib');
  const wallMs = ms(start);
  const barrels = Object.keys(require.cache).filter((m) => /@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/.test(m));
  return { wallMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), barrels };
}

/**
 * Construct + validate + synth of one shape at size `n`, against the floor (the same final
 * documents written as YAML by cdk8s's own serializer) and against plain cdk8s (the same
 * documents as bare ApiObjects in the same charts, constructed and synthesized).
 * With `docsFile`, also writes the documents there for the floor process (peak RSS) and plain
 * cdk8s's cold process.
 */
function measureShape(id: string, n: number, docsFile?: string) {
  const { App } = require('cdk8s') as typeof import('cdk8s');
  const { shape } = require('./shapes') as typeof import('./shapes');
  const s = shape(id);
  // Warm-up, not measured: library rounds at the same N (see warmUp). The JIT compiles the
  // library's code (and cdk8s's and the YAML writer's) over the first rounds of a size; with one
  // small round as the only warm-up, the measured library rounds carried that compilation on
  // background threads while plain cdk8s and the floor, measured after them, ran code the library
  // warmed.
  let peakRssMiB = 0;
  // The peak of a single app of this size.
  warmUp(id, n, () => cpuMsOf('warm', (outdir) => synthShape(id, n, outdir)), () => (peakRssMiB = maxRssMiB()));

  // For profiles of the library alone (`node --cpu-prof`): the warm-up's rounds.
  if (process.env.BENCH_LIBRARY_ONLY) return { id, n, peakRssMiB };

  // The documents the library writes, from one more round: the floor and plain cdk8s get them.
  const firstDir = tmp('lib');
  const { files, outputBytes, perChart } = documentsOf(s, n, firstDir);
  const objects = perChart.reduce((sum, c) => sum + c.docs.length, 0);

  const floorDir = tmp('floor');
  const writeFloor = () => writeYaml(perChart, floorDir);
  writeFloor();
  const identical = files.every((f) => fs.readFileSync(path.join(firstDir, f), 'utf8') === fs.readFileSync(path.join(floorDir, f), 'utf8'));
  fs.rmSync(firstDir, { recursive: true, force: true });

  // Each round's wall-clock and CPU time (user + system, all threads) of each phase. Each round runs
  // the library, the floor and plain cdk8s in turn, so that all three see the same load on a shared
  // machine and the same live heap (the documents), and none is measured while another's app is
  // still alive.
  const keys = ['constructMs', 'synthMs', 'constructCpuMs', 'synthCpuMs', 'floorMs', 'floorCpuMs', 'plainMs', 'plainCpuMs'] as const;
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<(typeof keys)[number], number[]>;
  const timed = (wallKey: (typeof keys)[number], cpuKey: (typeof keys)[number], run: () => void) => {
    const start = process.hrtime.bigint();
    samples[cpuKey].push(cpuMsWhile(run));
    samples[wallKey].push(ms(start));
  };
  const plainRound = (measure: boolean) => {
    const plainDir = tmp('plain');
    if (measure) timed('plainMs', 'plainCpuMs', () => synthPlain(perChart, plainDir));
    else synthPlain(perChart, plainDir);
    fs.rmSync(plainDir, { recursive: true, force: true });
  };
  // Plain cdk8s gets one unmeasured round of its own.
  plainRound(false);
  const libraryRound = () => {
    const outdir = tmp('lib');
    let app!: InstanceType<typeof App>;
    timed('constructMs', 'constructCpuMs', () => {
      app = new App({ outdir });
      s.build(app, n);
    });
    timed('synthMs', 'synthCpuMs', () => app.synth());
    fs.rmSync(outdir, { recursive: true, force: true });
  };
  const rounds = repeatRounds(() => {
    libraryRound();
    timed('floorMs', 'floorCpuMs', writeFloor);
    plainRound(true);
  });
  if (docsFile) fs.writeFileSync(docsFile, JSON.stringify(perChart));
  fs.rmSync(floorDir, { recursive: true, force: true });
  const best = Object.fromEntries(keys.map((k) => [k, bestOfGroups(samples[k])])) as Record<(typeof keys)[number], number>;
  return { id, n, rounds, objects, charts: perChart.length, ...best, identical, outputBytes, peakRssMiB };
}

/**
 * One construct + synth of shape `s` to `outdir`, and what it wrote: the files and, read back, each
 * chart's documents in the files' order. The app is dropped on return.
 */
function documentsOf(s: Shape, n: number, outdir: string) {
  const { App, Names } = require('cdk8s') as typeof import('cdk8s');
  const app = new App({ outdir });
  s.build(app, n);
  app.synth();
  const files = fs.readdirSync(outdir);
  const outputBytes = files.reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
  // (cdk8s's Yaml.load reads through a child process whose output buffer large files overflow.)
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  const read = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()).filter((d) => d !== null);
  const perChart: ChartDocs = app.charts.map((chart) => ({ id: chart.node.id, docs: read(path.join(outdir, `${Names.toDnsLabel(chart)}.k8s.yaml`)) }));
  return { files, outputBytes, perChart };
}

/** The documents of each chart as bare ApiObjects in charts of the same ids, synthesized to `outdir`. */
function synthPlain(perChart: ChartDocs, outdir: string) {
  const { ApiObject, App, Chart } = require('cdk8s') as typeof import('cdk8s');
  const plain = new App({ outdir });
  for (const c of perChart) {
    const chart = new Chart(plain, c.id);
    c.docs.forEach((doc, k) => new ApiObject(chart, `o${k}`, doc));
  }
  plain.synth();
}

/**
 * How the cost grows with N, without the other two: one of the library (construct + synth), plain
 * cdk8s and the floor (both from the documents in `docsFile`) in a process of its own, warmed up
 * as the interleaved rounds are. Also the lowest round, the figure before rounds were taken in groups.
 * Interleaved in one process, every phase also runs in the heap the phase before it left, and the
 * floor and plain cdk8s mostly grow faster with N there than alone.
 */
function measureAlone(which: 'library' | 'plain' | 'floor', id: string, n: number, docsFile?: string) {
  const round = aloneRound(which, id, n, docsFile);
  warmUp(id, n, () => cpuMsOf('alone', round));
  const samples: number[] = [];
  const rounds = repeatRounds(() => samples.push(cpuMsOf('alone', round)));
  return { cpuMs: bestOfGroups(samples), lowestCpuMs: Math.min(...samples), rounds };
}

function aloneRound(which: 'library' | 'plain' | 'floor', id: string, n: number, docsFile?: string): (outdir: string) => void {
  if (which === 'library') return (outdir) => synthShape(id, n, outdir);
  if (!docsFile) throw new Error(`${which}-alone needs the documents' file`);
  const perChart = readDocs(docsFile);
  return which === 'plain' ? (outdir) => synthPlain(perChart, outdir) : (outdir) => writeYaml(perChart, outdir);
}

/**
 * The cold figures: one construct + synth of the library in a fresh process, as `cdk8s synth` runs a
 * program, and one synth of the same documents by plain cdk8s in another. Imports are not counted.
 */
function measureLibraryCold(id: string, n: number) {
  require('./shapes');
  return { coldCpuMs: cpuMsOf('libcold', (outdir) => synthShape(id, n, outdir)) };
}

function measurePlainCold(docsFile: string) {
  require('cdk8s');
  const perChart = readDocs(docsFile);
  return { coldCpuMs: cpuMsOf('plaincold', (outdir) => synthPlain(perChart, outdir)) };
}

/**
 * For tracing where a shape's overhead goes (not read by bench/run.ts): the rounds of `measureShape`,
 * each printed as it ends, with every phase's CPU on all threads and on the main thread alone, and
 * a line before each phase, so that `node --trace-opt` or `--trace-deopt` output (unbuffered, e.g.
 * under `stdbuf -o0`) falls between the lines of the phase it happened in. Ends with the bench's
 * estimate (the mean of each group's best) for the first `split` rounds, which is what the bench
 * measures at N = 100, and for the rounds after them.
 */
function traceRounds(id: string, n: number, rounds: number, split = 12) {
  const { shape } = require('./shapes') as typeof import('./shapes');
  warmUp(id, n, () => cpuMsOf('warm', (outdir) => synthShape(id, n, outdir)));
  const docsDir = tmp('lib');
  const { perChart } = documentsOf(shape(id), n, docsDir);
  fs.rmSync(docsDir, { recursive: true, force: true });
  const line = (json: object) => fs.writeSync(1, JSON.stringify(json) + '\n');
  const phases = {
    library: (outdir: string) => synthShape(id, n, outdir),
    floor: (outdir: string) => writeYaml(perChart, outdir),
    plain: (outdir: string) => synthPlain(perChart, outdir),
  };
  cpuMsOf('plain', phases.plain);
  const samples: Array<Record<keyof typeof phases, { cpuMs: number; mainMs?: number }>> = [];
  for (let round = 0; round < rounds; round++) {
    const sample = {} as (typeof samples)[number];
    for (const [phase, run] of Object.entries(phases) as Array<[keyof typeof phases, (outdir: string) => void]>) {
      line({ round, phase });
      sample[phase] = cpuOf(phase, run);
    }
    line({ round, ...sample });
    samples.push(sample);
  }
  const overPlain = (from: number, to: number, of: 'cpuMs' | 'mainMs') => {
    const part = samples.slice(from, to);
    return bestOfGroups(part.map((r) => r.library[of] ?? NaN)) / bestOfGroups(part.map((r) => r.plain[of] ?? NaN));
  };
  return {
    id, n, rounds,
    firstRounds: { rounds: Math.min(split, rounds), overPlain: overPlain(0, split, 'cpuMs'), mainThreadOverPlain: overPlain(0, split, 'mainMs') },
    laterRounds: { rounds: Math.max(0, rounds - split), overPlain: overPlain(split, rounds, 'cpuMs'), mainThreadOverPlain: overPlain(split, rounds, 'mainMs') },
  };
}

/** CPU milliseconds of the calling thread so far (Linux), or undefined where it cannot be read. */
function mainThreadCpuMs(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** The floor process: reads the documents and writes them as YAML, nothing else. */
function measureFloorProcess(docsFile: string) {
  const outdir = tmp('floorproc');
  const start = process.hrtime.bigint();
  writeYaml(readDocs(docsFile), outdir);
  const wallMs = ms(start);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { wallMs, peakRssMiB: maxRssMiB() };
}

function measureClusters() {
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  const lib = require('../lib') as typeof import('../lib');
  const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
  const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
  const { AzurermProvider } = require('@cdktf/provider-azurerm/lib/provider');
  const outdir = tmp('tf');
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
  return [10, 100, 1000, 2500].map((workers) => {
    const chart = new Chart(Testing.app(), 'training');
    lib.declareExternalNamespace(chart, 'team');
    new lib.TfTrainingJob(chart, 'big', { namespace: 'team', image: 'tensorflow/tensorflow:2.21.0', strategy: lib.TfStrategy.MULTI_WORKER_MIRRORED, chief: {}, workers: { replicas: workers }, cluster: BENCH_CLUSTERS[0] });
    const docs = chart.toJson();
    const worker = docs.find((d: any) => d.metadata.name === 'big-worker');
    const tfConfig = worker.spec.template.spec.containers[0].env.find((e: any) => e.name === 'TF_CONFIG').value;
    return { workers, objects: docs.length, yamlBytes: Buffer.byteLength(docs.map((d: any) => stringify(d)).join('---\n')), tfConfigBytes: Buffer.byteLength(tfConfig) };
  });
}

const [kind, ...args] = process.argv.slice(2);
const result = kind === 'import' ? measureImport()
  : kind === 'shape' ? measureShape(args[0], Number(args[1]), args[2])
  : kind === 'floor' ? measureFloorProcess(args[0])
  : kind === 'library-alone' ? measureAlone('library', args[0], Number(args[1]))
  : kind === 'plain-alone' ? measureAlone('plain', args[0], Number(args[1]), args[2])
  : kind === 'floor-alone' ? measureAlone('floor', args[0], Number(args[1]), args[2])
  : kind === 'library-cold' ? measureLibraryCold(args[0], Number(args[1]))
  : kind === 'plain-cold' ? measurePlainCold(args[0])
  : kind === 'rounds' ? traceRounds(args[0], Number(args[1]), Number(args[2] ?? 24))
  : kind === 'clusters' ? measureClusters()
  : kind === 'training' ? measureTraining()
  : undefined;
if (result === undefined) throw new Error(`unknown measurement ${kind}`);
process.stdout.write(JSON.stringify(result) + '\n');
