import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { EKS_PROFILE } from '../fixtures';
import { Accelerator, PodTemplate } from '../../lib';
import { kubeObject } from '../../lib/k8s/kube-object';
import * as k8s from '../../lib/imports/k8s';
import { podSecurityFindings } from '../../lib/policy/kubernetes-checks';
import { restrictedViolations } from './pod-security';
import { schemaErrors } from './schema';

function deploymentWith(build: (chart: ReturnType<typeof Testing.chart>) => PodTemplate) {
  const chart = Testing.chart();
  const template = build(chart);
  kubeObject(chart, 'deployment', k8s.KubeDeployment.GVK, k8s.toJson_KubeDeploymentProps, {
    metadata: { name: 'app', namespace: 'team' },
    spec: { selector: { matchLabels: { app: 'app' } }, template: template.toTemplate() },
  });
  return Testing.synth(chart);
}

describe('PodTemplate', () => {
  test('every pod it writes is restricted, resourced, tokenless and placed from the profile', () => {
    const docs = deploymentWith(() => {
      const pod = new PodTemplate({ labels: { app: 'app' }, serviceAccount: 'app', placement: EKS_PROFILE.placementFor(Accelerator.NVIDIA_L4) });
      pod.addContainer({ name: 'main', image: 'tensorflow/tensorflow:2.21.0-gpu', resources: { cpu: 2, memoryGiB: 8, gpus: 1 } });
      pod.addContainer({ name: 'sidecar', image: 'busybox:1.36', resources: { cpu: 0.1, memoryGiB: 0.125 } });
      return pod;
    });
    const spec = docs[0].spec.template.spec;
    expect(schemaErrors(docs)).toEqual([]);
    expect(restrictedViolations(spec)).toEqual([]);
    expect(podSecurityFindings(spec)).toEqual([]);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.containers.map((c: any) => c.resources)).toEqual([
      { requests: { 'cpu': '2', 'memory': '8Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '2', 'memory': '8Gi', 'nvidia.com/gpu': '1' } },
      { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
    ]);
    expect(spec.nodeSelector).toEqual({ 'ml-platform.io/accelerator': 'nvidia-l4' });
  });

  test('composes with cdk8s-plus: a ServiceAccount, a Secret as env source and a PVC as a volume', () => {
    const docs = deploymentWith((chart) => {
      const account = new kplus.ServiceAccount(chart, 'account', { metadata: { name: 'trainer' }, automountToken: false });
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'hub-token' } });
      const claim = new kplus.PersistentVolumeClaim(chart, 'checkpoints', { metadata: { name: 'checkpoints' }, storage: Size.gibibytes(10) });
      const pod = new PodTemplate({ labels: { app: 'app' }, serviceAccount: account });
      pod.addContainer({ name: 'main', image: 'tensorflow/tensorflow:2.21.0', resources: { cpu: 1, memoryGiB: 2 } });
      pod.addEnvFromSecret('HF_TOKEN', secret, 'token');
      pod.mountClaim(claim, '/checkpoints');
      return pod;
    });
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const spec = deployment.spec.template.spec;
    expect(spec.serviceAccountName).toBe('trainer');
    expect(spec.containers[0].env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hub-token', key: 'token' } } });
    expect(spec.volumes).toContainEqual({ name: 'pvc-checkpoints', persistentVolumeClaim: { claimName: 'checkpoints', readOnly: false } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'pvc-checkpoints', mountPath: '/checkpoints', readOnly: false });
    expect(schemaErrors(docs)).toEqual([]);
  });
});
