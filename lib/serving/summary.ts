import { ServingRoute } from './routing';

/** A serving stack at a glance. */
export interface ServingSummary {
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly models: readonly string[];
  readonly ports: { readonly grpc: number; readonly http: number };
  /** How clients reach it. */
  readonly endpoint: string;
  /** Ingress paths, when exposed through an Ingress. */
  readonly paths: readonly string[];
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly gpusPerPod: number;
  /**
   * Catalogue id of the accelerator.
   * @default - none: CPU pods
   */
  readonly accelerator?: string;
  /**
   * Percent of the requests the canary really takes (the router's weight).
   * @default - no canary running
   */
  readonly canaryWeight?: number;
  /** Every path, the Service and track it reaches, and which model version or label it serves. */
  readonly routes: readonly ServingRoute[];
}
