import { Accelerator, ClusterProfile, collectWarnings, declareExternalObject, ModelVersionPolicy, NodeLabels, ServingExposure, TfServing, TfServingProps } from '../../lib';
import { EKS_PROFILE } from '../fixtures';
import { byKind, synthManifests, synthManifestsError } from '../k8s-helpers';
import { schemaErrors } from '../k8s/schema';
import { parse as parseYaml } from 'yaml';

type Props = Partial<TfServingProps>;
const RESNET = { name: 'resnet', basePath: 's3://acme-models/resnet', versions: ModelVersionPolicy.specific(1, 2), labels: { stable: 1, canary: 2 } };
const BASE: TfServingProps = {
  namespace: 'team-a',
  models: [RESNET],
  cluster: EKS_PROFILE,
  cloudIdentity: 'arn:aws:iam::111122223333:role/resnet-serving',
};

/** The same model in each cloud's own store. */
const IN_STORE: Record<string, string> = { gke: 'gs://acme-models/resnet', eks: 's3://acme-models/resnet', aks: 'az://acmemodels/models/resnet' };
const onCloud = (cloud: string): Props => ({ cluster: ClusterProfile.fromJson({ ...EKS_PROFILE.toJson(), cloud }), models: [{ ...RESNET, basePath: IN_STORE[cloud] }] });
const INGRESS = ServingExposure.ingress({ host: 'models.acme.dev', tlsSecretName: 't' });

const synth = (props: Props = {}) => synthManifests((chart) => {
  for (const secret of ['models-tls', 't']) declareExternalObject(chart, 'Secret', 'team-a', secret);
  return new TfServing(chart, 'resnet', { ...BASE, ...props });
});
const fail = (props: Props) => synthManifestsError((chart) => new TfServing(chart, 'resnet', { ...BASE, ...props }));
const deployment = (docs: any[], name = 'resnet') => byKind(docs, 'Deployment').find((d) => d.metadata.name === name);
const container = (d: any) => d.spec.template.spec.containers[0];

describe('TfServing', () => {
  describe('a GPU stack with autoscaling, an Ingress and the Prometheus operator', () => {
    const docs = synth({
      gpus: 1,
      accelerator: Accelerator.NVIDIA_L4,
      autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60, podMetric: { name: 'tfserving_requests_per_second', targetAverageValue: '50' } },
      batching: { maxBatchSize: 16 },
      expose: ServingExposure.ingress({ host: 'models.acme.dev', tlsSecretName: 'models-tls' }),
      prometheusOperator: true,
    });
    const main = deployment(docs);

    test('emits the whole stack', () => {
      expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
        'ConfigMap/resnet-config', 'Deployment/resnet', 'HorizontalPodAutoscaler/resnet', 'Ingress/resnet',
        'PersistentVolume/team-a-resnet-store-eb5611d9bb', 'PersistentVolumeClaim/resnet-store-eb5611d9bb',
        'PodDisruptionBudget/resnet', 'PrometheusRule/resnet-alerts', 'Service/resnet', 'ServiceAccount/resnet', 'ServiceMonitor/resnet',
      ]);
    });

    test('Deployment: TF Serving args, zero-unavailable rollout, spread, drain on stop', () => {
      expect(container(main).image).toBe('tensorflow/serving:2.18.0-gpu');
      expect(container(main).args).toEqual([
        '--port=8500', '--rest_api_port=8501',
        '--model_config_file=/etc/tfserving/models.config', '--monitoring_config_file=/etc/tfserving/monitoring.config',
        // Specific versions only: list the bucket once; a new version is a config change that rolls the pods.
        '--file_system_poll_wait_seconds=0',
        '--enable_batching=true', '--batching_parameters_file=/etc/tfserving/batching.config', '--enable_model_warmup=true',
      ]);
      expect(main.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
      expect(main.spec.replicas).toBeUndefined();
      const pod = main.spec.template.spec;
      expect(pod.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(container(main).lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(15);
    });

    test('readiness asks for the model\'s metadata; liveness only checks the gRPC port', () => {
      expect(container(main).readinessProbe).toEqual({ httpGet: { path: '/v1/models/resnet/metadata', port: 'http' }, periodSeconds: 5, failureThreshold: 3 });
      expect(container(main).startupProbe.httpGet.path).toBe('/v1/models/resnet/metadata');
      expect(container(main).livenessProbe).toEqual({ tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 6 });
    });

    test('restricted pod with a writable /tmp, GPUs placed from the profile', () => {
      const pod = main.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container(main).securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(container(main).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(container(main).resources.limits['nvidia.com/gpu']).toBe('1');
      expect(container(main).resources.requests['nvidia.com/gpu']).toBe('1');
      expect(pod.nodeSelector).toEqual({ [NodeLabels.ACCELERATOR]: 'nvidia-l4' });
      // Serving never tolerates the spot taint.
      expect(pod.tolerations.map((t: any) => t.key)).toEqual(['nvidia.com/gpu']);
    });

    test('ConfigMap holds the model_config_list and the Prometheus config', () => {
      const [config] = byKind(docs, 'ConfigMap');
      expect(config.data['models.config']).toContain('version_labels {\n      key: "canary"\n      value: 2\n    }');
      expect(config.data['monitoring.config']).toBe('prometheus_config {\n  enable: true\n  path: "/monitoring/prometheus/metrics"\n}\n');
      expect(config.data['batching.config']).toContain('max_batch_size {\n  value: 16\n}');
      expect(main.spec.template.metadata.annotations['ml-platform.io/serving-config-hash']).toMatch(/^[0-9a-f]{16}$/);
    });

    test('Service with named gRPC and HTTP ports and their app protocols', () => {
      const [service] = byKind(docs, 'Service');
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.ports).toEqual([
        { name: 'grpc', port: 8500, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
        { name: 'http', port: 8501, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      ]);
    });

    test('HPA v2 on CPU and a per-pod metric; a PDB', () => {
      const [hpa] = byKind(docs, 'HorizontalPodAutoscaler');
      expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'resnet' } });
      expect(hpa.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Pods', pods: { metric: { name: 'tfserving_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } } },
      ]);
      expect(byKind(docs, 'PodDisruptionBudget')[0].spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'ml-platform.io/serving': 'resnet' } } });
    });

    test('Ingress routes every REST path of the model, its versions and labels with regex paths, with TLS', () => {
      const [ingress] = byKind(docs, 'Ingress');
      expect(ingress.spec.tls).toEqual([{ hosts: ['models.acme.dev'], secretName: 'models-tls' }]);
      expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/use-regex': 'true' });
      expect(ingress.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType])).toEqual([
        ['/v1/models/resnet([/:].*)?$', 'ImplementationSpecific'],
        ['/v1/models/resnet/versions/1([/:].*)?$', 'ImplementationSpecific'],
        ['/v1/models/resnet/versions/2([/:].*)?$', 'ImplementationSpecific'],
        ['/v1/models/resnet/labels/canary([/:].*)?$', 'ImplementationSpecific'],
        ['/v1/models/resnet/labels/stable([/:].*)?$', 'ImplementationSpecific'],
      ]);
    });

    test('the model is read from the cluster\'s own store through its CSI driver, at the path the pod sees', () => {
      const [config] = byKind(docs, 'ConfigMap');
      expect(config.data['models.config']).toContain('base_path: "/model-stores/acme-models/resnet"');
      expect(container(main).volumeMounts).toContainEqual({ name: 'store-eb5611d9bb', mountPath: '/model-stores/acme-models', readOnly: true });
      expect(main.spec.template.spec.volumes).toContainEqual({ name: 'store-eb5611d9bb', persistentVolumeClaim: { claimName: 'resnet-store-eb5611d9bb', readOnly: true } });
    });

    test('ServiceMonitor scrapes the metrics path; alert rules cover availability, errors and latency', () => {
      const [monitor] = byKind(docs, 'ServiceMonitor');
      // Weighted Services front pods the track Services already expose: scraping them would count twice.
      expect(monitor.spec.selector).toEqual({ matchLabels: { 'ml-platform.io/serving': 'resnet' }, matchExpressions: [{ key: 'ml-platform.io/route', operator: 'DoesNotExist' }] });
      expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/monitoring/prometheus/metrics', interval: '30s' }]);
      const rules = byKind(docs, 'PrometheusRule')[0].spec.groups[0].rules;
      expect(rules.map((r: any) => r.alert)).toEqual(['TfServingNoAvailableReplicas', 'TfServingHighErrorRate', 'TfServingHighLatency']);
      expect(rules[1].expr).toContain(':tensorflow:serving:request_count{namespace="team-a",model_name=~"resnet",status!="OK"}');
      expect(rules[2].expr).toContain('> 500000');
      expect(main.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    });

    test('workload identity through the ServiceAccount annotation of the cloud', () => {
      const [account] = byKind(docs, 'ServiceAccount');
      expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': BASE.cloudIdentity });
      expect(account.automountServiceAccountToken).toBe(false);
      expect(main.spec.template.spec.serviceAccountName).toBe('resnet');
    });

    test('every manifest passes the Kubernetes and prometheus-operator schemas', () => {
      expect(schemaErrors(docs)).toEqual([]);
    });
  });

  test('without the Prometheus operator: scrape annotations and a rule file', () => {
    const docs = synth();
    const main = deployment(docs);
    expect(main.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8501', 'prometheus.io/path': '/monitoring/prometheus/metrics' });
    const alerts = byKind(docs, 'ConfigMap').find((c) => c.metadata.name === 'resnet-alerts');
    const rules = parseYaml(alerts.data['alerts.yaml']).groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => r.alert)).toEqual(['TfServingNoAvailableReplicas', 'TfServingHighErrorRate', 'TfServingHighLatency']);
    expect(rules[1].expr).toContain('namespace="team-a"');
    expect(container(main).image).toBe('tensorflow/serving:2.18.0');
    expect(main.spec.replicas).toBe(2);
  });

  test.each([
    ['GKE', 'gke', { 'networking.gke.io/load-balancer-type': 'Internal' }],
    ['AKS', 'aks', { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }],
    ['EKS', 'eks', { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' }],
  ])('internal load balancer on %s carries that cloud\'s annotations', (_, cloud, annotations) => {
    const [service] = byKind(synth({ ...onCloud(cloud), expose: ServingExposure.loadBalancer() }), 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.metadata.annotations).toMatchObject(annotations);
  });

  test('an external load balancer is limited to its source ranges', () => {
    const [service] = byKind(synth({ expose: ServingExposure.loadBalancer({ internal: false, sourceRanges: ['203.0.113.0/24'] }) }), 'Service');
    expect(service.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
    expect(service.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
  });

  test('AKS pods opt in to workload identity by label', () => {
    const docs = synth({ ...onCloud('aks'), cloudIdentity: '00000000-0000-0000-0000-000000000003' });
    expect(deployment(docs).spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(byKind(docs, 'ServiceAccount')[0].metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000003' });
  });

  describe('canary rollout 10 → 50 → 100', () => {
    const step = (weight: number, props: Props = {}) => synth({ replicas: 10, canary: { weight, version: 2 }, expose: INGRESS, ...props });
    const models = (docs: any[], name: string) => byKind(docs, 'ConfigMap').find((c) => c.metadata.name === `${name}-config`)?.data['models.config'];
    const ingress = (docs: any[], name: string) => byKind(docs, 'Ingress').find((i) => i.metadata.name === name);

    test('10%: the router sends 10% to the canary; each track loads only its own version', () => {
      const docs = step(10);
      // The stable track keeps its full size for a rollback; the canary gets its share, at least one pod.
      expect(deployment(docs).spec.replicas).toBe(10);
      expect(deployment(docs, 'resnet-canary').spec.replicas).toBe(1);
      expect(models(docs, 'resnet')).toContain('specific {\n        versions: 1\n      }');
      expect(models(docs, 'resnet-canary')).toContain('specific {\n        versions: 2\n      }');
      const services = byKind(docs, 'Service');
      expect(services.find((s) => s.metadata.name === 'resnet').spec.selector).toEqual({ 'ml-platform.io/serving': 'resnet', 'ml-platform.io/track': 'stable' });
      expect(services.find((s) => s.metadata.name === 'resnet-canary').spec.selector).toEqual({ 'ml-platform.io/serving': 'resnet', 'ml-platform.io/track': 'canary' });
      const canary = ingress(docs, 'resnet-canary');
      expect(canary.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' });
      // ingress-nginx splits per primary Service and ignores a canary Service that is a primary anywhere:
      // the weighted path gets a Service pair of its own.
      expect(canary.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name])).toEqual([['/v1/models/resnet([/:].*)?$', 'resnet-canary-weighted']]);
      const paths = ingress(docs, 'resnet').spec.rules[0].http.paths;
      expect(paths.find((p: any) => p.path === '/v1/models/resnet([/:].*)?$').backend.service.name).toBe('resnet-weighted');
      expect(services.map((s) => [s.metadata.name, s.spec.selector['ml-platform.io/track'], s.metadata.labels['ml-platform.io/route']])).toEqual([
        ['resnet', 'stable', undefined], ['resnet-canary', 'canary', undefined], ['resnet-weighted', 'stable', 'weighted'], ['resnet-canary-weighted', 'canary', 'weighted'],
      ]);
      expect(paths.find((p: any) => p.path === '/v1/models/resnet/labels/canary([/:].*)?$').backend.service.name).toBe('resnet-canary');
      expect(paths.find((p: any) => p.path === '/v1/models/resnet/versions/1([/:].*)?$').backend.service.name).toBe('resnet');
      expect(schemaErrors(docs)).toEqual([]);
    });

    test('50%: ten stable and five canary pods; the weight, not the pods, sets the share', () => {
      const docs = step(50);
      expect([deployment(docs).spec.replicas, deployment(docs, 'resnet-canary').spec.replicas]).toEqual([10, 5]);
      expect(ingress(docs, 'resnet-canary').metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('50');
    });

    test('100%: the canary is promoted and its objects are gone', () => {
      const docs = step(100);
      expect(deployment(docs, 'resnet-canary')).toBeUndefined();
      expect(byKind(docs, 'Service').map((s) => s.metadata.name)).toEqual(['resnet']);
      expect(ingress(docs, 'resnet-canary')).toBeUndefined();
      expect(deployment(docs).spec.replicas).toBe(10);
      expect(models(docs, 'resnet')).toContain('versions: 2');
      expect(models(docs, 'resnet')).not.toContain('versions: 1');
    });

    test('each track autoscales on its own, and the summary reports the router\'s share', () => {
      let serving!: TfServing;
      const docs = synthManifests((chart) => {
        declareExternalObject(chart, 'Secret', 'team-a', 't');
        serving = new TfServing(chart, 'resnet', { ...BASE, autoscaling: { minReplicas: 1, maxReplicas: 1 }, canary: { weight: 20, version: 2 }, expose: INGRESS });
      });
      expect(byKind(docs, 'HorizontalPodAutoscaler').map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas, h.spec.maxReplicas])).toEqual([['resnet', 1, 1], ['resnet-canary', 1, 1]]);
      expect(serving.describe().canaryWeight).toBe(20);
      expect(collectWarnings(serving)).toEqual([]);
    });

    test('weight 0 keeps the canary out of unversioned traffic but reachable by its version and label', () => {
      const docs = step(0);
      expect(ingress(docs, 'resnet-canary')).toBeUndefined();
      const paths = ingress(docs, 'resnet').spec.rules[0].http.paths;
      expect(paths.find((p: any) => p.path === '/v1/models/resnet/versions/2([/:].*)?$').backend.service.name).toBe('resnet-canary');
    });

    test('an image canary keeps the model config, changes the image and splits every path', () => {
      const docs = synth({ replicas: 4, canary: { weight: 50, image: 'tensorflow/serving:2.19.0' }, expose: INGRESS });
      expect(container(deployment(docs, 'resnet-canary')).image).toBe('tensorflow/serving:2.19.0');
      expect(container(deployment(docs)).image).toBe('tensorflow/serving:2.18.0');
      expect(ingress(docs, 'resnet-canary').spec.rules[0].http.paths).toHaveLength(5);
    });

    test('the route table names host, path, Service, track, model and version or label', () => {
      let serving!: TfServing;
      synthManifests((chart) => {
        declareExternalObject(chart, 'Secret', 'team-a', 't');
        serving = new TfServing(chart, 'resnet', { ...BASE, replicas: 10, canary: { weight: 10, version: 2 }, expose: INGRESS });
      });
      const routes = serving.describe().routes.filter((r) => r.host !== undefined);
      expect(routes).toEqual([
        { host: 'models.acme.dev', path: '/v1/models/resnet', service: 'resnet-weighted', track: 'stable', weight: 90, model: 'resnet' },
        { host: 'models.acme.dev', path: '/v1/models/resnet', service: 'resnet-canary-weighted', track: 'canary', weight: 10, model: 'resnet' },
        { host: 'models.acme.dev', path: '/v1/models/resnet/versions/1', service: 'resnet', track: 'stable', weight: 100, model: 'resnet', version: 1 },
        { host: 'models.acme.dev', path: '/v1/models/resnet/versions/2', service: 'resnet-canary', track: 'canary', weight: 100, model: 'resnet', version: 2 },
        { host: 'models.acme.dev', path: '/v1/models/resnet/labels/canary', service: 'resnet-canary', track: 'canary', weight: 100, model: 'resnet', version: 2, label: 'canary' },
        { host: 'models.acme.dev', path: '/v1/models/resnet/labels/stable', service: 'resnet', track: 'stable', weight: 100, model: 'resnet', version: 1, label: 'stable' },
      ]);
    });
  });

  test('readiness waits for every model of a multi-model stack', () => {
    const docs = synth({ models: [{ name: 'a', basePath: 's3://acme-models/a' }, { name: 'b', basePath: 's3://acme-models/b' }] });
    const probe = container(deployment(docs)).readinessProbe;
    expect(probe.exec.command.slice(0, 2)).toEqual(['/bin/bash', '-c']);
    expect(probe.exec.command[2]).toContain('for m in a b; do');
    expect(probe.exec.command[2]).toContain('GET /v1/models/%s/metadata HTTP/1.0');
    expect(container(deployment(docs)).startupProbe.exec).toEqual(probe.exec);
    // One bucket, one mount: both models read from it; a latest policy polls every minute.
    expect(deployment(docs).spec.template.spec.volumes.filter((v: any) => v.name.startsWith('store-'))).toHaveLength(1);
    expect(container(deployment(docs)).args).toContain('--file_system_poll_wait_seconds=60');
    const polled = synth({ models: [{ name: 'a', basePath: 's3://acme-models/a' }], modelPollSeconds: 300 });
    expect(container(deployment(polled)).args).toContain('--file_system_poll_wait_seconds=300');
  });

  describe('fails when', () => {
    test.each<[string, Props, string]>([
      ['a model name DNS refuses', { models: [{ ...RESNET, name: 'ResNet_50' }] }, 'MODEL_NAME_INVALID'],
      ['a version is not a positive integer', { models: [{ ...RESNET, versions: ModelVersionPolicy.specific(0, 1.5), labels: {} }] }, 'MODEL_VERSION_INVALID'],
      ['a label points at a version the policy does not load', { models: [{ ...RESNET, labels: { stable: 1, canary: 3 } }] }, 'VERSION_LABEL_NOT_LOADED'],
      ['a label is used with a latest policy', { models: [{ ...RESNET, versions: ModelVersionPolicy.latest(2) }] }, 'VERSION_LABEL_NOT_LOADED'],
      ['the canary weight is above 100', { canary: { weight: 120, version: 2 } }, 'CANARY_WEIGHT_INVALID'],
      ['the canary weight is negative', { canary: { weight: -1, version: 2 } }, 'CANARY_WEIGHT_INVALID'],
      ['the canary has no stable version', { models: [{ name: 'resnet', basePath: 's3://a/b', versions: ModelVersionPolicy.all() }], canary: { weight: 10, version: 2 } }, 'CANARY_WITHOUT_STABLE'],
      ['the canary changes nothing', { canary: { weight: 10 } }, 'CANARY_EMPTY'],
      ['HPA min is above max', { autoscaling: { minReplicas: 5, maxReplicas: 2 } }, 'HPA_MIN_GT_MAX'],
      ['HPA max is below 1', { autoscaling: { minReplicas: 0, maxReplicas: 0 } }, 'HPA_MAX_INVALID'],
      ['no pool can hold the GPUs', { gpus: 1, accelerator: Accelerator.NVIDIA_L4, autoscaling: { minReplicas: 2, maxReplicas: 12 } }, 'GPU_DEMAND_EXCEEDS_CAPACITY'],
      ['the accelerator is only on spot or absent', { gpus: 1, accelerator: Accelerator.NVIDIA_T4 }, 'ACCELERATOR_NOT_IN_CLUSTER'],
      ['two models share a name', { models: [RESNET, { ...RESNET }] }, 'MODEL_DUPLICATE'],
      ['Ingress paths collide on one host', { expose: ServingExposure.ingress({ host: 'm.acme.dev', extraPaths: [{ path: '/v1/models/resnet' }] }) }, 'INGRESS_PATH_COLLISION'],
      ['an external load balancer has no source ranges', { expose: ServingExposure.loadBalancer({ internal: false }) }, 'LB_OPEN_TO_WORLD'],
      ['an external load balancer is open to the world', { expose: ServingExposure.loadBalancer({ internal: false, sourceRanges: ['0.0.0.0/0'] }) }, 'CIDR_OPEN_TO_WORLD'],
      ['a model path is neither a bucket nor under the volume', { models: [{ ...RESNET, basePath: '/data/resnet' }] }, 'MODEL_PATH_INVALID'],
      ['the image is not pinned', { image: 'tensorflow/serving' }, 'IMAGE_NOT_PINNED'],
      ['a canary\'s Service names outgrow 63 characters', { name: `r${'e'.repeat(47)}`, replicas: 4, canary: { weight: 25, version: 2 }, expose: INGRESS }, 'SERVING_NAME_TOO_LONG'],
      ['a weighted canary has no router', { replicas: 4, canary: { weight: 25, version: 2 } }, 'CANARY_NEEDS_INGRESS'],
      ['the Ingress class is not ingress-nginx', { expose: ServingExposure.ingress({ host: 'm.acme.dev', className: 'gce', tlsSecretName: 't' }) }, 'INGRESS_NEEDS_NGINX'],
      ['the polling interval is negative', { modelPollSeconds: -1 }, 'MODEL_POLL_INVALID'],
    ])('%s', (_, props, code) => {
      const message = fail(props);
      expect(message).toContain(`[test/resnet] ${code}:`);
      expect(message).toMatch(/Received: .+\. Fix: .+/);
    });

    test('the TLS Secret is defined nowhere', () => {
      const message = synthManifestsError((chart) => new TfServing(chart, 'resnet', { ...BASE, expose: ServingExposure.ingress({ host: 'm.acme.dev', tlsSecretName: 'missing-tls' }) }));
      expect(message).toContain('[test/resnet] REFERENCE_UNDEFINED: "resnet" uses Secret "missing-tls" in namespace team-a, which this program never defines');
    });

    test('GPU demand names the stack and the pools with their figures', () => {
      const message = fail({ gpus: 1, accelerator: Accelerator.NVIDIA_L4, autoscaling: { minReplicas: 2, maxReplicas: 12 } });
      expect(message).toContain('Serving stack "resnet" may need 12 × NVIDIA L4 at its largest, but pools l4 (2 × 4) of cluster "ml-eks" hold at most 8.');
    });
  });
});
