import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { Accelerator, ClusterCharts, collectValidationErrors, MlPlatform, Tenant, TfServing, TfStrategy, TfTrainingJob } from '../../lib';
import { EKS_PROFILE } from '../fixtures';

describe('defaults from scope', () => {
  test('constructs in a tenant chart take its namespace and cluster; each fact is stated once', () => {
    const app = Testing.app();
    const charts = new ClusterCharts(app, EKS_PROFILE);
    new MlPlatform(charts.platform, 'platform', {});
    const tenant = new Tenant(charts.tenant('research'), 'tenant', { quota: { gpus: 4 } });
    const job = new TfTrainingJob(charts.tenant('research'), 'train', {
      image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED,
      workers: { replicas: 2, gpus: 1, accelerator: Accelerator.NVIDIA_L4 },
    });
    const serving = new TfServing(charts.tenant('research'), 'serve', { models: [{ name: 'm', basePath: '/models/m' }], modelVolume: { claimName: 'models' } });
    tenant.addVolumeClaim('models', { storage: '10Gi' });
    expect([tenant.name, job.namespace, serving.namespace]).toEqual(['research', 'research', 'research']);
    expect([tenant.cluster, job.cluster, serving.cluster]).toEqual([EKS_PROFILE, EKS_PROFILE, EKS_PROFILE]);
    expect(collectValidationErrors(app)).toEqual([]);
    const namespaces = charts.tenant('research').toJson().filter((o: any) => o.metadata.namespace).map((o: any) => o.metadata.namespace);
    expect(new Set(namespaces)).toEqual(new Set(['research']));
  });

  test('props given explicitly win over the chart', () => {
    const charts = new ClusterCharts(Testing.app(), EKS_PROFILE);
    const job = new TfTrainingJob(charts.tenant('research'), 'train', {
      namespace: 'other', image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1 },
    });
    expect(job.namespace).toBe('other');
  });

  describe('fails when', () => {
    test('a workload outside ClusterCharts has neither cluster nor namespace (as a JavaScript caller could write)', () => {
      const app = new App();
      const chart = new Chart(app, 'loose');
      new TfTrainingJob(chart, 'train', { image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 1 } });
      const errors = collectValidationErrors(app);
      expect(errors).toContainEqual(expect.stringMatching(/^\[loose\/train\] CLUSTER_MISSING: .*Fix: place it in ClusterCharts.tenant/));
      expect(errors).toContainEqual(expect.stringMatching(/^\[loose\/train\] NAMESPACE_MISSING: /));
    });
  });
});

describe('handles', () => {
  test('tenant and platform objects are reachable as handles, and escape hatches on them reach the output', () => {
    const app = Testing.app();
    const charts = new ClusterCharts(app, EKS_PROFILE);
    const platform = new MlPlatform(charts.platform, 'platform', {});
    const tenant = new Tenant(charts.tenant('research'), 'tenant', { editorGroups: ['ml'] });
    tenant.resourceQuota.addJsonPatch(JsonPatch.add('/spec/hard/count~1jobs.batch', '50'));
    platform.priorityClasses['ml-serving-critical'].addJsonPatch(JsonPatch.replace('/value', 200000));
    const find = (chart: Chart, kind: string, name: string) => chart.toJson().find((o: any) => o.kind === kind && o.metadata.name === name);
    expect(find(charts.tenant('research'), 'ResourceQuota', 'tenant-quota').spec.hard['count/jobs.batch']).toBe('50');
    expect(find(charts.platform, 'PriorityClass', 'ml-serving-critical').value).toBe(200000);
    expect([tenant.namespaceObject.kind, tenant.limitRange.kind, tenant.roles.editor.kind, tenant.networkPolicies['default-deny'].kind])
      .toEqual(['Namespace', 'LimitRange', 'Role', 'NetworkPolicy']);
    expect(platform.devicePluginDaemonSet?.kind).toBe('DaemonSet');
    expect(platform.gpuPodMonitor.kind).toBe('PodMonitor');
  });
});
