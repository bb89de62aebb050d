import { App, Chart, YamlOutputType } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { declareExternalNamespace } from '../lib';
import { failureMessage } from './failure';

/**
 * The namespaces the unit tests' workloads run in, without Tenants: declared as managed elsewhere,
 * as a platform team's own tooling would. Tests of the check itself build their apps without this.
 */
export const TEST_NAMESPACES = ['team-a', 'ns', 'research', 'team', 'a', 'ml', 'team-vision'];

/** A chart whose workloads may run in the test namespaces. */
export function testChart(app: App, id = 'test'): Chart {
  const chart = new Chart(app, id);
  for (const namespace of TEST_NAMESPACES) declareExternalNamespace(chart, namespace);
  return chart;
}

/** Synthesizes `build` through the real `app.synth()` and returns every YAML document written. */
export function synthManifests(build: (chart: Chart) => void): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-k8s-'));
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  build(testChart(app));
  app.synth();
  return fs.readdirSync(outdir).sort().flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map((d) => d.toJS()));
}

/** Synthesizes `build`, expecting failure; checks that nothing was written and returns the message. */
export function synthManifestsError(build: (chart: Chart) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-k8s-'));
  const app = new App({ outdir });
  build(testChart(app));
  const message = failureMessage(() => app.synth());
  const written = fs.readdirSync(outdir);
  if (written.length > 0) throw new Error(`synth failed but wrote ${written.join(', ')}`);
  return message;
}

export function byKind(docs: readonly any[], kind: string): any[] {
  return docs.filter((d) => d.kind === kind);
}
