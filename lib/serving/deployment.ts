import { createHash } from 'crypto';
import { Placement } from '../core/cluster-profile';
import * as k8s from '../imports/k8s';
import { PodTemplate } from '../k8s/pod-template';
import { GRPC_PORT, REST_PORT } from './exposure';
import { batchingParametersText, modelServerConfigText, monitoringConfigText, PROMETHEUS_METRICS_PATH, ServingBatching } from './model-config';
import { ModelStorePlan } from './model-store';
import { TrackPlan } from './tracks';

const CONFIG_DIR = '/etc/tfserving';
const PRE_STOP_SECONDS = 15;

export interface TrackDeploymentInputs {
  readonly name: string;
  readonly plan: TrackPlan;
  /** Labels that select this track's pods. */
  readonly selector: Record<string, string>;
  /** Extra pod labels (workload identity). */
  readonly podLabels: Record<string, string>;
  readonly serviceAccount: string;
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly gpus: number;
  /** @default - no node selector: CPU pods */
  readonly placement?: Placement;
  /** @default - no server-side batching */
  readonly batching?: ServingBatching;
  readonly warmup: boolean;
  /** `--file_system_poll_wait_seconds`. */
  readonly pollSeconds: number;
  /** Replicas when no autoscaler runs the track. @default - the autoscaler sets them */
  readonly replicas?: number;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
  readonly prometheusOperator: boolean;
  readonly store: ModelStorePlan;
  /** @default - no model PVC */
  readonly modelVolume?: { readonly claimName: string; readonly mountPath?: string };
  readonly metadata: (name: string) => k8s.ObjectMeta;
}

/**
 * The probe that passes only while every model answers its metadata request, which TF Serving
 * serves only from a loaded servable (404 until then). One model: an HTTP probe. Several: one
 * shell loop over them, with bash's /dev/tcp (the stock image's entrypoint is a bash script).
 */
export function modelsAvailableProbe(models: readonly string[]): k8s.Probe {
  if (models.length === 1) return { httpGet: { path: `/v1/models/${models[0]}/metadata`, port: k8s.IntOrString.fromString('http') } };
  const script = `for m in ${models.join(' ')}; do exec 3<>/dev/tcp/127.0.0.1/${REST_PORT} || exit 1; `
    + `printf 'GET /v1/models/%s/metadata HTTP/1.0\\r\\n\\r\\n' "$m" >&3; read -r _ code _ <&3; exec 3<&-; [ "$code" = 200 ] || exit 1; done`;
  return { exec: { command: ['/bin/bash', '-c', script] }, timeoutSeconds: 5 };
}

/** One track's model config, its pod template (open to more env, volumes and sidecars) and its Deployment spec around that pod. */
export interface TrackObjects {
  readonly config: k8s.KubeConfigMapProps;
  readonly pod: PodTemplate;
  deploymentSpec(): k8s.DeploymentSpec;
}

export function trackObjects(inputs: TrackDeploymentInputs): TrackObjects {
  const { plan, store } = inputs;
  const models = plan.models.map((m) => ({ ...m, basePath: store.basePaths.get(m.basePath) ?? m.basePath }));
  const files: Record<string, string> = {
    'models.config': modelServerConfigText(models),
    'monitoring.config': monitoringConfigText(),
    ...(inputs.batching ? { 'batching.config': batchingParametersText(inputs.batching, Math.max(1, Math.ceil(inputs.cpu))) } : {}),
  };
  const configName = `${inputs.name}-config`;
  const ready = modelsAvailableProbe(models.map((m) => m.name));
  const spread = (topologyKey: string): k8s.TopologySpreadConstraint => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: inputs.selector } });
  const volume = inputs.modelVolume;

  const pod = new PodTemplate({
    labels: { ...inputs.selector, ...inputs.podLabels },
    annotations: {
      // A config change rolls the pods instead of relying on TF Serving's file polling.
      'ml-platform.io/serving-config-hash': createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16),
      ...(inputs.prometheusOperator ? {} : { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(REST_PORT), 'prometheus.io/path': PROMETHEUS_METRICS_PATH }),
      ...store.podAnnotations,
    },
    serviceAccount: inputs.serviceAccount,
    priorityClassName: inputs.priorityClassName,
    // Load balancers need time to stop sending before the server stops accepting.
    terminationGracePeriodSeconds: PRE_STOP_SECONDS + 30,
    topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
    placement: inputs.placement,
  });
  pod.addVolume({ name: 'config', configMap: { name: configName } });
  if (volume) pod.addVolume({ name: 'models', persistentVolumeClaim: { claimName: volume.claimName, readOnly: true } });
  for (const storeVolume of store.volumes) pod.addVolume(storeVolume);
  pod.addContainer({
    name: 'tensorflow-serving',
    image: plan.image,
    args: [
      `--port=${GRPC_PORT}`,
      `--rest_api_port=${REST_PORT}`,
      `--model_config_file=${CONFIG_DIR}/models.config`,
      `--monitoring_config_file=${CONFIG_DIR}/monitoring.config`,
      `--file_system_poll_wait_seconds=${inputs.pollSeconds}`,
      ...(inputs.batching ? ['--enable_batching=true', `--batching_parameters_file=${CONFIG_DIR}/batching.config`] : []),
      `--enable_model_warmup=${inputs.warmup}`,
    ],
    ports: [
      { name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' },
      { name: 'http', containerPort: REST_PORT, protocol: 'TCP' },
    ],
    resources: { cpu: inputs.cpu, memoryGiB: inputs.memoryGiB, gpus: inputs.gpus },
    startupProbe: { ...ready, periodSeconds: 10, failureThreshold: 60 },
    readinessProbe: { ...ready, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('grpc') }, periodSeconds: 10, failureThreshold: 6 },
    lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      ...(volume ? [{ name: 'models', mountPath: volume.mountPath ?? '/models', readOnly: true }] : []),
      ...store.volumeMounts,
    ],
  });

  return {
    config: { metadata: inputs.metadata(configName), data: files },
    pod,
    deploymentSpec: () => ({
      replicas: inputs.replicas,
      selector: { matchLabels: inputs.selector },
      // Never fewer serving pods than asked for during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
      template: pod.toTemplate(),
    }),
  };
}
