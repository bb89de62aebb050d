import { declareExternalObject, ServingExposure, TfServing } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests } from '../k8s-helpers';

describe('handles of TfServing', () => {
  test('Ingresses, the disruption budget and the monitoring objects', () => {
    let stack!: TfServing;
    const docs = synthManifests((chart) => {
      declareExternalObject(chart, 'Secret', 'team-a', 'tls');
      stack = new TfServing(chart, 'resnet', {
        namespace: 'team-a', cluster: EKS_PROFILE, cloudIdentity: 'arn:aws:iam::111122223333:role/serving',
        models: [{ name: 'resnet', basePath: 's3://acme-models/resnet' }],
        expose: ServingExposure.ingress({ host: 'models.acme.dev', tlsSecretName: 'tls' }),
        prometheusOperator: true,
      });
      stack.ingresses.ingress.metadata.addAnnotation('example.com/team', 'vision');
    });
    expect(Object.keys(stack.ingresses)).toEqual(['ingress']);
    expect([stack.podDisruptionBudget!.kind, stack.monitoring.serviceMonitor!.kind, stack.monitoring.alerts!.kind]).toEqual(['PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule']);
    expect(byKind(docs, 'Ingress')[0].metadata.annotations['example.com/team']).toBe('vision');
  });
});
