/**
 * TF Serving's configuration files, written as the text protos its flags read: `ModelServerConfig`
 * (--model_config_file), `MonitoringConfig` (--monitoring_config_file) and `BatchingParameters`
 * (--batching_parameters_file), with the field names and nesting of tensorflow_serving/config.
 */

/** Which versions under a model's base path TF Serving loads. */
export class ModelVersionPolicy {
  /** The newest `count` version directories. */
  public static latest(count = 1): ModelVersionPolicy {
    return new ModelVersionPolicy('latest', [count]);
  }

  /** Exactly these versions. */
  public static specific(...versions: number[]): ModelVersionPolicy {
    return new ModelVersionPolicy('specific', versions);
  }

  /** Every version directory found. */
  public static all(): ModelVersionPolicy {
    return new ModelVersionPolicy('all', []);
  }

  private constructor(
    public readonly kind: 'latest' | 'specific' | 'all',
    /** The version count for `latest`; the versions for `specific`. */
    public readonly values: readonly number[],
  ) {}

  /**
   * Whether `version` is loaded under this policy; `undefined` when that depends on what is in storage.
   * @internal
   */
  public loads(version: number): boolean | undefined {
    if (this.kind === 'specific') return this.values.includes(version);
    return undefined;
  }

  /** @internal */
  public toTextProto(indent: string): string {
    const inner = `${indent}  `;
    switch (this.kind) {
      case 'latest':
        return `${indent}model_version_policy {\n${inner}latest {\n${inner}  num_versions: ${this.values[0]}\n${inner}}\n${indent}}\n`;
      case 'all':
        return `${indent}model_version_policy {\n${inner}all {\n${inner}}\n${indent}}\n`;
      case 'specific':
        return `${indent}model_version_policy {\n${inner}specific {\n${this.values.map((v) => `${inner}  versions: ${v}\n`).join('')}${inner}}\n${indent}}\n`;
    }
  }
}

/** One model a TF Serving server loads. */
export interface ServedModel {
  /** Model name, as clients address it: `/v1/models/<name>`. A DNS label. */
  readonly name: string;
  /**
   * Where the version directories (`1/`, `2/`, …) live: `gs://`, `s3://` or `az://` URI, or a path
   * under the serving stack's model volume.
   */
  readonly basePath: string;
  /** @default ModelVersionPolicy.latest(1) */
  readonly versions?: ModelVersionPolicy;
  /**
   * Version labels, e.g. `{ stable: 1, canary: 2 }`; each must point at a version the policy loads.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, number>>;
}

const quote = (text: string) => JSON.stringify(text);

/** `ModelServerConfig` with a `model_config_list`. */
export function modelServerConfigText(models: readonly ServedModel[]): string {
  const configs = models.map((model) => {
    const labels = Object.entries(model.labels ?? {})
      .map(([label, version]) => `    version_labels {\n      key: ${quote(label)}\n      value: ${version}\n    }\n`)
      .join('');
    return `  config {\n    name: ${quote(model.name)}\n    base_path: ${quote(model.basePath)}\n    model_platform: "tensorflow"\n`
      + (model.versions ?? ModelVersionPolicy.latest(1)).toTextProto('    ')
      + labels
      + '  }\n';
  });
  return `model_config_list {\n${configs.join('')}}\n`;
}

/** The path TF Serving's REST port exposes Prometheus metrics on. */
export const PROMETHEUS_METRICS_PATH = '/monitoring/prometheus/metrics';

/** `MonitoringConfig` turning on the Prometheus endpoint. */
export function monitoringConfigText(): string {
  return `prometheus_config {\n  enable: true\n  path: ${quote(PROMETHEUS_METRICS_PATH)}\n}\n`;
}

/** Server-side batching of requests. */
export interface ServingBatching {
  /** @default 32 */
  readonly maxBatchSize?: number;
  /** How long a request may wait for a batch to fill. @default 1000 */
  readonly batchTimeoutMicros?: number;
  /** @default - the serving container's CPU count */
  readonly numBatchThreads?: number;
  /** @default 100 */
  readonly maxEnqueuedBatches?: number;
}

/** `BatchingParameters`; its fields are wrapper messages, hence `{ value: … }`. */
export function batchingParametersText(batching: ServingBatching, defaultThreads: number): string {
  const fields: Array<[string, number]> = [
    ['max_batch_size', batching.maxBatchSize ?? 32],
    ['batch_timeout_micros', batching.batchTimeoutMicros ?? 1000],
    ['max_enqueued_batches', batching.maxEnqueuedBatches ?? 100],
    ['num_batch_threads', batching.numBatchThreads ?? defaultThreads],
  ];
  return fields.map(([name, value]) => `${name} {\n  value: ${value}\n}\n`).join('');
}
