import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * Validation of custom resources against the real OpenAPI v3 schemas of their CRDs (copied into
 * crds/ with their source), the way the API server applies a structural schema: types, formats
 * of integers, enums, patterns, lengths, bounds, required fields, int-or-string, and unknown
 * fields. The API server would prune an unknown field silently; here it is an error, because the
 * setting it carried would be lost. CEL rules (x-kubernetes-validations) are not evaluated.
 */
const CRD_DIR = path.join(__dirname, '..', '..', 'crds');

type Schema = Record<string, any>;
let schemas: Map<string, Schema> | undefined;

function load(): Map<string, Schema> {
  if (schemas) return schemas;
  schemas = new Map();
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
      }
    }
  }
  return schemas;
}

/** Whether a CRD for `apiVersion/kind` is known. */
export function hasCrd(doc: { apiVersion: string; kind: string }): boolean {
  return load().has(`${doc.apiVersion}/${doc.kind}`);
}

/** Every place where `doc` breaks its CRD's schema; empty when it conforms. */
export function crdSchemaErrors(doc: any): string[] {
  const schema = load().get(`${doc.apiVersion}/${doc.kind}`);
  const where = `${doc.apiVersion}/${doc.kind} ${doc.metadata?.name}`;
  if (!schema) return [`${where}: no CRD known`];
  // metadata is the API server's ObjectMeta, not part of the CRD schema.
  const { metadata, ...rest } = doc;
  return check(rest, { ...schema, properties: { ...schema.properties, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }, where);
}

function check(value: any, schema: Schema, at: string): string[] {
  if (value === undefined) return [];
  if (schema['x-kubernetes-int-or-string']) {
    if (!(Number.isInteger(value) || typeof value === 'string')) return [`${at}: expected an integer or a string, got ${JSON.stringify(value)}`];
    return typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value) ? [`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`] : [];
  }
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => check(value, s, at).length === 0)) return [`${at}: matches none of anyOf`];
  const errors: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected an object, got ${JSON.stringify(value)}`];
      for (const key of schema.required ?? []) if (value[key] === undefined) errors.push(`${at}.${key}: required`);
      for (const [key, child] of Object.entries(value)) {
        const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (sub) errors.push(...check(child, sub, `${at}.${key}`));
        else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) errors.push(`${at}.${key}: unknown field (the API server would drop it)`);
      }
      if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) errors.push(`${at}: more than ${schema.maxProperties} properties`);
      return errors;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected a list, got ${JSON.stringify(value)}`];
      if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
      return [...errors, ...value.flatMap((item, i) => check(item, schema.items ?? {}, `${at}[${i}]`))];
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
      return errors;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return [`${at}: expected ${schema.type}, got ${JSON.stringify(value)}`];
      if (schema.format === 'int32' && (value > 2 ** 31 - 1 || value < -(2 ** 31))) errors.push(`${at}: out of int32 range`);
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
      if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${value} is not one of ${schema.enum.join(', ')}`);
      return errors;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected boolean, got ${JSON.stringify(value)}`];
    default:
      return [];
  }
}
