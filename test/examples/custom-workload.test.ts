import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { buildCustomWorkload } from '../../examples/custom-workload/main';
import { collectValidationErrors, WorkloadKinds } from '../../lib';
import { allowed } from '../k8s/network-policy';
import { restrictedViolations } from '../k8s/pod-security';
import { schemaErrors } from '../k8s/schema';

function build(tenantGpus?: number) {
  const app = Testing.app();
  const charts = buildCustomWorkload(app, tenantGpus);
  const rayJob = app.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'RayJob')!;
  // Rendering validates, so documents are rendered only where a test asks for them.
  return { app, charts, rayJob, get docs() { return app.charts.flatMap((c) => c.toJson()); } };
}

describe('example: a workload kind written in the user program (Ray batch job) on a hand-written on-premises profile', () => {
  test('synthesizes with no problem, and every object passes the Kubernetes schemas', () => {
    const { app, docs } = build();
    expect(collectValidationErrors(app)).toEqual([]);
    expect(schemaErrors(docs.filter((d) => d.kind !== 'RayJob'))).toEqual([]);
  });

  test('its pods are read through the registry and meet Pod Security restricted', () => {
    const { docs } = build();
    const templates = docs.filter((d) => d.kind === 'RayJob').flatMap((d) => WorkloadKinds.of('RayJob')!.podTemplates(d));
    expect(templates.map((t) => t.where)).toEqual([' head', ' workers gpu']);
    expect(templates.flatMap((t) => restrictedViolations(t.template.spec))).toEqual([]);
  });

  test('GPU workers are placed on the hand-labelled L4 nodes through the profile', () => {
    const worker = build().docs.find((d) => d.kind === 'RayJob').spec.rayClusterSpec.workerGroupSpecs[0].template.spec;
    expect(worker.nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
    expect(worker.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    expect(worker.containers[0].resources.limits['nvidia.com/gpu']).toBe('4');
  });

  test('tenant roles grant the new resource', () => {
    const editor = build().docs.find((d) => d.kind === 'Role' && d.metadata.name === 'tenant-editor');
    expect(editor.rules).toContainEqual(expect.objectContaining({ apiGroups: ['ray.io'], resources: ['rayjobs'] }));
  });

  test('the tenant network policies cover its pods: workers reach the head, other namespaces do not', () => {
    const { docs } = build();
    const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
    const namespaces = { research: { 'kubernetes.io/metadata.name': 'research' }, other: { 'kubernetes.io/metadata.name': 'other' } };
    const head = { namespace: 'research', labels: { 'app.kubernetes.io/name': 'nightly-scoring' } };
    expect(allowed(policies, namespaces, head, head, { port: 6379 })).toBe(true);
    expect(allowed(policies, namespaces, { namespace: 'other', labels: {} }, head, { port: 6379 })).toBe(false);
  });

  describe('fails when', () => {
    test('a planted privileged container hides in its worker pods', () => {
      const { app, rayJob } = build();
      rayJob.addJsonPatch(JsonPatch.add('/spec/rayClusterSpec/workerGroupSpecs/0/template/spec/containers/0/securityContext/privileged', true));
      expect(collectValidationErrors(app)).toEqual([expect.stringMatching(/POLICY_POD_PRIVILEGED: RayJob research\/nightly-scoring .*container ray-worker is privileged workers gpu/)]);
    });

    test('its GPUs exceed the tenant quota', () => {
      const { app } = build(4);
      expect(collectValidationErrors(app)).toContainEqual(expect.stringMatching(/TENANT_GPU_QUOTA_EXCEEDED: .*nightly-scoring: 8/));
    });
  });
});
