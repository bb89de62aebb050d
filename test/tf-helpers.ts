import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { failureMessage } from './failure';

/** A synthesized Terraform JSON document. */
export type TfJson = Record<string, any>;

function newApp(): { app: App; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpc-tf-'));
  return { app: new App({ outdir }), outdir };
}

/** Synthesizes one stack built by `build` through the real `app.synth()` and returns its JSON. */
export function synthStack(build: (stack: TerraformStack) => void): TfJson {
  const { app, outdir } = newApp();
  build(new TerraformStack(app, 'test'));
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8'));
}

/**
 * Synthesizes an app that must fail; returns the error message after checking that no stack file
 * was written.
 */
export function synthError(build: (app: App) => void): string {
  const { app, outdir } = newApp();
  build(app);
  const message = failureMessage(() => app.synth());
  const written = fs.existsSync(path.join(outdir, 'stacks')) ? fs.readdirSync(path.join(outdir, 'stacks'), { recursive: true }) : [];
  const files = written.filter((f) => String(f).endsWith('.tf.json'));
  if (files.length > 0) throw new Error(`synth failed but wrote ${files.join(', ')}`);
  return message;
}

/** `synthError` for one stack named `test`. */
export function synthStackError(build: (stack: TerraformStack) => void): string {
  return synthError((app) => build(new TerraformStack(app, 'test')));
}

/** The only resource of `type` in `tf`, or the one whose logical id contains `idPart`. */
export function resource(tf: TfJson, type: string, idPart = ''): TfJson {
  const all = Object.entries(tf.resource?.[type] ?? {}).filter(([id]) => id.includes(idPart));
  if (all.length !== 1) throw new Error(`expected one ${type} matching "${idPart}", found ${all.map(([id]) => id).join(', ') || 'none'}`);
  return all[0][1] as TfJson;
}

/** Every resource of `type`. */
export function resources(tf: TfJson, type: string): TfJson[] {
  return Object.values(tf.resource?.[type] ?? {}) as TfJson[];
}
