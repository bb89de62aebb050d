/**
 * YAML text of plain data (maps, lists, strings, numbers, booleans), in block style with every
 * string in double quotes, JSON-escaped: double-quoted YAML accepts JSON's escapes, so no value can
 * change meaning, and writing it is a fraction of what a general YAML library costs per serving stack.
 */
export function blockYaml(value: unknown): string {
  const lines: string[] = [];
  writeEntry('', value, '', true, lines);
  return lines.join('');
}

/**
 * Appends `value`, a non-empty list or map, as lines at `indent`; the first line starts with `lead`
 * instead (a list item's "- " puts its value's first line on its own).
 */
function writeBlock(value: unknown, indent: string, lead: string, lines: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => writeEntry(`${i === 0 ? lead : indent}- `, item, `${indent}  `, true, lines));
  } else {
    let first = true;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      // A list under a key is written at the key's own indent.
      writeEntry(`${first ? lead : indent}${yamlKey(key)}:`, item, Array.isArray(item) ? indent : `${indent}  `, false, lines);
      first = false;
    }
  }
}

/** One list item or map entry (or the whole text): `prefix`, then its value on the line when it fits there, else below at `indent`. Empty lists and maps are written in flow style. */
function writeEntry(prefix: string, item: unknown, indent: string, listItem: boolean, lines: string[]): void {
  const onTheLine = isScalar(item) ? scalar(item) : isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : undefined;
  if (onTheLine !== undefined) lines.push(`${prefix}${listItem ? '' : ' '}${onTheLine}\n`);
  else if (listItem) writeBlock(item, indent, prefix, lines);
  else {
    lines.push(`${prefix}\n`);
    writeBlock(item, indent, indent, lines);
  }
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
