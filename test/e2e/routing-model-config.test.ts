import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAksVersionedApis } from '../../examples/aks-versioned-apis/main';
import { buildModelServing } from '../../examples/model-serving/main';
import { buildMultiCloud } from '../../examples/multi-cloud/main';
import { buildTrainingAndServing } from '../../examples/training-and-serving/main';
import { TfServing } from '../../lib';
import { modelConfigs } from '../k8s/routing';
import { ensureTensorflowPython } from './tensorflow-tools';

/**
 * The request-routing model reads each pod's model_config_list with its own small text-proto
 * reader; here every config the examples write goes through protobuf's parser with TF Serving's
 * message definitions too, and both must agree on names, base paths, policies and labels.
 */
const PROTO_DIR = path.join(__dirname, 'serving');

describe('the routing model reads model configs as TF Serving does', () => {
  let python: string;
  beforeAll(() => {
    python = ensureTensorflowPython();
  }, 20 * 60_000);

  test('every models.config of the serving examples', () => {
    const texts: string[] = [];
    for (const build of [buildAksVersionedApis, buildModelServing, buildMultiCloud, buildTrainingAndServing]) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-config-'));
      const kubernetes = new K8sApp({ outdir: tmp });
      build(new App({ outdir: tmp }), kubernetes);
      for (const stack of kubernetes.node.findAll().filter((c): c is TfServing => c instanceof TfServing)) {
        texts.push(...stack.apiObjects.map((o) => o.toJson()).filter((d) => d.kind === 'ConfigMap' && d.data['models.config']).map((d) => d.data['models.config']));
      }
    }
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) {
      const result = spawnSync(python, [path.join(PROTO_DIR, 'parse_config.py'), PROTO_DIR, 'ModelServerConfig'], { input: text, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(result.stderr);
      const real = JSON.parse(result.stdout).model_config_list.config.map((c: any) => ({
        name: c.name,
        basePath: c.base_path,
        specific: c.model_version_policy?.specific?.versions?.map(Number),
        latest: c.model_version_policy?.latest?.num_versions,
        labels: Object.fromEntries(Object.entries(c.version_labels ?? {}).map(([k, v]) => [k, Number(v)])),
      }));
      const ours = modelConfigs(text).map((c) => ({
        name: c.name,
        basePath: c.basePath,
        specific: (c.policy?.specific?.[0] as any)?.versions,
        latest: (c.policy?.latest?.[0] as any)?.num_versions?.[0],
        labels: c.labels,
      }));
      expect(ours).toEqual(real);
    }
  }, 5 * 60_000);
});
