import { ClusterProfile } from '../core/cluster-profile';
import { PropsShape, shapeProblems, throwProblems } from '../core/props-shape';
import * as k8s from '../imports/k8s';

/** TF Serving's ports. */
export const GRPC_PORT = 8500;
export const REST_PORT = 8501;

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

const LOAD_BALANCER_SHAPE: PropsShape = { internal: 'boolean', sourceRanges: { arrayOf: 'string' } };
const INGRESS_SHAPE: PropsShape = {
  host: 'string', className: 'string', tlsSecretName: 'string',
  extraPaths: { arrayOf: { fields: { path: 'string', canary: 'boolean' }, required: ['path'] } },
  versionRoutes: { arrayOf: { fields: { prefix: 'string', model: 'string', version: 'number' }, required: ['prefix', 'model', 'version'] } },
};

/** How clients reach a serving stack. */
export class ServingExposure {
  /** A ClusterIP Service only. */
  public static clusterInternal(): ServingExposure {
    return new ServingExposure('cluster', {}, undefined);
  }

  /** A LoadBalancer Service, internal unless told otherwise, annotated for the cluster's cloud. */
  public static loadBalancer(options: LoadBalancerOptions = {}): ServingExposure {
    throwProblems('ServingExposure.loadBalancer', shapeProblems(options, LOAD_BALANCER_SHAPE, [], 'options'));
    return new ServingExposure('load-balancer', options, undefined);
  }

  /**
   * An ingress-nginx Ingress for the REST port: every REST path of every model (`:predict`,
   * `/metadata`, `/versions/<n>…`, `/labels/<l>…`) goes to the pods that load what it names, and a
   * canary Ingress holds the canary's weight. Plus `extraPaths` and `versionRoutes`.
   */
  public static ingress(options: IngressOptions): ServingExposure {
    throwProblems('ServingExposure.ingress', shapeProblems(options, INGRESS_SHAPE, ['host'], 'options'));
    return new ServingExposure('ingress', {}, options);
  }

  private constructor(
    public readonly kind: 'cluster' | 'load-balancer' | 'ingress',
    public readonly loadBalancer: LoadBalancerOptions,
    public readonly ingress: IngressOptions | undefined,
  ) {}
}

/**
 * A Service for one track's pods (or for the Ingress's weighted paths): ClusterIP, or a load
 * balancer annotated from the profile's facts. Each Service selects one track only, so a version
 * path reaches only pods that load that version.
 */
export function serviceProps(inputs: { metadata: k8s.ObjectMeta; selector: Record<string, string>; expose: ServingExposure; cluster: ClusterProfile }): k8s.KubeServiceProps {
  const { expose } = inputs;
  const loadBalanced = expose.kind === 'load-balancer';
  const internal = expose.loadBalancer.internal ?? true;
  const facts = inputs.cluster.facts.loadBalancer;
  return {
    metadata: { ...inputs.metadata, ...(loadBalanced ? { annotations: { ...(internal ? facts.internalAnnotations : facts.externalAnnotations) } } : {}) },
    spec: {
      type: loadBalanced ? 'LoadBalancer' : 'ClusterIP',
      loadBalancerSourceRanges: loadBalanced && !internal ? [...(expose.loadBalancer.sourceRanges ?? [])] : undefined,
      selector: inputs.selector,
      ports: [
        { name: 'grpc', port: GRPC_PORT, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
        { name: 'http', port: REST_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'http' },
      ],
    },
  };
}
