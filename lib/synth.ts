import { App as K8sApp } from 'cdk8s';
import type { App as TfApp, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { cdktf } from './clusters/bindings';
import { ManagedCluster, PROFILES_DIR } from './clusters/managed-cluster';
import { shapeProblems, throwProblems } from './core/props-shape';
import { asOneValidationPass, collectValidationErrors, collectWarnings, ValidationError } from './core/validation';
import { keepTerraformWorkingFiles, replaceDirectory } from './delivery/atomic-output';
import { GitOpsDelivery } from './delivery/gitops-delivery';
import { StateBackend } from './delivery/state-backend';
import { collectWaivers } from './policy/gate';
import { inventory, platformMarkdown, summaryText, WrittenOutput } from './report';

/** The two apps of one program: Terraform for the clusters, Kubernetes manifests for what runs on them. */
export interface PlatformApps {
  /** @default - no Terraform side (a Kubernetes-only run from profile files) */
  readonly terraform?: TfApp;
  /** @default - no Kubernetes side */
  readonly kubernetes?: K8sApp;
}

/** What {@link synthPlatform} found and wrote. */
export interface SynthResult {
  readonly warnings: string[];
  readonly waivers: string[];
  /** The files written, grouped for the summary, with paths relative to the working directory. */
  readonly written: WrittenOutput[];
}

/**
 * Validates both apps together (the policy gate included) and writes them only when neither has a problem, so a mistake on
 * the Kubernetes side never leaves fresh Terraform behind (or the other way round). Also writes
 * each cluster's profile to `<terraform outdir>/profiles/<cluster>.json`. Each output directory is
 * written whole elsewhere and then swapped in: an interrupted run leaves the previous output, and
 * files of charts or stacks that no longer exist are gone (Terraform's working files and state in
 * `cdktf.out/stacks/*` are kept). Returns the warnings found and the policy waivers that took
 * effect, for the caller to show.
 */
export function synthPlatform(apps: PlatformApps): SynthResult {
  return synthesize(apps);
}

function synthesize(apps: PlatformApps, extraManifestFiles?: (result: { warnings: string[]; waivers: string[] }) => Record<string, string>): SynthResult {
  checkApps(apps);
  if (apps.terraform) giveStacksLocalState(apps.terraform);
  // Every change to the apps happens before the check, so the check and the writing are one validation pass.
  const delivery = apps.kubernetes ? GitOpsDelivery.of(apps.kubernetes) : undefined;
  delivery?.annotate();
  return apps.kubernetes ? asOneValidationPass(apps.kubernetes, () => checkAndWrite(apps, delivery, extraManifestFiles)) : checkAndWrite(apps, delivery, extraManifestFiles);
}

function checkAndWrite(
  apps: PlatformApps, delivery: GitOpsDelivery | undefined, extraManifestFiles?: (result: { warnings: string[]; waivers: string[] }) => Record<string, string>,
): SynthResult {
  const roots = [apps.terraform, apps.kubernetes].filter((app) => app !== undefined);
  const errors = roots.flatMap((app) => collectValidationErrors(app));
  if (errors.length > 0) throw new ValidationError(errors);
  const warnings = roots.flatMap((app) => collectWarnings(app));
  const waivers = roots.flatMap((app) => collectWaivers(app));
  const written: WrittenOutput[] = [];
  const { terraform, kubernetes } = apps;
  if (terraform) {
    replaceDirectory(terraform.outdir, (staging) => {
      synthTerraformInto(terraform, staging);
      writeProfiles(terraform, staging);
      written.push(...describeFiles(terraform.outdir, staging, [['Terraform', /cdk\.tf(\.json)?$/], ['Profiles', new RegExp(`^${PROFILES_DIR}/`)]]));
    }, keepTerraformWorkingFiles);
  }
  if (kubernetes) {
    replaceDirectory(kubernetes.outdir, (staging) => {
      synthKubernetesInto(kubernetes, staging);
      delivery?.layOut(staging);
      for (const [file, text] of Object.entries(extraManifestFiles?.({ warnings, waivers }) ?? {})) fs.writeFileSync(path.join(staging, file), text);
      written.push(...describeFiles(kubernetes.outdir, staging, [['Manifests', /\.ya?ml$/], ['Overview', /\.md$/]]));
    });
  }
  return { warnings, waivers, written };
}

/** A JavaScript caller's apps, checked before anything is read from them (cdktf is loaded only when a Terraform app is given). */
function checkApps(apps: unknown): asserts apps is PlatformApps {
  const problems = shapeProblems(apps, { terraform: 'object', kubernetes: { instanceOf: K8sApp, name: 'cdk8s App' } }, [], 'apps');
  const terraform = (apps as PlatformApps | undefined)?.terraform;
  if (problems.length === 0 && terraform !== undefined && !(terraform instanceof cdktf().App)) {
    problems.push({ code: 'PROP_TYPE_INVALID', message: 'apps.terraform must be a cdktf App.', received: terraform, fix: 'pass the cdktf App the cluster stacks are in.' });
  }
  throwProblems('synthPlatform', problems);
}

/**
 * cdktf's default backend is a local file at the absolute path of the directory synth ran in, so
 * every machine writes different Terraform and a cross-stack read breaks when CI synthesizes
 * what a laptop applied. A stack without a backend gets StateBackend.local() (the same file, by a
 * relative path) before anything renders it.
 */
function giveStacksLocalState(terraform: TfApp): void {
  const { TerraformBackend, TerraformStack: Stack } = cdktf();
  for (const stack of terraform.node.findAll().filter((c): c is TerraformStack => Stack.isStack(c))) {
    if (!stack.node.findAll().some((c) => TerraformBackend.isBackend(c))) StateBackend.local().applyTo(stack);
  }
}

/** cdktf writes to the app's `outdir` and its manifest's; both point at the staging directory for one synth. */
function synthTerraformInto(app: TfApp, staging: string): void {
  const manifest = (app as any).manifest as { outdir: string };
  const [appOutdir, manifestOutdir] = [app.outdir, manifest.outdir];
  fs.mkdirSync(path.join(staging, 'stacks'), { recursive: true });
  Object.assign(app, { outdir: staging });
  manifest.outdir = staging;
  try {
    app.synth();
  } finally {
    Object.assign(app, { outdir: appOutdir });
    manifest.outdir = manifestOutdir;
  }
}

function synthKubernetesInto(app: K8sApp, staging: string): void {
  const outdir = app.outdir;
  Object.assign(app, { outdir: staging });
  try {
    app.synth();
  } finally {
    Object.assign(app, { outdir });
  }
}

/** Each cluster's profile as JSON, for Kubernetes-only CI jobs (`ClusterProfile.fromFile`). */
function writeProfiles(terraform: TfApp, outdir: string): void {
  const dir = path.join(outdir, PROFILES_DIR);
  for (const cluster of terraform.node.findAll().filter((c): c is ManagedCluster<unknown> => c instanceof ManagedCluster)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${cluster.clusterName}.json`), `${JSON.stringify(cluster.profile.toJson(), null, 2)}\n`);
  }
}

function filesBelow(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? (e.name.startsWith('.') ? [] : filesBelow(dir, rel)) : [rel];
  }).sort();
}

/** `dist/{a,b}.k8s.yaml`, `dist/{ml-gke,ml-eks}/`: the files of one group, a brace list per directory, directories below the top folded. */
function describeFiles(outdir: string, staging: string, groups: ReadonlyArray<readonly [string, RegExp]>): WrittenOutput[] {
  const shown = path.relative(process.cwd(), path.resolve(outdir)) || '.';
  const files = filesBelow(staging);
  const braces = (names: readonly string[]) => (names.length === 1 ? names[0] : `{${names.join(',')}}`);
  return groups.map(([what, pattern]) => {
    const matching = files.filter((f) => pattern.test(f));
    if (what === 'Terraform') {
      const stacks = matching.map((f) => path.posix.dirname(f)).filter((d) => path.posix.dirname(d) === 'stacks').map((d) => path.posix.basename(d)).sort();
      const file = matching.length > 0 ? path.posix.basename(matching[0]) : '';
      return { what, paths: stacks.length > 0 ? [`${shown}/stacks/${braces(stacks)}/${file}`] : [] };
    }
    // A directory kustomize builds is one entry: `dist/ml-gke/`.
    const built = new Set(matching.filter((f) => /^[^/]+\/kustomization\.yaml$/.test(f)).map((f) => f.split('/')[0]));
    const byDir = new Map<string, string[]>();
    for (const file of matching) {
      const [top, ...rest] = file.split('/');
      const [dir, name] = built.has(top) ? ['.', `${top}/`] : rest.length > 0 ? [path.posix.dirname(file), path.posix.basename(file)] : ['.', top];
      if (!(byDir.get(dir) ?? []).includes(name)) byDir.set(dir, [...(byDir.get(dir) ?? []), name]);
    }
    return { what, paths: [...byDir].map(([dir, names]) => `${shown}/${dir === '.' ? '' : `${dir}/`}${braces(names)}`) };
  }).filter((w) => w.paths.length > 0);
}

/**
 * For a program's main: synthesizes, writes `PLATFORM.md` next to the manifests, prints where the
 * files went and a summary per cluster (pools and GPU capacity, tenants and quotas, training jobs,
 * serving endpoints, warnings), and on problems prints their list (no stack trace) and exits with
 * status 1. The summary goes to standard error under `cdk8s synth` (which sets `CDK8S_OUTDIR` and
 * discards the program's standard output) and to standard output otherwise. Pass a function that
 * builds the apps to have problems found while building (`ClusterProfile.fromFile` of a bad file)
 * listed the same way.
 */
export function synthPlatformOrExit(apps: PlatformApps | (() => PlatformApps)): void {
  let built: ReturnType<typeof inventory>;
  let result: SynthResult;
  try {
    // A builder lets problems found while building (a bad profile file) be listed like the rest.
    const resolved = typeof apps === 'function' ? apps() : apps;
    checkApps(resolved);
    built = inventory(resolved);
    result = synthesize(resolved, ({ warnings, waivers }) => ({ 'PLATFORM.md': platformMarkdown(built, warnings, waivers) }));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const print = process.env.CDK8S_OUTDIR !== undefined ? console.error : console.log;
  print(summaryText(built, result.warnings, result.waivers, result.written));
}
