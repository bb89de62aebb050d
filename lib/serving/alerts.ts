import * as k8s from '../imports/k8s';
import * as monitoring from '../imports/monitoring.coreos.com';
import { KubeObjectSpec, kubeObjectSpec } from '../k8s/kube-object';
import { PROMETHEUS_METRICS_PATH } from './model-config';
import { blockYaml } from './rule-file';

export interface ServingAlerts {
  /** Fraction of failed requests that raises the error-rate alert. @default 0.05 */
  readonly errorRatio?: number;
  /** 99th-percentile latency that raises the latency alert. @default 500 */
  readonly p99LatencyMs?: number;
}

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
  readonly metadata: (name: string) => k8s.ObjectMeta;
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
export function monitoringObjects(inputs: MonitoringInputs): Array<{ id: string; object: KubeObjectSpec }> {
  const name = `${inputs.name}.rules`;
  const rules = alertRules(inputs);
  if (!inputs.prometheusOperator) {
    return [{
      id: 'alerts',
      object: kubeObjectSpec(k8s.KubeConfigMap.GVK, k8s.toJson_KubeConfigMapProps, {
        metadata: inputs.metadata(`${inputs.name}-alerts`),
        data: { 'alerts.yaml': blockYaml({ groups: [{ name, rules }] }) },
      }),
    }];
  }
  return [
    {
      id: 'service-monitor',
      object: kubeObjectSpec(monitoring.ServiceMonitor.GVK, monitoring.toJson_ServiceMonitorProps, {
        metadata: inputs.metadata(inputs.name),
        spec: {
          selector: { matchLabels: inputs.selector, matchExpressions: [{ key: inputs.excludeLabel, operator: 'DoesNotExist' }] },
          endpoints: [{ port: 'http', path: PROMETHEUS_METRICS_PATH, interval: '30s' }],
        },
      }),
    },
    {
      id: 'alerts',
      object: kubeObjectSpec(monitoring.PrometheusRule.GVK, monitoring.toJson_PrometheusRuleProps, {
        metadata: inputs.metadata(`${inputs.name}-alerts`),
        spec: { groups: [{ name, rules: rules.map((r) => ({ ...r, expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })) }] },
      }),
    },
  ];
}
