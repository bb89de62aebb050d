import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { scopeDefaults } from '../core/scope-defaults';
import { KUEUE_QUEUE_LABEL } from '../training/job-props';
import { Problem, Problems } from '../core/validation';
import { PropsShape, propsToBuild, throwProblems } from '../core/props-shape';
import { finishedJobProblems } from './finished-jobs';
import { GitOpsEngine } from './gitops-engine';
import { argoApplication, ClusterSource, EngineAnnotations, fluxObjects, HealthCheck, ROLLOUT_KINDS } from './gitops-objects';

export interface GitOpsDeliveryProps {
  readonly engine: GitOpsEngine;
  /** The Git repository the synthesized output is committed to: `https://…`, `ssh://…` or `git@host:path`. */
  readonly repoUrl: string;
  /** @default 'main' */
  readonly branch?: string;
  /** The repository directory that holds this app's output directory (what `dist/` is committed as). @default 'dist' */
  readonly path?: string;
  /** The Argo CD project of the Applications. @default 'default' */
  readonly argoProject?: string;
  /** How often Flux fetches the repository and re-applies, as a Go duration. @default '5m' */
  readonly interval?: string;
  /**
   * Secret, in the engine's namespace, with credentials for a private repository; Flux's
   * GitRepository names it (Argo CD finds repository credentials by URL in its own Secrets).
   * @default - none: a public repository
   */
  readonly credentialsSecret?: string;
  /** Delete objects that left the output. Namespaces and PersistentVolumeClaims are never pruned. @default true */
  readonly prune?: boolean;
}

const DELIVERY_SHAPE: PropsShape = {
  engine: 'string',
  repoUrl: 'string', branch: 'string', path: 'string', argoProject: 'string', interval: 'string', credentialsSecret: 'string', prune: 'boolean',
};

/** A kind the engines apply in their first stage (Flux) or wave -1 (Argo CD): what other objects need to exist. */
const isFoundation = (kind: string) => kind === 'Namespace' || kind === 'CustomResourceDefinition' || kind.endsWith('Class');
/** Objects whose deletion loses data: never pruned by the engine. */
const isKeptOnPrune = (kind: string) => kind === 'Namespace' || kind === 'PersistentVolumeClaim';

/**
 * Delivers the Kubernetes output to a fleet through a GitOps engine. With it in the app, synth
 * writes one directory per cluster that `kubectl kustomize` builds (`<cluster>/platform/` and
 * `<cluster>/tenants/`, each with a kustomization.yaml), and `gitops/<cluster>.yaml` with the
 * engine's objects for that cluster: an Argo CD Application, or a Flux GitRepository and
 * Kustomizations. Apply that file once in the cluster's engine (installed by ClusterAddons with
 * `gitOps`); from then on the engine follows the repository.
 */
export class GitOpsDelivery extends Construct {
  /** The delivery of `app`, if it has one. */
  public static of(app: App): GitOpsDelivery | undefined {
    if (!(app instanceof App)) throwProblems('GitOpsDelivery.of', [{ code: 'PROP_TYPE_INVALID', message: 'app must be a cdk8s App.', received: app, fix: 'pass the App the ClusterCharts were made in.' }]);
    return app.node.children.find((c): c is GitOpsDelivery => c instanceof GitOpsDelivery);
  }

  public readonly engine: GitOpsEngine;
  private readonly app: App;
  private readonly props: GitOpsDeliveryProps;

  constructor(app: App, id: string, props: GitOpsDeliveryProps) {
    // Without the app there is no tree to record a problem in.
    if (!(app instanceof App)) throwProblems('GitOpsDelivery', [{ code: 'PROP_TYPE_INVALID', message: 'app must be the cdk8s App of the manifests.', received: app, fix: 'pass the App the ClusterCharts were made in.' }]);
    super(app, id);
    this.app = app;
    const problems = Problems.of(this);
    // JavaScript callers and JSON config: a bad shape is listed, and the checks below run on placeholders.
    props = propsToBuild((p) => problems.add(p), props, DELIVERY_SHAPE, ['engine', 'repoUrl'], { engine: GitOpsEngine.ARGO_CD, repoUrl: 'https://invalid.invalid/invalid.git' });
    this.props = props;
    this.engine = props.engine;
    if (!Object.values(GitOpsEngine).includes(props.engine)) {
      problems.add({ code: 'DELIVERY_ENGINE_UNKNOWN', message: 'The GitOps engine is not one the library writes objects for.', received: props.engine, fix: 'use GitOpsEngine.ARGO_CD or GitOpsEngine.FLUX.' });
    }
    if (!/^(https:\/\/[^\s]+|ssh:\/\/[^\s]+|[\w.-]+@[\w.-]+:[^\s]+)$/.test(props.repoUrl)) {
      problems.add({ code: 'DELIVERY_REPO_URL_INVALID', message: 'The repository URL is not an https, ssh or scp-style Git URL.', received: props.repoUrl, fix: 'write it like https://github.com/acme/platform.git or git@github.com:acme/platform.git (plain http sends credentials in the clear).' });
    }
    const branch = props.branch ?? 'main';
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.lock')) {
      problems.add({ code: 'DELIVERY_BRANCH_INVALID', message: 'The branch is not a valid Git branch name.', received: branch, fix: 'use a name like main or release/2026-11, without spaces or "..".' });
    }
    const dir = props.path ?? 'dist';
    if (dir.startsWith('/') || dir.startsWith('./') || dir.split('/').some((part) => part === '..' || part === '')) {
      problems.add({ code: 'DELIVERY_PATH_INVALID', message: 'The output path must be a directory of the repository, relative to its root.', received: dir, fix: 'write it without a leading "/" or "./" and without "..", e.g. dist or clusters/out.' });
    }
    if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(props.interval ?? '5m')) {
      problems.add({ code: 'DELIVERY_INTERVAL_INVALID', message: 'The interval is not a Go duration.', received: props.interval, fix: 'write it like 5m, 1h or 90s.' });
    }
    problems.addCheck(() => [...this.chartProblems(), ...finishedJobProblems(this.apiObjects(), this.engine === GitOpsEngine.FLUX ? 'Flux' : 'Argo CD')]);
  }

  /** Every chart must belong to a cluster (be a ClusterCharts chart), and cluster names must differ. */
  private chartProblems(): Problem[] {
    const found: Problem[] = [];
    for (const chart of this.app.charts.filter((c) => scopeDefaults(c)?.cluster === undefined)) {
      found.push({ code: 'DELIVERY_CHART_WITHOUT_CLUSTER', message: `Chart "${chart.node.id}" belongs to no cluster, so no cluster directory can hold it.`, received: chart.node.path, fix: 'create it through ClusterCharts (charts.platform or charts.tenant(name)).' });
    }
    const clouds = new Map<string, Set<string>>();
    for (const chart of this.app.charts) {
      const cluster = scopeDefaults(chart)?.cluster;
      if (cluster) clouds.set(cluster.name, (clouds.get(cluster.name) ?? new Set()).add(cluster.cloud));
    }
    for (const [name, set] of clouds) {
      if (set.size > 1) found.push({ code: 'DELIVERY_CLUSTER_NAME_CLASH', message: `Clusters on ${[...set].join(' and ')} share the name "${name}", and so would share one directory.`, received: name, fix: 'give every cluster of the fleet its own name.' });
    }
    return found;
  }

  /**
   * Marks the objects the engine must apply first, those it must never prune, and (Flux) queued workloads it must only create. Called by synthPlatform before writing.
   * @internal
   */
  public annotate(): void {
    for (const object of this.apiObjects()) {
      if (this.engine === GitOpsEngine.ARGO_CD) {
        if (isFoundation(object.kind)) object.metadata.addAnnotation(EngineAnnotations.ARGO_SYNC_WAVE, '-1');
        if (isKeptOnPrune(object.kind)) object.metadata.addAnnotation(EngineAnnotations.ARGO_SYNC_OPTIONS, 'Prune=false');
      } else {
        if (isKeptOnPrune(object.kind)) object.metadata.addAnnotation(EngineAnnotations.FLUX_PRUNE, 'disabled');
        // Flux re-applies every field of the manifest, so it would suspend what Kueue admitted: create
        // queued workloads only (a changed job is a new job: rename it, or delete the old one).
        if (object.metadata.getLabel(KUEUE_QUEUE_LABEL) !== undefined) object.metadata.addAnnotation(EngineAnnotations.FLUX_SSA, 'IfNotPresent');
      }
    }
  }

  private apiObjects(): ApiObject[] {
    return this.app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }

  /**
   * Moves the chart files cdk8s wrote to `outdir` into per-cluster directories, and writes the kustomizations and engine objects. Called by synthPlatform.
   * @internal
   */
  public layOut(outdir: string): void {
    const written = fs.readdirSync(outdir);
    const clusters = new Map<string, { platform: string[]; tenants: string[]; rollouts: Record<'platform' | 'tenants', HealthCheck[]> }>();
    for (const chart of this.app.charts) {
      const defaults = scopeDefaults(chart)!;
      const file = chartFile(written, chart, this.app.outputFileExtension);
      if (!file) continue;
      const entry = clusters.get(defaults.cluster.name) ?? { platform: [], tenants: [], rollouts: { platform: [], tenants: [] } };
      const group = defaults.namespace === undefined ? 'platform' : 'tenants';
      entry[group].push(file);
      entry.rollouts[group].push(...rolloutsOf(chart));
      clusters.set(defaults.cluster.name, entry);
      fs.mkdirSync(path.join(outdir, defaults.cluster.name, group), { recursive: true });
      fs.renameSync(path.join(outdir, file), path.join(outdir, defaults.cluster.name, group, file));
    }
    fs.mkdirSync(path.join(outdir, 'gitops'), { recursive: true });
    for (const [cluster, groups] of [...clusters].sort(([a], [b]) => a.localeCompare(b))) {
      const dirs = (['platform', 'tenants'] as const).filter((g) => groups[g].length > 0);
      writeKustomization(path.join(outdir, cluster), dirs);
      for (const dir of dirs) writeKustomization(path.join(outdir, cluster, dir), groups[dir].sort());
      const source: ClusterSource = {
        cluster,
        repoUrl: this.props.repoUrl,
        branch: this.props.branch ?? 'main',
        path: `${this.props.path ?? 'dist'}/${cluster}`,
        hasTenants: groups.tenants.length > 0,
        healthChecks: groups.rollouts,
        prune: this.props.prune ?? true,
        interval: this.props.interval ?? '5m',
        argoProject: this.props.argoProject ?? 'default',
        credentialsSecret: this.props.credentialsSecret,
      };
      const objects = this.engine === GitOpsEngine.ARGO_CD ? [argoApplication(source)] : fluxObjects(source);
      fs.writeFileSync(path.join(outdir, 'gitops', `${cluster}.yaml`), Yaml.stringify(...objects));
    }
  }
}

/** The objects of `chart` whose rollout an engine can wait for; jobs, which run for hours and finish once, are not among them. */
function rolloutsOf(chart: Chart): HealthCheck[] {
  return chart.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && ROLLOUT_KINDS.includes(c.kind))
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.metadata.namespace }));
}

function chartFile(files: readonly string[], chart: Chart, extension: string): string | undefined {
  const name = `${chart.node.id}${extension}`;
  return files.find((f) => f === name || (/^\d+-/.test(f) && f.replace(/^\d+-/, '') === name));
}

function writeKustomization(dir: string, resources: readonly string[]): void {
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
}
