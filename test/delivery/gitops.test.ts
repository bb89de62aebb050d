import { spawnSync } from 'child_process';
import { App as K8sApp, Chart } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFleet, LAB_PROFILE } from '../../examples/fleet/main';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { ClusterCharts, ClusterProfile, GitOpsDelivery, GitOpsEngine, synthPlatform } from '../../lib';
import { failureMessage } from '../failure';
import { appliedTooEarly, argoSteps, baselineFromAddons, CHART_CUSTOM_KINDS, ClusterBaseline, crdValidators, fluxSteps, readDocs } from './engine-model';

let found: string | undefined;

/** kubectl, the real consumer of the cluster directories: the test fails naming it when it is missing. */
function kubectl(): string {
  if (found) return found;
  const candidate = process.env.KUBECTL_BIN ?? 'kubectl';
  const probe = spawnSync(candidate, ['version', '--client'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`kubectl is missing: "${candidate}" did not run (${probe.error?.message ?? probe.stderr}). Install kubectl (it carries kustomize) or set KUBECTL_BIN.`);
  return (found = candidate);
}

// Directories are written once by synthesize(); several tests read the same build.
const builds = new Map<string, any[]>();

function kustomize(dir: string): any[] {
  if (!builds.has(dir)) {
    const run = spawnSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-kz-')), 'out.yaml');
    fs.writeFileSync(file, run.stdout);
    builds.set(dir, readDocs(file));
  }
  return structuredClone(builds.get(dir)!);
}

const filesBelow = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));

interface Synthesized { dist: string; tfOut: string }

function synthesize(build: (terraform: App, kubernetes: K8sApp) => void): Synthesized {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-gitops-'));
  const terraform = new App({ outdir: path.join(root, 'cdktf.out') });
  const kubernetes = new K8sApp({ outdir: path.join(root, 'dist') });
  build(terraform, kubernetes);
  synthPlatform({ terraform, kubernetes });
  return { dist: path.join(root, 'dist'), tfOut: path.join(root, 'cdktf.out') };
}

const addonsStack = (tfOut: string, cluster: string) => {
  const file = path.join(tfOut, 'stacks', `${cluster}-addons`, 'cdk.tf.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
};

// The lab is an existing cluster: its team installed kube-prometheus-stack by hand, which the profile cannot say.
const LAB_BASELINE: ClusterBaseline = { namespaces: new Set(['default', 'kube-system', 'monitoring']), customKinds: new Set(CHART_CUSTOM_KINDS['kube-prometheus-stack']) };

const SCENARIOS: Array<[string, GitOpsEngine, (terraform: App, kubernetes: K8sApp) => void, string[]]> = [
  ['the default example', GitOpsEngine.ARGO_CD, (tf, k8s) => { buildMultiCloud(tf, k8s); new GitOpsDelivery(k8s, 'delivery', { engine: GitOpsEngine.ARGO_CD, repoUrl: 'https://github.com/acme/ml-platform.git' }); }, ['ml-aks', 'ml-eks', 'ml-gke']],
  ['the default example', GitOpsEngine.FLUX, (tf, k8s) => { buildMultiCloud(tf, k8s); new GitOpsDelivery(k8s, 'delivery', { engine: GitOpsEngine.FLUX, repoUrl: 'git@github.com:acme/ml-platform.git', credentialsSecret: 'platform-deploy-key' }); }, ['ml-aks', 'ml-eks', 'ml-gke']],
  ['the fleet example', GitOpsEngine.FLUX, (tf, k8s) => { buildFleet(tf, k8s, GitOpsEngine.FLUX); }, ['fleet-eu', 'fleet-lab', 'fleet-us']],
  ['the fleet example', GitOpsEngine.ARGO_CD, (tf, k8s) => { buildFleet(tf, k8s, GitOpsEngine.ARGO_CD); }, ['fleet-eu', 'fleet-lab', 'fleet-us']],
];

describe.each(SCENARIOS)('%s delivered by %s', (_name, engine, build, clusters) => {
  const out = synthesize(build);
  const validators = crdValidators();

  test('writes one directory per cluster and one bootstrap file per cluster, nothing else at the top', () => {
    expect(fs.readdirSync(out.dist).sort()).toEqual(['gitops', ...clusters].sort());
    expect(fs.readdirSync(path.join(out.dist, 'gitops')).sort()).toEqual(clusters.map((c) => `${c}.yaml`));
  });

  test.each(clusters)('kubectl kustomize builds %s with every object of its charts, once', (cluster) => {
    const built = kustomize(path.join(out.dist, cluster));
    const written = filesBelow(path.join(out.dist, cluster)).filter((f) => f.endsWith('.k8s.yaml')).flatMap(readDocs);
    const key = (d: any) => `${d.apiVersion}/${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
    expect(built.map(key).sort()).toEqual(written.map(key).sort());
    expect(built.length).toBeGreaterThan(20);
  });

  test.each(clusters)('the engine objects of %s pass their CRD schemas and point at its directory', (cluster) => {
    const docs = readDocs(path.join(out.dist, 'gitops', `${cluster}.yaml`));
    expect(docs.map((d) => d.kind)).toEqual(engine === GitOpsEngine.ARGO_CD ? ['Application'] : ['GitRepository', 'Kustomization', 'Kustomization']);
    for (const doc of docs) {
      const validate = validators.get(`${doc.apiVersion}/${doc.kind}`);
      expect({ kind: doc.kind, known: validate !== undefined, errors: validate?.(doc) }).toEqual({ kind: doc.kind, known: true, errors: [] });
    }
    const paths = docs.map((d) => d.spec.source?.path ?? d.spec.path).filter(Boolean);
    const dirs = engine === GitOpsEngine.ARGO_CD ? [`dist/${cluster}`] : [`./dist/${cluster}/platform`, `./dist/${cluster}/tenants`];
    expect(paths).toEqual(dirs);
    for (const dir of dirs) expect(fs.existsSync(path.join(out.dist, '..', dir, 'kustomization.yaml'))).toBe(true);
  });

  test.each(clusters)('applied in the engine\'s order, no object of %s comes before its namespace, CRD or PriorityClass', (cluster) => {
    const baseline = cluster === 'fleet-lab' ? LAB_BASELINE : baselineFromAddons(addonsStack(out.tfOut, cluster));
    let steps;
    if (engine === GitOpsEngine.ARGO_CD) {
      steps = argoSteps(kustomize(path.join(out.dist, cluster)));
    } else {
      // Two Kustomizations: the tenants' depends on the platform's, so the platform is applied (and ready) first.
      steps = [...fluxSteps(kustomize(path.join(out.dist, cluster, 'platform'))), ...fluxSteps(kustomize(path.join(out.dist, cluster, 'tenants')))];
    }
    expect(appliedTooEarly(steps, baseline)).toEqual([]);
  });

  test('Namespaces and PersistentVolumeClaims are never pruned', () => {
    const docs = clusters.flatMap((c) => kustomize(path.join(out.dist, c))).filter((d) => d.kind === 'Namespace' || d.kind === 'PersistentVolumeClaim');
    expect(docs.length).toBeGreaterThan(0);
    const kept = (d: any) => (engine === GitOpsEngine.ARGO_CD ? d.metadata.annotations?.['argocd.argoproj.io/sync-options'] === 'Prune=false' : d.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled');
    expect(docs.filter((d) => !kept(d)).map((d) => d.metadata.name)).toEqual([]);
  });
});

describe('the apply-order model', () => {
  test('catches a custom resource whose CRD no add-on installs, and a workload before its PriorityClass', () => {
    const docs = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm', namespace: 'team' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'team' }, spec: { template: { spec: { priorityClassName: 'ml-serving-critical' } } } },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml-serving-critical' } },
    ];
    // Without waves, Argo CD sorts PriorityClass (not in its kind list) after Deployments.
    expect(appliedTooEarly(argoSteps(docs), baselineFromAddons(undefined)).sort()).toEqual([
      'Deployment team/d: PriorityClass ml-serving-critical does not exist yet',
      'ServiceMonitor team/m: no CRD for monitoring.coreos.com/ServiceMonitor yet',
    ]);
    expect(appliedTooEarly(fluxSteps(docs), baselineFromAddons(undefined))).toEqual(['ServiceMonitor team/m: no CRD for monitoring.coreos.com/ServiceMonitor yet']);
  });
});

function expectFailure(action: () => unknown, ...parts: string[]): void {
  const message = failureMessage(action);
  for (const part of parts) expect(message).toContain(part);
}

describe('GitOpsDelivery', () => {
  const withDelivery = (props: Partial<ConstructorParameters<typeof GitOpsDelivery>[2]>, extra?: (k8s: K8sApp) => void) => () => {
    const kubernetes = new K8sApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-gitops-bad-')) });
    const terraform = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-gitops-bad-tf-')) });
    buildFleet(terraform, kubernetes);
    extra?.(kubernetes);
    new GitOpsDelivery(kubernetes, 'other', { engine: GitOpsEngine.FLUX, repoUrl: 'https://github.com/acme/x.git', ...props } as any);
    synthPlatform({ kubernetes });
  };

  test('fails when the repository URL is plain http', () => {
    expectFailure(withDelivery({ repoUrl: 'http://git.acme.dev/platform.git' }), 'DELIVERY_REPO_URL_INVALID', 'http://git.acme.dev/platform.git', 'plain http sends credentials in the clear');
  });
  test('fails when the branch has a space', () => {
    expectFailure(withDelivery({ branch: 'release 1' }), 'DELIVERY_BRANCH_INVALID', 'release 1', 'without spaces');
  });
  test('fails when the path climbs out of the repository', () => {
    expectFailure(withDelivery({ path: '../dist' }), 'DELIVERY_PATH_INVALID', '../dist', 'without ".."');
  });
  test('fails when the interval is not a Go duration', () => {
    expectFailure(withDelivery({ interval: '5 minutes' }), 'DELIVERY_INTERVAL_INVALID', '5 minutes', 'like 5m');
  });
  test('fails when the engine is unknown', () => {
    expectFailure(withDelivery({ engine: 'jenkins' as GitOpsEngine }), 'DELIVERY_ENGINE_UNKNOWN', 'jenkins', 'GitOpsEngine.ARGO_CD');
  });
  test('fails when a chart belongs to no cluster', () => {
    expectFailure(withDelivery({}, (k8s) => new Chart(k8s, 'loose')), 'DELIVERY_CHART_WITHOUT_CLUSTER', 'loose', 'ClusterCharts');
  });
  test('fails when two clusters share a name', () => {
    const twin = ClusterProfile.fromJson({ ...(LAB_PROFILE.toJson() as object), name: 'fleet-eu', cloud: 'kind' });
    expectFailure(withDelivery({}, (k8s) => new ClusterCharts(k8s, twin).tenant('x')), 'DELIVERY_CLUSTER_NAME_CLASH', 'fleet-eu', 'its own name');
  });
});
