import { Accelerator } from '../core/accelerator';
import { ClusterProfile } from '../core/cluster-profile';
import { ServingAlerts } from './alerts';
import { ServingAutoscaling } from './autoscaling';
import { ServingExposure } from './exposure';
import type { ServedModel, ServingBatching } from './model-config';
import { ModelDelivery } from './model-store';
import { ServingCanary } from './tracks';

/** The pinned default images; the GPU variant is used when GPUs are requested. */
export const TF_SERVING_IMAGE = 'tensorflow/serving:2.18.0';
export const TF_SERVING_GPU_IMAGE = 'tensorflow/serving:2.18.0-gpu';

/** How often TF Serving lists base paths for new versions when some model's versions can change in storage. */
export const DEFAULT_MODEL_POLL_SECONDS = 60;

export interface TfServingProps {
  /** Name of the stack's objects. @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the tenant chart it is placed in */
  readonly namespace?: string;
  readonly models: readonly ServedModel[];
  /** Pinned image. @default TF_SERVING_IMAGE, or TF_SERVING_GPU_IMAGE when `gpus` > 0 */
  readonly image?: string;
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /** Whole GPUs per pod. @default 0 */
  readonly gpus?: number;
  /** Required when `gpus` > 0. @default - none */
  readonly accelerator?: Accelerator;
  /** CPU cores per pod, requested and limited. @default 2 */
  readonly cpu?: number;
  /** Memory per pod in GiB, requested and limited. @default 4 */
  readonly memoryGiB?: number;
  /** @default - no server-side batching */
  readonly batching?: ServingBatching;
  /** Replay each SavedModel's `assets.extra/tf_serving_warmup_requests` before serving. @default true */
  readonly warmup?: boolean;
  /** Fixed replica count, when `autoscaling` is not set. @default 2 */
  readonly replicas?: number;
  /** @default - a fixed replica count */
  readonly autoscaling?: ServingAutoscaling;
  /** @default ServingExposure.clusterInternal() */
  readonly expose?: ServingExposure;
  /** @default - no canary */
  readonly canary?: ServingCanary;
  /** Cloud identity for bucket access: GCP service account email, IAM role ARN or Entra client id, set on the stack's own ServiceAccount. @default - a ServiceAccount without cloud identity */
  readonly cloudIdentity?: string;
  /** How pods read models in buckets. @default ModelDelivery.csiMount() */
  readonly modelDelivery?: ModelDelivery;
  /**
   * Seconds between TF Serving's listings of each base path for new versions
   * (`--file_system_poll_wait_seconds`); 0 lists once at start.
   * @default 0 when every model pins specific versions (a new version is a config change, which rolls the pods), else DEFAULT_MODEL_POLL_SECONDS
   */
  readonly modelPollSeconds?: number;
  /** A PVC holding model directories, for base paths that are not bucket URIs. @default - none */
  readonly modelVolume?: { readonly claimName: string; readonly mountPath?: string };
  /** The cluster runs the Prometheus operator: emit a ServiceMonitor and a PrometheusRule. @default false */
  readonly prometheusOperator?: boolean;
  /** @default - the defaults of ServingAlerts */
  readonly alerts?: ServingAlerts;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
}
