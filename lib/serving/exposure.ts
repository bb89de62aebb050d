/** An extra Ingress path, e.g. `/v2/resnet` for clients of an older URL scheme. */
export interface ServingPath {
  readonly path: string;
  /** Route to the canary Service instead of the main one. @default false */
  readonly canary?: boolean;
}

/**
 * A versioned API route: `<prefix>:predict` (and `<prefix>/metadata`) reach one version of one
 * model, e.g. `{ prefix: '/v2/resnet', model: 'resnet', version: 2 }`. Needs ingress-nginx, which
 * rewrites the path to TF Serving's `/v1/models/<model>/versions/<version>`.
 */
export interface VersionRoute {
  readonly prefix: string;
  readonly model: string;
  readonly version: number;
}

export interface LoadBalancerOptions {
  /** A load balancer reachable only inside the VPC. @default true */
  readonly internal?: boolean;
  /** Client CIDRs allowed through an external load balancer; required when `internal` is false. @default - none */
  readonly sourceRanges?: readonly string[];
}

export interface IngressOptions {
  readonly host: string;
  /** The ingress-nginx class; the REST paths need its regex paths. @default 'nginx' */
  readonly className?: string;
  /** Secret with the host's certificate; synth warns without one. @default - plain HTTP */
  readonly tlsSecretName?: string;
  /** Paths beyond the per-model and per-label ones. @default - none */
  readonly extraPaths?: readonly ServingPath[];
  /** Routes that pin a model version, one Ingress each (nginx rewrites). @default - none */
  readonly versionRoutes?: readonly VersionRoute[];
}

/** How clients reach a serving stack. */
export class ServingExposure {
  /** A ClusterIP Service only. */
  public static clusterInternal(): ServingExposure {
    return new ServingExposure('cluster', {}, undefined);
  }

  /** A LoadBalancer Service, internal unless told otherwise, annotated for the cluster's cloud. */
  public static loadBalancer(options: LoadBalancerOptions = {}): ServingExposure {
    return new ServingExposure('load-balancer', options, undefined);
  }

  /**
   * An ingress-nginx Ingress for the REST port: every REST path of every model (`:predict`,
   * `/metadata`, `/versions/<n>…`, `/labels/<l>…`) goes to the pods that load what it names, and a
   * canary Ingress holds the canary's weight. Plus `extraPaths` and `versionRoutes`.
   */
  public static ingress(options: IngressOptions): ServingExposure {
    return new ServingExposure('ingress', {}, options);
  }

  private constructor(
    public readonly kind: 'cluster' | 'load-balancer' | 'ingress',
    public readonly loadBalancer: LoadBalancerOptions,
    public readonly ingress: IngressOptions | undefined,
  ) {}
}
