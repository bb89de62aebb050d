/**
 * Which pods answer which REST path, and the Ingresses that send each path there. TF Serving's REST
 * API is `/v1/models/<m>[/versions/<n>|/labels/<l>][/metadata|:predict|:classify|:regress]`; a
 * Kubernetes `Prefix` path matches whole path elements only, so `/v1/models/m` would never match
 * `/v1/models/m:predict`. The Ingresses use ingress-nginx regex paths instead, anchored at the end
 * of the model, version or label element; ingress-nginx orders regex locations by length, so the
 * most specific path wins. The canary share is an ingress-nginx canary Ingress weight.
 */
import * as k8s from '../imports/k8s';
import { IngressOptions } from './exposure';
import { ServedModel } from './model-config';
import { Track, TrackPlan } from './tracks';

const NGINX = 'nginx.ingress.kubernetes.io';

/** One row of a stack's route table. */
export interface ServingRoute {
  /**
   * The Ingress host the path is served on.
   * @default - no host: a call straight to the Service (in the cluster, or through its load balancer)
   */
  readonly host?: string;
  /** The path; requests to it and below it (`/…`, `:verb`) take this route. */
  readonly path: string;
  readonly service: string;
  readonly track: Track;
  /** Percent of the path's requests this row takes through the router. */
  readonly weight: number;
  /**
   * The model the path belongs to.
   * @default - an extra path of the stack, not one model's
   */
  readonly model?: string;
  /**
   * The version the path pins.
   * @default - the model's latest loaded version
   */
  readonly version?: number;
  /**
   * The version label the path names.
   * @default - none
   */
  readonly label?: string;
  /**
   * The path the pods receive, when the Ingress rewrites it.
   * @default - the path as sent
   */
  readonly rewrite?: string;
}

/** A path and the tracks that answer it, with their shares. */
interface PathRoute {
  readonly path: string;
  readonly backends: ReadonlyArray<{ readonly track: Track; readonly weight: number }>;
  /** @default - an extra path, not one model's */
  readonly model?: string;
  /** @default - the latest loaded version */
  readonly version?: number;
  /** @default - none */
  readonly label?: string;
  /** An extra path of the user's, not a TF Serving path. @default false */
  readonly extra?: boolean;
}

export interface RoutingInputs {
  readonly name: string;
  readonly namespace: string;
  readonly plans: readonly TrackPlan[];
  /** The canary's weight, while a canary track runs. @default - no canary */
  readonly canaryWeight?: number;
  /** Whether the canary serves `model` differently from the stable track (its version, or an image canary's every model). */
  readonly canaryChanges: (model: string) => boolean;
  readonly services: Readonly<Record<Track, string>>;
  /**
   * Services used only by the weighted paths of the Ingress: ingress-nginx attaches a canary to the
   * primary Service (every path using it splits) and ignores a canary Service that is a primary
   * anywhere, so both sides of the split need Services of their own.
   */
  readonly weightedServices: Readonly<Record<Track, string>>;
  /** @default - no Ingress */
  readonly ingress?: IngressOptions;
  readonly metadata: (name: string, extra?: Partial<k8s.ObjectMeta>) => k8s.ObjectMeta;
}

const knownVersions = (model: ServedModel) => (model.versions?.kind === 'specific' ? [...model.versions.values] : []);

/** The tracks whose pods answer a path of `model`, split by the canary weight when both do and the canary changes the model. */
function backendsFor(inputs: RoutingInputs, model: string, answers: (m: ServedModel) => boolean): PathRoute['backends'] {
  const tracks = inputs.plans.filter((p) => p.models.some((m) => m.name === model && answers(m))).map((p) => p.track);
  const weight = inputs.canaryWeight ?? 0;
  if (tracks.length === 2 && inputs.canaryChanges(model)) {
    return [{ track: 'stable', weight: 100 - weight }, ...(weight > 0 ? [{ track: 'canary' as Track, weight }] : [])];
  }
  return tracks.length === 0 ? [] : [{ track: tracks[0], weight: 100 }];
}

// A stack asks for its paths for its Services, its Ingresses and its route table: built once per inputs.
const PATH_ROUTES = new WeakMap<RoutingInputs, readonly PathRoute[]>();

/** Every path of the stack's models, with the tracks that answer it. */
function pathRoutes(inputs: RoutingInputs): readonly PathRoute[] {
  let routes = PATH_ROUTES.get(inputs);
  if (routes === undefined) {
    routes = buildPathRoutes(inputs);
    PATH_ROUTES.set(inputs, routes);
  }
  return routes;
}

function buildPathRoutes(inputs: RoutingInputs): PathRoute[] {
  const names = [...new Set(inputs.plans.flatMap((p) => p.models.map((m) => m.name)))];
  const routes: PathRoute[] = [];
  for (const model of names) {
    const base = `/v1/models/${model}`;
    routes.push({ path: base, model, backends: backendsFor(inputs, model, () => true) });
    const versions = [...new Set(inputs.plans.flatMap((p) => p.models.filter((m) => m.name === model).flatMap(knownVersions)))].sort((a, b) => a - b);
    for (const version of versions) {
      routes.push({ path: `${base}/versions/${version}`, model, version, backends: backendsFor(inputs, model, (m) => knownVersions(m).includes(version)) });
    }
    const labels = [...new Set(inputs.plans.flatMap((p) => p.models.filter((m) => m.name === model).flatMap((m) => Object.keys(m.labels ?? {}))))].sort();
    for (const label of labels) {
      const version = inputs.plans.flatMap((p) => p.models).find((m) => m.name === model && m.labels?.[label] !== undefined)!.labels![label];
      routes.push({ path: `${base}/labels/${label}`, model, label, version, backends: backendsFor(inputs, model, (m) => m.labels?.[label] !== undefined) });
    }
  }
  const canaryRunning = inputs.plans.some((p) => p.track === 'canary');
  for (const extra of inputs.ingress?.extraPaths ?? []) {
    routes.push({ path: extra.path, extra: true, backends: [{ track: extra.canary && canaryRunning ? 'canary' : 'stable', weight: 100 }] });
  }
  return routes;
}

/** The track that loads `version` of `model` (the stable one when both do). */
export function trackLoading(plans: readonly TrackPlan[], model: string, version: number): Track | undefined {
  return plans.find((p) => p.models.some((m) => m.name === model && knownVersions(m).includes(version)))?.track;
}

/** Whether the Ingress splits some path between the tracks, and so needs the weighted Services. */
export function splitsTraffic(inputs: RoutingInputs): boolean {
  return inputs.ingress !== undefined && pathRoutes(inputs).some((r) => r.backends.length === 2);
}

/** The stack's route table: straight to the Services, then through the Ingress when there is one. */
export function routeTable(inputs: RoutingInputs): ServingRoute[] {
  const paths = pathRoutes(inputs);
  const rows = (host: string | undefined) => paths.filter((r) => host !== undefined || !r.extra).flatMap((r) => r.backends.map((b) => ({
    ...(host !== undefined ? { host } : {}),
    path: r.path,
    service: inputs.services[b.track],
    track: b.track,
    // Without a router, a path one track serves is called on that track's Service; a split path on the stable one.
    weight: host === undefined ? (r.backends.length === 1 || b.track === 'stable' ? 100 : 0) : b.weight,
    ...(r.model !== undefined ? { model: r.model } : {}),
    ...(r.version !== undefined ? { version: r.version } : {}),
    ...(r.label !== undefined ? { label: r.label } : {}),
  })));
  const ingress = inputs.ingress;
  if (!ingress) return rows(undefined);
  const split = new Set(paths.filter((r) => r.backends.length === 2).map((r) => r.path));
  const viaIngress = rows(ingress.host).map((r) => (split.has(r.path) ? { ...r, service: inputs.weightedServices[r.track] } : r));
  const versionRoutes = (ingress.versionRoutes ?? []).flatMap((route) => {
    const track = trackLoading(inputs.plans, route.model, route.version);
    return track ? [{ host: ingress.host, path: route.prefix, service: inputs.services[track], track, weight: 100, model: route.model, version: route.version, rewrite: `/v1/models/${route.model}/versions/${route.version}` }] : [];
  });
  return [...rows(undefined), ...viaIngress, ...versionRoutes];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex path: the route's path, then nothing, a sub-path or a `:verb`, so `/v1/models/a` never takes `/v1/models/ab`. */
const regexPath = (path: string) => `${escape(path)}([/:].*)?$`;

/**
 * The Ingresses: the main one with a regex path per route, a canary Ingress (same host and paths,
 * `canary-weight`) for the paths both tracks answer, and one rewriting Ingress per version route.
 */
export function ingresses(inputs: RoutingInputs): Array<{ id: string; props: k8s.KubeIngressProps }> {
  const ingress = inputs.ingress;
  if (!ingress) return [];
  const spec = (paths: Array<{ path: string; service: string }>): k8s.IngressSpec => ({
    ingressClassName: ingress.className ?? 'nginx',
    tls: ingress.tlsSecretName ? [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] : undefined,
    rules: [{
      host: ingress.host,
      http: { paths: paths.map(({ path, service }) => ({ path, pathType: 'ImplementationSpecific', backend: { service: { name: service, port: { name: 'http' } } } })) },
    }],
  });
  const routes = pathRoutes(inputs).filter((r) => r.backends.length > 0);
  const out: Array<{ id: string; props: k8s.KubeIngressProps }> = [{
    id: 'ingress',
    props: {
      // Regex paths: ingress-nginx applies regex matching to the whole host once one Ingress asks for it.
      metadata: inputs.metadata(inputs.name, { annotations: { [`${NGINX}/use-regex`]: 'true' } }),
      spec: spec(routes.map((r) => ({ path: regexPath(r.path), service: r.backends.length === 2 ? inputs.weightedServices.stable : inputs.services[r.backends[0].track] }))),
    },
  }];
  const split = routes.filter((r) => r.backends.length === 2);
  if (split.length > 0) {
    out.push({
      id: 'canary-ingress',
      props: {
        metadata: inputs.metadata(`${inputs.name}-canary`, {
          annotations: { [`${NGINX}/use-regex`]: 'true', [`${NGINX}/canary`]: 'true', [`${NGINX}/canary-weight`]: String(inputs.canaryWeight ?? 0) },
        }),
        spec: spec(split.map((r) => ({ path: regexPath(r.path), service: inputs.weightedServices.canary }))),
      },
    });
  }
  for (const route of ingress.versionRoutes ?? []) {
    const track = trackLoading(inputs.plans, route.model, route.version);
    if (!track) continue;
    const slug = route.prefix.replace(/^\/|\/$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    out.push({
      id: `route-${slug}`,
      props: {
        metadata: inputs.metadata(`${inputs.name}-${slug}`, {
          annotations: {
            [`${NGINX}/use-regex`]: 'true',
            // `/v2/resnet:predict` becomes `/v1/models/resnet/versions/2:predict`.
            [`${NGINX}/rewrite-target`]: `/v1/models/${route.model}/versions/${route.version}$1`,
          },
        }),
        spec: spec([{ path: `${escape(route.prefix)}(:.*|/.*)?$`, service: inputs.services[track] }]),
      },
    });
  }
  return out;
}
