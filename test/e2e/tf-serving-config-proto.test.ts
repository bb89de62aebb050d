import { spawnSync } from 'child_process';
import * as path from 'path';
import { ModelVersionPolicy } from '../../lib';
import { batchingParametersText, modelServerConfigText, monitoringConfigText } from '../../lib/serving/model-config';
import { ensureTensorflowPython } from './tensorflow-tools';

/** The config files TfServing writes go through protobuf's text-format parser, with TF Serving's message definitions. */
const PROTO_DIR = path.join(__dirname, 'serving');

describe('TF Serving config files parse as TF Serving reads them', () => {
  let python: string;
  beforeAll(() => {
    python = ensureTensorflowPython();
  }, 20 * 60_000);

  const parse = (message: string, text: string) => {
    const result = spawnSync(python, [path.join(PROTO_DIR, 'parse_config.py'), PROTO_DIR, message], { input: text, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  };

  test('model_config_list with every version policy and version labels', () => {
    const text = modelServerConfigText([
      { name: 'resnet', basePath: 'gs://acme/resnet', versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } },
      { name: 'bert', basePath: 's3://acme/bert', versions: ModelVersionPolicy.latest(2) },
      { name: 'ranker', basePath: '/models/ranker', versions: ModelVersionPolicy.all() },
    ]);
    expect(parse('ModelServerConfig', text)).toEqual({
      model_config_list: {
        config: [
          { name: 'resnet', base_path: 'gs://acme/resnet', model_platform: 'tensorflow', model_version_policy: { specific: { versions: ['1', '2'] } }, version_labels: { stable: '1', canary: '2' } },
          { name: 'bert', base_path: 's3://acme/bert', model_platform: 'tensorflow', model_version_policy: { latest: { num_versions: 2 } } },
          { name: 'ranker', base_path: '/models/ranker', model_platform: 'tensorflow', model_version_policy: { all: {} } },
        ],
      },
    });
  });

  test('monitoring and batching configs', () => {
    expect(parse('MonitoringConfig', monitoringConfigText())).toEqual({ prometheus_config: { enable: true, path: '/monitoring/prometheus/metrics' } });
    expect(parse('BatchingParameters', batchingParametersText({ maxBatchSize: 64 }, 4))).toEqual({
      max_batch_size: '64', batch_timeout_micros: '1000', max_enqueued_batches: '100', num_batch_threads: '4',
    });
  });

  test('the parser rejects a field TF Serving does not define', () => {
    expect(() => parse('ModelServerConfig', 'model_config_list { config { name: "x" model_version: 1 } }')).toThrow(/has no field named "model_version"/);
  });
});
