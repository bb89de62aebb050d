import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { buildModelServing } from '../../examples/model-serving/main';
import { synthPlatform } from '../../lib';
import { schemaErrors } from '../k8s/schema';

describe('model-serving example', () => {
  const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-serving-'));
  const terraform = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-serving-tf-')) });
  const kubernetes = new K8sApp({ outdir: k8sOut });
  buildModelServing(terraform, kubernetes);
  const { warnings } = synthPlatform({ terraform, kubernetes });
  const docs = parseAllDocuments(fs.readFileSync(path.join(k8sOut, 'serving-models.k8s.yaml'), 'utf8')).map((d) => d.toJS());

  test('serves two models, the GPU one with a 10% canary', () => {
    const deployments = docs.filter((d) => d.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.replicas ?? 'hpa']);
    // The stable track keeps its ten pods; the router, not the pod count, gives the canary its 10%.
    expect(deployments).toEqual([['text-classifier', 'hpa'], ['vision', 10], ['vision-canary', 1]]);
    const canary = docs.find((d) => d.metadata.name === 'vision-canary' && d.kind === 'Deployment');
    expect(canary.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('both stacks share one host with regex paths per model, version and label, and a canary Ingress at 10%', () => {
    const paths = docs.filter((d) => d.kind === 'Ingress').map((i) => [i.metadata.name, i.spec.rules[0].host, i.spec.rules[0].http.paths.map((p: any) => p.path)]);
    expect(paths).toEqual([
      ['text-classifier', 'models.acme.dev', ['/v1/models/sentiment([/:].*)?$', '/v1/models/sentiment/versions/3([/:].*)?$', '/v1/models/sentiment/labels/stable([/:].*)?$']],
      ['vision', 'models.acme.dev', ['/v1/models/resnet([/:].*)?$', '/v1/models/resnet/versions/1([/:].*)?$', '/v1/models/resnet/versions/2([/:].*)?$', '/v1/models/resnet/labels/canary([/:].*)?$', '/v1/models/resnet/labels/stable([/:].*)?$']],
      ['vision-canary', 'models.acme.dev', ['/v1/models/resnet([/:].*)?$']],
    ]);
    expect(docs.find((d) => d.metadata.name === 'vision-canary' && d.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('10');
  });

  test('passes the schemas with no warnings', () => {
    expect(schemaErrors(docs)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
