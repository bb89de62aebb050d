import { kubernetesFindings } from '../../lib/policy/kubernetes-checks';

/** The gate judges pinning exactly as the constructs do: a tag other than latest, or a digest. */
test.each([
  ['tensorflow/serving', true],
  ['tensorflow/serving:', true],
  ['tensorflow/serving:latest', true],
  ['registry:5000/tensorflow/serving', true],
  ['tensorflow/serving:2.18.0', false],
  ['registry:5000/tensorflow/serving:2.18.0', false],
  [`tensorflow/serving@sha256:${'a'.repeat(64)}`, false],
])('%s unpinned: %s', (image, unpinned) => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'ns' }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } };
  const rules = kubernetesFindings([{ doc: job, path: 'j' }]).map((f) => f.rule);
  expect(rules.includes('POD_IMAGE_PINNED')).toBe(unpinned);
});
