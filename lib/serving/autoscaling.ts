import * as k8s from '../imports/k8s';

export interface ServingAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly targetCpuUtilization?: number;
  /** @default - memory is not a scaling signal */
  readonly targetMemoryUtilization?: number;
  /** A per-pod metric served by a metrics adapter (e.g. Prometheus Adapter). @default - none */
  readonly podMetric?: { readonly name: string; readonly targetAverageValue: string };
}

/** An autoscaler for one track's Deployment, between that track's own bounds. */
export function autoscalerSpec(target: string, minReplicas: number, maxReplicas: number, auto: ServingAutoscaling): k8s.HorizontalPodAutoscalerSpecV2 {
  const utilization = (resource: string, averageUtilization: number): k8s.MetricSpecV2 => ({ type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } });
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
    minReplicas: Math.max(1, minReplicas),
    maxReplicas: Math.max(1, maxReplicas),
    metrics: [
      utilization('cpu', auto.targetCpuUtilization ?? 70),
      ...(auto.targetMemoryUtilization ? [utilization('memory', auto.targetMemoryUtilization)] : []),
      ...(auto.podMetric ? [{ type: 'Pods', pods: { metric: { name: auto.podMetric.name }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(auto.podMetric.targetAverageValue) } } }] : []),
    ],
    // Model servers are slow to warm up: scale down cautiously.
    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
  };
}
