import { App, Chart, YamlOutputType } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { failureMessage } from './failure';

/** Synthesizes `build` through the real `app.synth()` and returns every YAML document written. */
export function synthManifests(build: (chart: Chart) => void): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-k8s-'));
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  build(new Chart(app, 'test'));
  app.synth();
  return fs.readdirSync(outdir).sort().flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map((d) => d.toJS()));
}

/** Synthesizes `build`, expecting failure; checks that nothing was written and returns the message. */
export function synthManifestsError(build: (chart: Chart) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-k8s-'));
  const app = new App({ outdir });
  build(new Chart(app, 'test'));
  const message = failureMessage(() => app.synth());
  const written = fs.readdirSync(outdir);
  if (written.length > 0) throw new Error(`synth failed but wrote ${written.join(', ')}`);
  return message;
}

export function byKind(docs: readonly any[], kind: string): any[] {
  return docs.filter((d) => d.kind === kind);
}
