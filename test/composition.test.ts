/** Composition with cdk8s-plus: handles, selectors, Secrets, PVCs and sidecars handed to the library's constructs. */
import { ApiObject, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ClusterCharts, collectValidationErrors, Tenant, TfServing, TfStrategy, TfTrainingJob, TrainingCheckpoint } from '../lib';
import * as k8s from '../lib/imports/k8s';
import { EKS_PROFILE } from './fixtures';
import { allowed } from './k8s/network-policy';
import { schemaErrors } from './k8s/schema';

function stack() {
  const app = Testing.app();
  const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
  const tenant = new Tenant(chart, 'tenant', {});
  tenant.addVolumeClaim('models', { storage: '10Gi' });
  const serving = new TfServing(chart, 'ranker', { models: [{ name: 'ranker', basePath: '/models/ranker' }], modelVolume: { claimName: 'models' } });
  return { app, chart, serving };
}

const docsOf = (app: ReturnType<typeof Testing.app>) => app.charts.flatMap((c) => c.toJson());

describe('TfServing composes with cdk8s-plus and exposes its objects', () => {
  test('handles: the ServiceAccount, each track\'s Deployment, ConfigMap and Service', () => {
    const { serving } = stack();
    expect(serving.serviceAccount.kind).toBe('ServiceAccount');
    expect(serving.deployments.stable?.kind).toBe('Deployment');
    expect(serving.configMaps.stable?.name).toBe('ranker-config');
    expect(Object.keys(serving.services)).toEqual(['ranker']);
  });

  test('a kplus NetworkPolicy selects the serving pods, and a kplus peer may reach them on REST', () => {
    const { app, chart, serving } = stack();
    const clients = kplus.Pods.select(chart, 'clients', { labels: { role: 'client' } });
    const policy = new kplus.NetworkPolicy(chart, 'clients-to-ranker', { selector: serving, metadata: { namespace: 'research' } });
    policy.addIngressRule(clients, [kplus.NetworkPolicyPort.tcp(8501)]);
    expect(collectValidationErrors(app)).toEqual([]);
    const docs = docsOf(app);
    const written = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === ApiObject.of(policy).name);
    const podLabels = docs.find((d) => d.kind === 'Deployment').spec.template.metadata.labels;
    expect(written.spec.podSelector.matchLabels).toEqual({ 'ml-platform.io/serving': 'ranker' });
    // Only that policy, evaluated as Kubernetes does: the client reaches 8501, not 8500.
    const namespaces = { research: { 'kubernetes.io/metadata.name': 'research' } };
    const from = { namespace: 'research', labels: { role: 'client' } };
    const to = { namespace: 'research', labels: podLabels };
    expect(allowed([written], namespaces, from, to, { port: 8501 })).toBe(true);
    expect(allowed([written], namespaces, from, to, { port: 8500 })).toBe(false);
  });

  test('a sidecar without probes is refused by the gate like any container', () => {
    const { app, serving } = stack();
    serving.addSidecar({ name: 'bare', image: 'busybox:1.36', resources: { cpu: 0.1, memoryGiB: 0.125 } });
    expect(collectValidationErrors(app)).toEqual([expect.stringMatching(/POLICY_DEPLOYMENT_PROBES: .*container bare lacks a readiness probe/)]);
  });

  test('a kplus Secret as an env source and a sidecar reach every serving pod, after construction', () => {
    const { app, chart, serving } = stack();
    const secret = new kplus.Secret(chart, 'token', { metadata: { name: 'ranker-token', namespace: 'research' } });
    serving.addEnvFromSecret('UPSTREAM_TOKEN', secret, 'token');
    // The policy gate holds sidecars to the same rules: distinct readiness and liveness probes.
    serving.addSidecar({
      name: 'log-shipper',
      image: 'fluent/fluent-bit:3.2.2',
      resources: { cpu: 0.1, memoryGiB: 0.125 },
      readinessProbe: { httpGet: { path: '/api/v1/health', port: k8s.IntOrString.fromNumber(2020) } },
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(2020) } },
    });
    expect(collectValidationErrors(app)).toEqual([]);
    const docs = docsOf(app);
    const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['tensorflow-serving', 'log-shipper']);
    for (const container of pod.containers) {
      expect(container.env).toContainEqual({ name: 'UPSTREAM_TOKEN', valueFrom: { secretKeyRef: { name: 'ranker-token', key: 'token' } } });
    }
    expect(schemaErrors(docs.filter((d) => d.kind !== 'NetworkPolicy' || d.metadata.namespace))).toEqual([]);
  });
});

describe('TfTrainingJob composes with cdk8s-plus', () => {
  test('a kplus PersistentVolumeClaim as the checkpoint volume', () => {
    const app = Testing.app();
    const chart = new ClusterCharts(app, EKS_PROFILE).tenant('research');
    new Tenant(chart, 'tenant', {});
    const claim = new kplus.PersistentVolumeClaim(chart, 'checkpoints', {
      metadata: { name: 'checkpoints', namespace: 'research' }, storage: Size.gibibytes(100), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_MANY],
    });
    new TfTrainingJob(chart, 'train', {
      image: 'tensorflow/tensorflow:2.21.0', strategy: TfStrategy.MULTI_WORKER_MIRRORED, workers: { replicas: 2 }, checkpoint: TrainingCheckpoint.volume(claim),
    });
    // The reference check sees the kplus claim as defined in the program.
    expect(collectValidationErrors(app)).toEqual([]);
    const pod = docsOf(app).find((d) => d.kind === 'Job').spec.template.spec;
    expect(pod.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: expect.objectContaining({ claimName: 'checkpoints' }) }));
    expect(pod.containers[0].env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
  });
});
