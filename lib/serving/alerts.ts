import { PROMETHEUS_METRICS_PATH } from './model-config';
import { blockYaml } from './rule-file';

export interface ServingAlerts {
  /** Fraction of failed requests that raises the error-rate alert. @default 0.05 */
  readonly errorRatio?: number;
  /** 99th-percentile latency that raises the latency alert. @default 500 */
  readonly p99LatencyMs?: number;
}

type Manifest = Record<string, unknown> & { apiVersion: string; kind: string };

export interface MonitoringInputs {
  readonly name: string;
  readonly namespace: string;
  readonly models: readonly string[];
  /** The Deployments whose availability the stack depends on. */
  readonly deployments: readonly string[];
  readonly alerts: ServingAlerts;
  readonly prometheusOperator: boolean;
  readonly selector: Record<string, string>;
  /** Services carrying this label are not scraped: they front pods another Service already covers. */
  readonly excludeLabel: string;
  readonly metadata: (name: string) => Record<string, unknown>;
}

/** Availability, error-rate and latency rules over TF Serving's own metrics. */
export function alertRules(inputs: MonitoringInputs) {
  const { name, namespace, alerts } = inputs;
  const scope = `namespace="${namespace}",model_name=~"${inputs.models.join('|')}"`;
  const requests = (filter: string) => `sum by (model_name) (rate(:tensorflow:serving:request_count{${scope}${filter}}[5m]))`;
  const p99 = `histogram_quantile(0.99, sum by (model_name, le) (rate(:tensorflow:serving:request_latency_bucket{${scope}}[5m])))`;
  const latencyMs = alerts.p99LatencyMs ?? 500;
  const summary = (text: string) => ({ summary: text, runbook: `Check the pods of ${namespace}/${name} and their model loading logs.` });
  return [
    {
      alert: 'TfServingNoAvailableReplicas',
      expr: `sum(kube_deployment_status_replicas_available{namespace="${namespace}",deployment=~"${inputs.deployments.join('|')}"}) == 0`,
      for: '5m',
      labels: { severity: 'critical', serving: name },
      annotations: summary(`${name} has no available replica.`),
    },
    {
      alert: 'TfServingHighErrorRate',
      expr: `${requests(',status!="OK"')} / ${requests('')} > ${alerts.errorRatio ?? 0.05}`,
      for: '10m',
      labels: { severity: 'warning', serving: name },
      annotations: summary(`More than ${(alerts.errorRatio ?? 0.05) * 100}% of requests to {{ $labels.model_name }} fail.`),
    },
    {
      // TF Serving measures latency in microseconds.
      alert: 'TfServingHighLatency',
      expr: `${p99} > ${latencyMs * 1000}`,
      for: '10m',
      labels: { severity: 'warning', serving: name },
      annotations: summary(`p99 latency of {{ $labels.model_name }} is above ${latencyMs} ms.`),
    },
  ];
}

/** A ServiceMonitor and a PrometheusRule with the operator; without it, the rules as a rule file in a ConfigMap. */
export function monitoringManifests(inputs: MonitoringInputs): Array<{ id: string; manifest: Manifest }> {
  const groups = [{ name: `${inputs.name}.rules`, rules: alertRules(inputs) }];
  if (!inputs.prometheusOperator) {
    return [{ id: 'alerts', manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: inputs.metadata(`${inputs.name}-alerts`), data: { 'alerts.yaml': blockYaml({ groups }) } } }];
  }
  return [
    {
      id: 'service-monitor',
      manifest: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: inputs.metadata(inputs.name),
        spec: { selector: { matchLabels: inputs.selector, matchExpressions: [{ key: inputs.excludeLabel, operator: 'DoesNotExist' }] }, endpoints: [{ port: 'http', path: PROMETHEUS_METRICS_PATH, interval: '30s' }] },
      },
    },
    { id: 'alerts', manifest: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: inputs.metadata(`${inputs.name}-alerts`), spec: { groups } } },
  ];
}
