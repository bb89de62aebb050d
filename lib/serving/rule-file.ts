/**
 * YAML text of plain data (maps, lists, strings, numbers, booleans), in block style with every
 * string in double quotes, JSON-escaped: double-quoted YAML accepts JSON's escapes, so no value can
 * change meaning, and writing it is a fraction of what a general YAML library costs per serving stack.
 */
export function blockYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]\n';
    return value.map((item) => `${indent}- ${nested(item, `${indent}  `).trimStart()}`).join('');
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}\n';
    return entries.map(([key, v]) => `${indent}${yamlKey(key)}:${isScalar(v) || isEmpty(v) ? ` ${nested(v, indent)}` : `\n${nested(v, Array.isArray(v) ? indent : `${indent}  `)}`}`).join('');
  }
  return `${scalar(value)}\n`;
}

function nested(value: unknown, indent: string): string {
  return isScalar(value) ? `${scalar(value)}\n` : blockYaml(value, indent);
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
  throw new Error(`blockYaml writes strings, finite numbers and booleans, not ${String(value)}`);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const yamlKey = (key: string) => (PLAIN_KEY.test(key) ? key : JSON.stringify(key));
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => !Array.isArray(v) && !isMap(v);
const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : isMap(v) && Object.values(v).every((x) => x === undefined));
