/**
 * Every REST call of every model of every example, sent through the request-routing model of
 * test/k8s/routing.ts: through the Ingress when there is one, and to the Service the stack's route
 * table names. Each must land only on pods that load what it asks for; the canary share must be
 * the weight asked for, whatever the replica counts of the two tracks.
 */
import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAksVersionedApis } from '../../examples/aks-versioned-apis/main';
import { buildModelHosting } from '../../examples/gke-model-hosting/main';
import { buildModelServing } from '../../examples/model-serving/main';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { buildTrainingAndServing } from '../../examples/training-and-serving/main';
import { Chart } from 'cdk8s';
import { declareExternalNamespace, declareExternalObject, ModelVersionPolicy, ServingExposure, synthPlatform, TfServing } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { ingressBackends, podsBehind, restUrls, ServingPod, servingPods, whyNotAnswered } from '../k8s/routing';

const EXAMPLES: Record<string, (terraform: App, kubernetes: K8sApp) => unknown> = {
  'aks-versioned-apis': buildAksVersionedApis,
  'gke-model-hosting': buildModelHosting,
  'model-serving': buildModelServing,
  'multi-cloud': buildMultiCloud,
  'training-and-serving': buildTrainingAndServing,
  'other shapes': buildScenarios,
};

/** Shapes the examples do not have: several models, a canary on one of them, weight 0 behind load balancers, latest policies. */
function buildScenarios(_terraform: App, kubernetes: K8sApp): void {
  const chart = new Chart(kubernetes, 'scenarios');
  declareExternalObject(chart, 'Secret', 'team-a', 't');
  declareExternalNamespace(chart, 'team-a');
  const cluster = EKS_PROFILE;
  const base = { namespace: 'team-a', cluster, cloudIdentity: 'arn:aws:iam::111122223333:role/s' };
  const ingress = (host: string, extra = {}) => ServingExposure.ingress({ host, tlsSecretName: 't', ...extra });
  new TfServing(chart, 'two-models', {
    ...base,
    models: [
      { name: 'ranker', basePath: 's3://acme-models/ranker', versions: ModelVersionPolicy.latest(2) },
      { name: 'scorer', basePath: 's3://acme-models/scorer', versions: ModelVersionPolicy.specific(3, 4), labels: { stable: 3, next: 4 } },
    ],
    autoscaling: { minReplicas: 2, maxReplicas: 7 },
    canary: { weight: 25, model: 'scorer', version: 5 },
    expose: ingress('a.acme.dev', { versionRoutes: [{ prefix: '/v3/scorer', model: 'scorer', version: 3 }, { prefix: '/v5/scorer', model: 'scorer', version: 5 }] }),
  });
  new TfServing(chart, 'image-canary', {
    ...base,
    models: [{ name: 'tagger', basePath: 's3://acme-models/tagger', versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } }],
    replicas: 3,
    canary: { weight: 30, image: 'tensorflow/serving:2.19.0' },
    expose: ingress('a.acme.dev'),
  });
  new TfServing(chart, 'held-canary', {
    ...base,
    models: [{ name: 'embedder', basePath: 's3://acme-models/embedder', versions: ModelVersionPolicy.specific(1), labels: { stable: 1 } }],
    canary: { weight: 0, version: 2 },
    expose: ServingExposure.loadBalancer(),
  });
  new TfServing(chart, 'plain', { ...base, models: [{ name: 'intent', basePath: 's3://acme-models/intent', versions: ModelVersionPolicy.all() }] });
}

const VERBS = ['', '/metadata', ':predict', ':classify', ':regress'];
const INSTANCE = 'app.kubernetes.io/instance';
const TRACK = 'ml-platform.io/track';

function stacksOf(build: (terraform: App, kubernetes: K8sApp) => unknown): TfServing[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-routing-'));
  const kubernetes = new K8sApp({ outdir: tmp });
  build(new App({ outdir: tmp }), kubernetes);
  // Only output that passes validation counts.
  synthPlatform({ kubernetes });
  return kubernetes.node.findAll().filter((c): c is TfServing => c instanceof TfServing);
}

interface RouteRow { readonly path: string; readonly service: string; readonly host?: string }

/** The rows of the stack's route table for direct Service calls; before route tables, the stack's own Service for everything. */
function serviceRoutes(stack: TfServing): RouteRow[] {
  const described: any = stack.describe();
  const rows: RouteRow[] = described.routes ?? [{ path: '/', service: stack.name }];
  return rows.filter((r) => r.host === undefined && !(r as any).rewrite);
}

const under = (url: string, prefix: string) => prefix === '/' || url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}:`);

/** What each example stack serves: models with the versions and labels some pod of the stack loads. */
function servedUrls(pods: readonly ServingPod[]): string[] {
  const models = new Map<string, { versions: Set<number>; labels: Set<string> }>();
  for (const pod of pods) {
    for (const [name, m] of pod.models) {
      const entry = models.get(name) ?? { versions: new Set<number>(), labels: new Set<string>() };
      m.versions.forEach((v) => entry.versions.add(v));
      Object.keys(m.labels).forEach((l) => entry.labels.add(l));
      models.set(name, entry);
    }
  }
  return [...models].flatMap(([name, m]) => restUrls(name, [...m.versions].sort(), [...m.labels].sort()));
}

/** The canary's real share of `url` through `backends` when the tracks run `counts` pods. */
function canaryShare(backends: Array<{ pods: ServingPod[]; weight: number }>, counts: (pod: ServingPod) => number): number {
  return backends.reduce((share, b) => {
    const total = b.pods.reduce((sum, p) => sum + counts(p), 0);
    const canary = b.pods.filter((p) => p.labels[TRACK] === 'canary').reduce((sum, p) => sum + counts(p), 0);
    return share + (total === 0 ? 0 : (b.weight * canary) / total);
  }, 0);
}

describe.each(Object.entries(EXAMPLES))('requests to the serving stacks of %s', (_example, build) => {
  const stacks = stacksOf(build);
  const docsByCluster = new Map<string, any[]>();
  for (const stack of stacks) docsByCluster.set(stack.clusterName, [...(docsByCluster.get(stack.clusterName) ?? []), ...stack.apiObjects.map((o) => o.toJson())]);

  describe.each(stacks.map((s) => [`${s.clusterName}/${s.namespace}/${s.name}`, s] as const))('%s', (_name, stack) => {
    const docs = docsByCluster.get(stack.clusterName)!;
    const pods = servingPods(docs);
    const own = pods.filter((p) => p.namespace === stack.namespace && p.labels['ml-platform.io/serving'] === stack.name);
    const urls = servedUrls(own);
    const ingresses = docs.filter((d) => d.kind === 'Ingress' && d.metadata.namespace === stack.namespace && d.metadata.labels[INSTANCE] === stack.name);
    const hosts = [...new Set(ingresses.flatMap((i) => i.spec.rules.map((r: any) => r.host)))];
    const props: any = (stack as any).props;
    const versionRoutes: Array<{ prefix: string }> = props.expose?.ingress?.versionRoutes ?? [];

    test('every URL through the Ingress lands only on pods that answer it', () => {
      const failures: string[] = [];
      const all = [...urls, ...versionRoutes.flatMap((r) => VERBS.map((v) => `${r.prefix}${v}`))];
      for (const host of hosts) {
        for (const url of all) {
          const backends = ingressBackends(docs, host, url);
          if (backends.length === 0) failures.push(`${host}${url}: 404 from the ingress controller`);
          for (const b of backends) {
            const behind = podsBehind(docs, pods, b.namespace, b.service);
            if (behind.length === 0) failures.push(`${host}${url}: Service ${b.service} selects no pod`);
            for (const pod of behind) {
              const why = whyNotAnswered(pod, b.path);
              if (why) failures.push(`${host}${url} → ${b.service} (${b.path}): ${why}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });

    test('every URL sent to the Service its route table names lands only on pods that answer it', () => {
      const failures: string[] = [];
      const rows = serviceRoutes(stack);
      const loadBalanced = props.expose?.kind === 'load-balancer';
      for (const url of urls) {
        const matching = rows.filter((r) => under(url, r.path));
        const longest = Math.max(...matching.map((r) => r.path.length));
        const chosen = matching.filter((r) => r.path.length === longest);
        if (chosen.length === 0) failures.push(`${url}: no Service in the route table`);
        for (const row of chosen) {
          const svc = docs.find((d) => d.kind === 'Service' && d.metadata.namespace === stack.namespace && d.metadata.name === row.service);
          if (loadBalanced && svc?.spec.type !== 'LoadBalancer') failures.push(`${url}: Service ${row.service} is not reachable through a load balancer`);
          const behind = podsBehind(docs, pods, stack.namespace, row.service);
          if (behind.length === 0) failures.push(`${url}: Service ${row.service} selects no pod`);
          for (const pod of behind) {
            const why = whyNotAnswered(pod, url);
            if (why) failures.push(`${url} → ${row.service}: ${why}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    const canary = own.find((p) => p.labels[TRACK] === 'canary');
    const stable = own.find((p) => p.labels[TRACK] !== 'canary');
    const asked = stack.describe().canaryWeight;
    if (canary && stable && asked !== undefined) {
      // The models the canary changes: those configured differently; all of them for an image canary.
      const differ = [...canary.models.keys()].filter((m) => JSON.stringify(canary.models.get(m)) !== JSON.stringify(stable.models.get(m)));
      const split = differ.length > 0 ? differ : [...canary.models.keys()];
      test.each(split)('the canary takes the asked share of %s at any replica counts of the two tracks', (model) => {
        const url = `/v1/models/${model}:predict`;
        const routes = hosts.length > 0
          ? ingressBackends(docs, hosts[0], url).map((b) => ({ pods: podsBehind(docs, pods, b.namespace, b.service), weight: b.weight }))
          : [{ pods: podsBehind(docs, pods, stack.namespace, stack.name), weight: 100 }];
        const scenarios = {
          'both at minimum': (p: ServingPod) => p.minReplicas,
          'both at maximum': (p: ServingPod) => p.maxReplicas,
          'stable scaled out': (p: ServingPod) => (p === canary ? p.minReplicas : p.maxReplicas),
          'canary scaled out': (p: ServingPod) => (p === canary ? p.maxReplicas : p.minReplicas),
        };
        const shares = Object.fromEntries(Object.entries(scenarios).map(([name, counts]) => [name, Math.round(canaryShare(routes, counts) * 10) / 10]));
        expect(shares).toEqual(Object.fromEntries(Object.keys(scenarios).map((name) => [name, asked])));
      });
    }
  });
});
