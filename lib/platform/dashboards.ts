/** Grafana dashboards, as the JSON the Grafana sidecar loads. */

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly expr: string;
  readonly legend: string;
}

function dashboard(uid: string, title: string, panels: readonly Panel[]) {
  return {
    uid,
    title,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: panels.map((panel, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: [{ refId: 'A', expr: panel.expr, legendFormat: panel.legend }],
    })),
  };
}

/** GPU utilisation and memory from the DCGM exporter, per node and GPU. */
function gpuDashboard() {
  return dashboard('ml-platform-gpu', 'ML platform / GPUs', [
    { title: 'GPU utilisation', unit: 'percent', expr: 'avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)', legend: '{{Hostname}} GPU {{gpu}}' },
    { title: 'GPU memory used', unit: 'percentunit', expr: 'sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) / sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)', legend: '{{Hostname}} GPU {{gpu}}' },
    { title: 'GPU utilisation by namespace', unit: 'percent', expr: 'avg by (namespace) (DCGM_FI_DEV_GPU_UTIL{namespace!=""})', legend: '{{namespace}}' },
    { title: 'GPU power', unit: 'watt', expr: 'sum by (Hostname) (DCGM_FI_DEV_POWER_USAGE)', legend: '{{Hostname}}' },
  ]);
}

/** Requests, errors and latency per model, from TF Serving's Prometheus endpoint. */
function servingDashboard() {
  return dashboard('ml-platform-serving', 'ML platform / Model serving', [
    { title: 'Requests per second', unit: 'reqps', expr: 'sum by (namespace, model_name) (rate(:tensorflow:serving:request_count[5m]))', legend: '{{namespace}}/{{model_name}}' },
    { title: 'Error ratio', unit: 'percentunit', expr: 'sum by (namespace, model_name) (rate(:tensorflow:serving:request_count{status!="OK"}[5m])) / sum by (namespace, model_name) (rate(:tensorflow:serving:request_count[5m]))', legend: '{{namespace}}/{{model_name}}' },
    { title: 'p99 latency', unit: 'µs', expr: 'histogram_quantile(0.99, sum by (namespace, model_name, le) (rate(:tensorflow:serving:request_latency_bucket[5m])))', legend: '{{namespace}}/{{model_name}}' },
    { title: 'p50 latency', unit: 'µs', expr: 'histogram_quantile(0.5, sum by (namespace, model_name, le) (rate(:tensorflow:serving:request_latency_bucket[5m])))', legend: '{{namespace}}/{{model_name}}' },
  ]);
}

const DASHBOARDS = { gpu: gpuDashboard, serving: servingDashboard };
let texts: ReadonlyArray<readonly [id: string, json: string]> | undefined;

/** Each dashboard's id and JSON text, as its ConfigMap holds it: the same for every platform, so rendered once. */
export function dashboardTexts(): ReadonlyArray<readonly [id: string, json: string]> {
  return (texts ??= Object.entries(DASHBOARDS).map(([id, make]) => [id, JSON.stringify(make(), null, 2)]));
}
