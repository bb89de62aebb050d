/**
 * Where a REST request to TF Serving lands, evaluated from manifests: Ingress path matching as the
 * Kubernetes spec defines it (Exact first, then the longest element-wise Prefix), ingress-nginx's
 * regex mode (host-wide once any Ingress of the host asks for regex or a rewrite; locations sorted
 * by path length, first case-insensitive `^path` match wins), its rewrite-target and its canary
 * Ingresses as its controller merges them (per upstream, not per path); Service selectors;
 * and, per pod, the model_config_list it reads, to tell whether that pod can answer.
 */
import { parseTextProto, TextMessage } from './text-proto';

const NGINX = 'nginx.ingress.kubernetes.io';

/** A pod template as a Deployment and its autoscaler run it, with what its TF Serving loads. */
export interface ServingPod {
  readonly deployment: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Model name → loaded versions and version labels. */
  readonly models: Map<string, { versions: number[]; labels: Record<string, number> }>;
}

export interface Backend {
  readonly namespace: string;
  readonly service: string;
  /** Percent of the requests that match. */
  readonly weight: number;
  /** The path the upstream receives. */
  readonly path: string;
}

const list = (m: TextMessage | undefined, field: string): any[] => (m?.[field] ?? []) as any[];

/** The model configs of a `ModelServerConfig` text proto. */
export function modelConfigs(text: string): Array<{ name: string; basePath: string; policy: TextMessage | undefined; labels: Record<string, number> }> {
  const root = parseTextProto(text);
  return list(list(root, 'model_config_list')[0], 'config').map((c: TextMessage) => ({
    name: String(list(c, 'name')[0]),
    basePath: String(list(c, 'base_path')[0]),
    policy: list(c, 'model_version_policy')[0],
    labels: Object.fromEntries(list(c, 'version_labels').map((e: TextMessage) => [String(list(e, 'key')[0]), Number(list(e, 'value')[0])])),
  }));
}

/**
 * The versions TF Serving loads under a version policy from a store holding `stored` versions:
 * `specific` those listed, `latest` the newest n (the default policy is latest 1), `all` every one.
 */
export function loadedVersions(policy: TextMessage | undefined, stored: readonly number[]): number[] {
  const sorted = [...stored].sort((a, b) => a - b);
  const specific = list(policy, 'specific')[0];
  if (specific) return list(specific, 'versions').map(Number).filter((v) => sorted.includes(v));
  if (list(policy, 'all').length > 0) return sorted;
  const count = Number(list(list(policy, 'latest')[0], 'num_versions')[0] ?? 1);
  return sorted.slice(-count);
}

/**
 * Every serving pod template in `docs`, with the model config it mounts. The store is taken to hold
 * every version that any config names (and version 1), as a bucket that serves them all would.
 */
export function servingPods(docs: readonly any[]): ServingPod[] {
  const configs = new Map<string, ReturnType<typeof modelConfigs>>();
  const podConfigs: Array<{ doc: any; parsed: ReturnType<typeof modelConfigs> }> = [];
  for (const doc of docs.filter((d) => d.kind === 'Deployment')) {
    const pod = doc.spec.template.spec;
    const container = pod.containers[0];
    const flag = (container.args ?? []).find((a: string) => a.startsWith('--model_config_file='));
    if (!flag) continue;
    const file = flag.slice('--model_config_file='.length);
    const mount = (container.volumeMounts ?? []).find((m: any) => file.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((v: any) => v.name === mount?.name);
    const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.namespace === doc.metadata.namespace && d.metadata.name === volume?.configMap?.name);
    const text = configMap?.data?.[file.slice(mount.mountPath.length + 1)];
    if (text === undefined) throw new Error(`Deployment ${doc.metadata.name}: ${file} is not in a mounted ConfigMap`);
    const parsed = modelConfigs(text);
    podConfigs.push({ doc, parsed });
    for (const c of parsed) configs.set(c.basePath, [...(configs.get(c.basePath) ?? []), c]);
  }
  const stored = (basePath: string) => {
    const named = (configs.get(basePath) ?? []).flatMap((c) => [
      ...Object.values(c.labels),
      ...list(list(c.policy, 'specific')[0], 'versions').map(Number),
    ]);
    return [...new Set([1, ...named])];
  };
  return podConfigs.map(({ doc, parsed }) => {
    const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler' && d.metadata.namespace === doc.metadata.namespace && d.spec.scaleTargetRef.name === doc.metadata.name);
    // A Deployment without replicas and without an autoscaler runs one pod.
    const fixed = doc.spec.replicas ?? 1;
    return {
      deployment: doc.metadata.name,
      namespace: doc.metadata.namespace,
      labels: doc.spec.template.metadata.labels,
      minReplicas: hpa ? hpa.spec.minReplicas ?? 1 : fixed,
      maxReplicas: hpa ? hpa.spec.maxReplicas : fixed,
      models: new Map(parsed.map((c) => [c.name, { versions: loadedVersions(c.policy, stored(c.basePath)), labels: c.labels }])),
    };
  });
}

const REST = /^\/v1\/models\/([^/:]+)(?:\/versions\/([0-9]+)|\/labels\/([^/:]+))?(\/metadata|:predict|:classify|:regress)?$/;

/** Whether a pod answers `path` (TF Serving's REST API), or why not. */
export function whyNotAnswered(pod: ServingPod, path: string): string | undefined {
  const match = REST.exec(path);
  if (!match) return `TF Serving has no REST route ${path}`;
  const [, name, version, label] = match;
  const model = pod.models.get(name);
  if (!model || model.versions.length === 0) return `${pod.deployment} does not load model ${name}`;
  if (version !== undefined && !model.versions.includes(Number(version))) return `${pod.deployment} loads ${name} versions ${model.versions.join(',')}, not ${version}`;
  if (label !== undefined) {
    const target = model.labels[label];
    if (target === undefined) return `${pod.deployment} has no label ${label} on ${name}`;
    if (!model.versions.includes(target)) return `${pod.deployment} labels ${label} as version ${target}, which it does not load`;
  }
  return undefined;
}

/** The pods a Service sends a request to: those its selector matches in its namespace. */
export function podsBehind(docs: readonly any[], pods: readonly ServingPod[], namespace: string, service: string): ServingPod[] {
  const svc = docs.find((d) => d.kind === 'Service' && d.metadata.namespace === namespace && d.metadata.name === service);
  if (!svc || !svc.spec.selector) return [];
  return pods.filter((p) => p.namespace === namespace && Object.entries<string>(svc.spec.selector).every(([k, v]) => p.labels[k] === v));
}

interface Location {
  readonly ingress: any;
  readonly path: string;
  readonly pathType: string;
  readonly backend: { namespace: string; service: string };
}

const isCanary = (ingress: any) => ingress.metadata.annotations?.[`${NGINX}/canary`] === 'true';
const usesRegex = (ingress: any) => ingress.metadata.annotations?.[`${NGINX}/use-regex`] === 'true' || ingress.metadata.annotations?.[`${NGINX}/rewrite-target`] !== undefined;
const upstream = (namespace: string, service: string) => `${namespace}/${service}`;

function locations(docs: readonly any[], host: string): { regex: boolean; locations: Location[] } {
  const rulesOf = (ingress: any) => (ingress.spec.rules ?? []).filter((r: any) => r.host === host);
  const main = nginxIngresses(docs).filter((i) => !isCanary(i) && rulesOf(i).length > 0);
  const out: Location[] = main.flatMap((ingress) => rulesOf(ingress).flatMap((rule: any) => rule.http.paths.map((p: any) => ({
    ingress,
    path: p.path,
    pathType: p.pathType,
    backend: { namespace: ingress.metadata.namespace, service: p.backend.service.name },
  }))));
  return { regex: main.some(usesRegex), locations: out };
}

const nginxIngresses = (docs: readonly any[]) => docs.filter((d) => d.kind === 'Ingress' && (d.spec.ingressClassName ?? 'nginx') === 'nginx');

/**
 * ingress-nginx's canary merge (mergeAlternativeBackends): a canary Ingress's upstream becomes the
 * alternative of the primary upstream of the main location with the same host, path and pathType,
 * and then splits every location that uses that primary upstream. It is skipped when the canary's
 * upstream is the primary of a location on that host, and has no traffic shaping (so takes
 * nothing) when a non-canary Ingress anywhere also uses it. A primary honours its first
 * alternative only.
 */
function alternatives(docs: readonly any[]): Map<string, { upstream: string; weight: number }> {
  const ingresses = nginxIngresses(docs);
  const primaries = new Set(ingresses.filter((i) => !isCanary(i)).flatMap((i) => (i.spec.rules ?? []).flatMap((r: any) => r.http.paths.map((p: any) => upstream(i.metadata.namespace, p.backend.service.name)))));
  const out = new Map<string, { upstream: string; weight: number }>();
  for (const ingress of ingresses.filter(isCanary)) {
    const weight = Number(ingress.metadata.annotations[`${NGINX}/canary-weight`] ?? 0);
    for (const rule of ingress.spec.rules ?? []) {
      const { locations: hostLocations } = locations(docs, rule.host);
      for (const p of rule.http.paths) {
        const alt = upstream(ingress.metadata.namespace, p.backend.service.name);
        if (hostLocations.some((l) => upstream(l.backend.namespace, l.backend.service) === alt)) continue;
        const main = hostLocations.find((l) => l.path === p.path && l.pathType === p.pathType);
        if (!main) continue;
        const primary = upstream(main.backend.namespace, main.backend.service);
        if (!out.has(primary)) out.set(primary, { upstream: alt, weight: primaries.has(alt) ? 0 : weight });
      }
    }
  }
  return out;
}

const elements = (path: string) => path.split('/').filter((e) => e !== '');

/**
 * The backends an Ingress request for `host` and `path` reaches, each with its share and the path
 * the upstream sees; empty when the controller answers 404 itself.
 */
export function ingressBackends(docs: readonly any[], host: string, path: string): Backend[] {
  const { regex, locations: all } = locations(docs, host);
  let chosen: Location | undefined;
  let upstreamPath = path;
  if (regex) {
    const ordered = [...all].sort((a, b) => b.path.length - a.path.length);
    for (const location of ordered) {
      const pattern = new RegExp(`^${location.path}`, 'i');
      const match = pattern.exec(path);
      if (!match) continue;
      chosen = location;
      const target = location.ingress.metadata.annotations?.[`${NGINX}/rewrite-target`];
      if (target !== undefined) upstreamPath = target.replace(/\$([0-9])/g, (_: string, i: string) => match[Number(i)] ?? '');
      break;
    }
  } else {
    chosen = all.find((l) => l.pathType === 'Exact' && l.path === path);
    if (!chosen) {
      const prefixes = all.filter((l) => {
        if (l.pathType === 'Exact') return false;
        const want = elements(l.path);
        const have = elements(path);
        return want.length <= have.length && want.every((e, i) => have[i] === e);
      });
      chosen = prefixes.sort((a, b) => elements(b.path).length - elements(a.path).length)[0];
    }
  }
  if (!chosen) return [];
  const alternative = alternatives(docs).get(upstream(chosen.backend.namespace, chosen.backend.service));
  const canaryWeight = alternative?.weight ?? 0;
  const [namespace, service] = alternative?.upstream.split('/') ?? [];
  return [
    ...(canaryWeight < 100 ? [{ ...chosen.backend, weight: 100 - canaryWeight, path: upstreamPath }] : []),
    ...(canaryWeight > 0 ? [{ namespace, service, weight: canaryWeight, path: upstreamPath }] : []),
  ];
}

/** Every REST URL of a model: status, metadata and the three verbs, unversioned, per version and per label. */
export function restUrls(model: string, versions: readonly number[], labels: readonly string[]): string[] {
  const bases = [`/v1/models/${model}`, ...versions.map((v) => `/v1/models/${model}/versions/${v}`), ...labels.map((l) => `/v1/models/${model}/labels/${l}`)];
  return bases.flatMap((b) => ['', '/metadata', ':predict', ':classify', ':regress'].map((s) => `${b}${s}`));
}
