import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { ClusterCharts, collectValidationErrors, Tenant, WorkloadKinds } from '../../lib';
import { EKS_PROFILE } from '../fixtures';

const privilegedPod = (name: string) => ({
  containers: [{ name, image: 'busybox:1.36', securityContext: { privileged: true } }],
});

/** A PyTorchJob as the Kubeflow training operator reads it. */
const pyTorchJob = (chart: Chart) => new ApiObject(chart, 'pytorch', {
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  metadata: { name: 'pytorch', namespace: 'research' },
  spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: privilegedPod('pytorch') } } } },
});

const policyCodes = (app: App) => collectValidationErrors(app).flatMap((e) => e.match(/POLICY_[A-Z_]+/g) ?? []);

describe('the policy gate sees the whole app', () => {
  test('a chart created after the last library construct is still checked', () => {
    const app = Testing.app();
    new Tenant(new ClusterCharts(app, EKS_PROFILE).tenant('research'), 'tenant', {});
    const late = new Chart(app, 'late');
    new ApiObject(late, 'bad', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'research' }, spec: privilegedPod('bad') });
    const errors = collectValidationErrors(app);
    expect(errors).toContainEqual(expect.stringMatching(/\(chart late\) POLICY_POD_PRIVILEGED: Pod research\/bad \(late\/bad\): container bad is privileged/));
  });

  test('a pod-bearing kind the gate cannot read fails closed', () => {
    const app = Testing.app();
    const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
    new Tenant(chart, 'tenant', {});
    pyTorchJob(chart);
    expect(policyCodes(app)).toEqual(['POLICY_POD_KIND_UNREGISTERED']);
  });

  describe('with a registered kind', () => {
    const registered = WorkloadKinds.of('PyTorchJob');
    beforeAll(() => WorkloadKinds.register({
      group: 'kubeflow.org',
      kind: 'PyTorchJob',
      resource: 'pytorchjobs',
      podTemplates: (doc) => Object.entries<any>(doc.spec?.pytorchReplicaSpecs ?? {}).map(([type, r]) => ({ where: ` ${type}`, template: r.template })),
    }));
    afterAll(() => expect(registered).toBeUndefined());

    test('its pods are checked like any other', () => {
      const app = Testing.app();
      const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
      new Tenant(chart, 'tenant', {});
      pyTorchJob(chart);
      const errors = collectValidationErrors(app);
      expect(errors).toContainEqual(expect.stringMatching(/POLICY_POD_PRIVILEGED: PyTorchJob research\/pytorch .*container pytorch is privileged Master/));
      expect(policyCodes(app)).not.toContain('POLICY_POD_KIND_UNREGISTERED');
    });

    test('tenant roles grant it, and a kind registered after the tenant was built', () => {
      const app = Testing.app();
      const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
      new Tenant(chart, 'tenant', { editorGroups: ['ml'] });
      WorkloadKinds.register({ group: 'kubeflow.org', kind: 'MPIJob', resource: 'mpijobs', podTemplates: () => [] });
      const role = (name: string) => chart.toJson().find((o: any) => o.kind === 'Role' && o.metadata.name === name);
      expect(role('tenant-editor').rules).toContainEqual({ apiGroups: ['kubeflow.org'], resources: ['tfjobs', 'pytorchjobs', 'mpijobs'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] });
      expect(role('tenant-viewer').rules).toContainEqual({ apiGroups: ['kubeflow.org'], resources: ['tfjobs', 'pytorchjobs', 'mpijobs'], verbs: ['get', 'list', 'watch'] });
    });
  });
});
