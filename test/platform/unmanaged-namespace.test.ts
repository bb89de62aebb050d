import { Chart, Testing } from 'cdk8s';
import { ClusterCharts, collectValidationErrors, declareExternalNamespace, Tenant, TfStrategy, TfTrainingJob } from '../../lib';
import { EKS_PROFILE } from '../fixtures';

const job = (chart: Chart, namespace?: string) => new TfTrainingJob(chart, 'train', {
  namespace, image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 },
});

describe('workloads run only in namespaces the program secures', () => {
  test('a workload in its tenant\'s namespace passes', () => {
    const app = Testing.app();
    const charts = new ClusterCharts(app, EKS_PROFILE);
    new Tenant(charts.tenant('research'), 'tenant', {});
    job(charts.tenant('research'));
    expect(collectValidationErrors(app)).toEqual([]);
  });

  test('a namespace managed elsewhere, declared so, passes', () => {
    const app = Testing.app();
    const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
    declareExternalNamespace(chart, 'platform-jobs');
    job(chart, 'platform-jobs');
    expect(collectValidationErrors(app)).toEqual([]);
  });

  describe('fails when', () => {
    test('the namespace is misspelled, so no Tenant creates it', () => {
      const app = Testing.app();
      const charts = new ClusterCharts(app, EKS_PROFILE);
      new Tenant(charts.tenant('research'), 'tenant', {});
      job(charts.tenant('research'), 'reserach');
      expect(collectValidationErrors(app)).toEqual([
        expect.stringMatching(/^\[ml-eks-research\/train\] NAMESPACE_UNMANAGED: "train" runs in namespace "reserach", which no Tenant of this program creates; .* Received: "reserach"\. Fix: add a Tenant named "reserach" .* or declareExternalNamespace\(scope, "reserach"\)/),
      ]);
    });
  });
});
