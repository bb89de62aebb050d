import { execFileSync } from 'child_process';
import * as path from 'path';
import { crdSchemaErrors, hasCrd } from './crd-schema';

/**
 * Validates manifests against the Kubernetes OpenAPI schemas (types, enums, required fields,
 * formats) and custom resources against the OpenAPI schemas of their CRDs (crds/). Returns every error found.
 */
export function schemaErrors(docs: readonly any[]): string[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-models.mjs')], {
    input: JSON.stringify(docs),
    encoding: 'utf8',
    cwd: path.join(__dirname, '..', '..'),
  });
  return [...JSON.parse(out), ...docs.flatMap(crdErrors)];
}

function crdErrors(doc: any): string[] {
  return hasCrd(doc) ? crdSchemaErrors(doc) : [];
}
