import { JsonPatch, Testing } from 'cdk8s';
import * as k8s from '../../lib/imports/k8s';
import { kubeObject } from '../../lib/k8s/kube-object';

describe('typed objects', () => {
  const chart = () => Testing.chart();
  const deployment: k8s.KubeDeploymentProps = {
    metadata: { name: 'web', namespace: 'team' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { cpu: k8s.Quantity.fromString('1') } }, ports: [{ containerPort: 80 }] }] },
      },
    },
  };

  test('typed props become the JSON Kubernetes reads', () => {
    const json = kubeObject(chart(), 'd', k8s.KubeDeployment.GVK, k8s.toJson_KubeDeploymentProps, deployment).toJson();
    expect(json.apiVersion).toBe('apps/v1');
    expect(json.kind).toBe('Deployment');
    expect(json.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1' } });
  });

  test('a JSON patch with a field newer than the imported schema survives (the generated class drops it)', () => {
    const patch = JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: 5 } }, stopSignal: 'SIGUSR1' });
    const ours = kubeObject(chart(), 'd', k8s.KubeDeployment.GVK, k8s.toJson_KubeDeploymentProps, deployment);
    ours.addJsonPatch(patch);
    const generated = new k8s.KubeDeployment(chart(), 'd', deployment);
    generated.addJsonPatch(patch);
    expect(ours.toJson().spec.template.spec.containers[0].lifecycle.stopSignal).toBe('SIGUSR1');
    expect(generated.toJson().spec.template.spec.containers[0].lifecycle.stopSignal).toBeUndefined();
  });
});
