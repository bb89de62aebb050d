import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/** The manager configuration the kueue chart 0.11.4 installs when its values do not replace it. */
export const CHART_DEFAULT_CONFIG = parse(fs.readFileSync(path.join(__dirname, '..', 'clusters', 'kueue-0.11.4-manager-config.yaml'), 'utf8'));

/** The manager configuration of a kueue `helm_release`: its values' config string, else the chart's default. */
export function managerConfigOf(release: { values?: string[] }): any {
  const text = (release.values ?? []).map((v) => parse(v)?.managerConfig?.controllerManagerConfigYaml).filter(Boolean).pop();
  return text ? parse(text) : CHART_DEFAULT_CONFIG;
}

const minutes = (duration: string): number => {
  const m = /^(\d+)(s|m|h)$/.exec(duration);
  if (!m) throw new Error(`duration ${duration} is not modelled`);
  return Number(m[1]) * { s: 1 / 60, m: 1, h: 60 }[m[2] as 's' | 'm' | 'h'];
};

/**
 * What Kueue v0.11 does with an admitted workload whose pods are not all running, `elapsed`
 * minutes after admission (never ready) or after it lost one (was ready)
 * (pkg/controller/core/workload_controller.go, admittedNotReadyWorkload and reconcileNotReadyTimeout):
 * without waitForPodsReady, nothing: it keeps its quota. With it, once `timeout` (default 5m)
 * passes without PodsReady, or `recoveryTimeout` (no default: never) after a pod was lost, it is
 * evicted (its job suspended, its pods deleted, its quota freed) and queued again after a backoff.
 */
export function notReadyVerdict(config: any, state: { readonly wasReady: boolean; readonly elapsedMinutes: number }): 'keeps its quota' | 'evicted and requeued' {
  const wait = config.waitForPodsReady;
  if (!wait?.enable) return 'keeps its quota';
  const limit = state.wasReady ? wait.recoveryTimeout : (wait.timeout ?? '5m');
  if (limit === undefined) return 'keeps its quota';
  return state.elapsedMinutes >= minutes(limit) ? 'evicted and requeued' : 'keeps its quota';
}
