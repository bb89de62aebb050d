import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { buildAksVersionedApis } from '../../examples/aks-versioned-apis/main';
import { buildModelHosting } from '../../examples/gke-model-hosting/main';
import { buildTrainingAndServing } from '../../examples/training-and-serving/main';
import { synthPlatform } from '../../lib';
import { schemaErrors } from '../k8s/schema';
import { podTemplates, restrictedViolations } from '../k8s/pod-security';
import { resources } from '../tf-helpers';

/** Synthesizes an example as its main does, into temp folders; returns manifests and stacks. */
function synth(build: (terraform: App, kubernetes: K8sApp) => unknown) {
  const tfOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-seed-tf-'));
  const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-seed-k8s-'));
  const terraform = new App({ outdir: tfOut });
  const kubernetes = new K8sApp({ outdir: k8sOut });
  build(terraform, kubernetes);
  const { warnings } = synthPlatform({ terraform, kubernetes });
  const docs = fs.readdirSync(k8sOut).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(k8sOut, f), 'utf8')).map((d) => d.toJS()));
  const stack = (name: string) => JSON.parse(fs.readFileSync(path.join(tfOut, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  return { docs, stack, warnings, files: fs.readdirSync(k8sOut).sort() };
}

const kinds = (docs: any[], kind: string) => docs.filter((d) => d.kind === kind);
const releases = (tf: any) => resources(tf, 'helm_release').map((r) => r.name).sort();

function commonChecks(docs: any[], warnings: string[]) {
  expect(schemaErrors(docs)).toEqual([]);
  const violations = podTemplates(docs).filter((t) => t.namespace !== 'nvidia-device-plugin').flatMap((t) => restrictedViolations(t.spec).map((v) => `${t.where}: ${v}`));
  expect(violations).toEqual([]);
  expect(warnings).toEqual([]);
}

describe('example: model hosting on GKE', () => {
  const { docs, stack, warnings, files } = synth(buildModelHosting);

  test('CPU, spot L4 and T4 pools; three tenants; ten autoscaled, monitored models', () => {
    const pools = resources(stack('hosting-gke'), 'google_container_node_pool').map((p) => [p.name, p.node_config.machine_type, p.node_config.spot]);
    expect(pools).toEqual([['cpu', 'e2-standard-8', false], ['l4spot', 'g2-standard-4', true], ['t4', 'n1-standard-8', false]]);
    expect(kinds(docs, 'Namespace').map((n) => n.metadata.name).sort()).toEqual(['ads', 'search', 'vision']);
    expect(kinds(docs, 'Deployment')).toHaveLength(10);
    expect(kinds(docs, 'HorizontalPodAutoscaler')).toHaveLength(10);
    expect(kinds(docs, 'ServiceMonitor')).toHaveLength(10);
    expect(kinds(docs, 'PrometheusRule').flatMap((r) => r.spec.groups[0].rules.map((x: any) => x.alert))).toHaveLength(30);
    expect(files).toEqual(['gke-hosting-ads.k8s.yaml', 'gke-hosting-platform.k8s.yaml', 'gke-hosting-search.k8s.yaml', 'gke-hosting-vision.k8s.yaml']);
    expect(releases(stack('hosting-gke-addons'))).toEqual(['dcgm-exporter', 'ingress-nginx', 'kube-prometheus-stack']);
  });

  test('GPU models sit on the on-demand T4 pool, never on spot', () => {
    const gpu = kinds(docs, 'Deployment').filter((d) => d.spec.template.spec.nodeSelector);
    expect(gpu.map((d) => d.metadata.name)).toEqual(['resnet', 'detector']);
    expect(gpu.every((d) => d.spec.template.spec.nodeSelector['ml-platform.io/accelerator'] === 'nvidia-t4')).toBe(true);
    expect(gpu.flatMap((d) => d.spec.template.spec.tolerations.map((t: any) => t.key))).not.toContain('ml-platform.io/spot');
  });

  test('passes the schemas and Pod Security, with no warnings', () => commonChecks(docs, warnings));
});

describe('example: distributed training and serving on EKS', () => {
  const { docs, stack, warnings } = synth(buildTrainingAndServing);

  test('a MultiWorkerMirrored job on four GPU workers', () => {
    const [job] = kinds(docs, 'Job');
    expect(job.spec.completions).toBe(4);
    expect(job.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(job.spec.template.spec.serviceAccountName).toBe('trainer');
  });

  test('a ParameterServer JobSet with a chief, 3 workers, 2 ps and an evaluator, ended by the chief and the evaluator', () => {
    const [jobSet] = kinds(docs, 'JobSet');
    expect(jobSet.spec.replicatedJobs.map((r: any) => [r.name, r.template.spec.completions])).toEqual([['chief', 1], ['worker', 3], ['ps', 2], ['evaluator', 1]]);
    // The evaluator's last evaluation is kept: the set ends when both are done.
    expect(jobSet.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['chief', 'evaluator'] });
    expect(releases(stack('train-eks-addons'))).toContain('jobset');
  });

  test('the trained model is served behind a load balancer with an HPA', () => {
    const service = kinds(docs, 'Service').find((s) => s.metadata.name === 'ranker');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(kinds(docs, 'HorizontalPodAutoscaler')[0].spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  });

  test('passes the schemas and Pod Security, with no warnings', () => commonChecks(docs, warnings));
});

describe('example: AKS platform with versioned APIs', () => {
  const { docs, stack, warnings } = synth(buildAksVersionedApis);

  test('Prometheus, Alertmanager and Grafana come with kube-prometheus-stack', () => {
    const release = resources(stack('apis-aks-addons'), 'helm_release').find((r) => r.name === 'kube-prometheus-stack');
    const values = parse(release!.values[0]);
    expect(values.prometheus.prometheusSpec.retention).toBe('30d');
    expect(values.grafana.admin.existingSecret).toBe('grafana-admin');
  });

  test('/v1/<model> and /v2/<model> reach versions 1 and 2', () => {
    const routes = kinds(docs, 'Ingress').filter((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target']);
    expect(routes.map((r) => [r.spec.rules[0].http.paths[0].path, r.metadata.annotations['nginx.ingress.kubernetes.io/rewrite-target']])).toEqual([
      ['/v1/fraud-score(:.*|/.*)?$', '/v1/models/fraud-score/versions/1$1'],
      ['/v2/fraud-score(:.*|/.*)?$', '/v1/models/fraud-score/versions/2$1'],
    ]);
    const config = kinds(docs, 'ConfigMap').find((c) => c.metadata.name === 'fraud-score-config');
    expect(config.data['models.config']).toContain('versions: 1\n        versions: 2');
  });

  test('a new image is rolled out to 10% of the requests: a canary Deployment beside the ten stable pods', () => {
    const deployments = Object.fromEntries(kinds(docs, 'Deployment').map((d) => [d.metadata.name, [d.spec.replicas, d.spec.template.spec.containers[0].image]]));
    expect(deployments).toEqual({ 'fraud-score': [10, 'tensorflow/serving:2.18.0-gpu'], 'fraud-score-canary': [1, 'tensorflow/serving:2.19.0-gpu'] });
  });

  test('passes the schemas and Pod Security, with no warnings', () => commonChecks(docs, warnings));
});
