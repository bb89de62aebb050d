import type { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { Problem, Problems } from '../core/validation';
import { cdktf } from './bindings';
import { FORCE_NEW, ForceNewEntry } from './force-new';

/** A change between two versions of a stack that the provider cannot make in place. */
export interface Replacement {
  /** `type.logicalId` of the resource. */
  readonly address: string;
  readonly attribute: string;
  readonly effect: ForceNewEntry['effect'];
  readonly source: string;
  readonly before: unknown;
  readonly after: unknown;
}

type TfJson = { resource?: Record<string, Record<string, any>> };

/**
 * The environment variable naming a directory of earlier synth output (`cdktf.out`, e.g. the main
 * branch's) to compare with, when the output directory of this run does not hold the last one.
 */
export const PREVIOUS_OUTPUT_ENV = 'ML_PLATFORM_PREVIOUS_OUT';

/**
 * Every ForceNew (or rotating) attribute that differs between two versions of a stack's Terraform,
 * and, transitively, every ForceNew attribute that refers to a resource being replaced (its new
 * computed values are unknown, so the referring resource is replaced too).
 */
export function replacementsBetween(before: TfJson, after: TfJson): Replacement[] {
  const found: Replacement[] = [];
  const replaced = new Set<string>();
  const each = (visit: (address: string, entry: ForceNewEntry, prior: any, next: any) => void) => {
    for (const [type, entries] of Object.entries(FORCE_NEW)) {
      for (const [id, next] of Object.entries(after.resource?.[type] ?? {})) {
        const prior = before.resource?.[type]?.[id];
        if (!prior) continue;
        const ignored: string[] = (next.lifecycle?.ignore_changes ?? []).map((p: string) => p.replace(/\[\d+\]/g, ''));
        for (const entry of entries) {
          if (!ignored.some((p) => entry.path === p || entry.path.startsWith(`${p}.`))) visit(`${type}.${id}`, entry, prior, next);
        }
      }
    }
  };
  const add = (address: string, entry: ForceNewEntry, a: unknown, b: unknown) => {
    if (found.some((r) => r.address === address && r.attribute === entry.path)) return false;
    found.push({ address, attribute: entry.path, effect: entry.effect, source: entry.source, before: a, after: b });
    if (entry.effect === 'replace') replaced.add(address);
    return true;
  };
  each((address, entry, prior, next) => {
    const a = valueAt(prior, entry.path);
    const b = valueAt(next, entry.path);
    if (canonical(a) !== canonical(b)) add(address, entry, a, b);
  });
  for (let grew = true; grew;) {
    grew = false;
    each((address, entry, _prior, next) => {
      if (entry.effect !== 'replace' || replaced.has(address)) return;
      const value = canonical(valueAt(next, entry.path));
      const cause = [...replaced].find((r) => unknownAfterReplace(value, r, after));
      if (cause) grew = add(address, entry, `the replaced ${cause}`, value) || grew;
    });
  }
  return found;
}

/** The warning synth gives for one replacement. */
export function replacementWarning(r: Replacement): Problem {
  const what = r.effect === 'replace' ? 'destroys and re-creates it' : 'rebuilds its nodes through a temporary pool';
  return {
    code: r.effect === 'replace' ? 'CHANGE_REPLACES_RESOURCE' : 'CHANGE_ROTATES_POOL',
    message: `Changing ${r.attribute} of ${r.address} ${what} (provider source ${r.source}).`,
    received: { before: r.before, after: r.after },
    fix: r.effect === 'replace' ? `keep ${r.attribute} as it was, or plan for the new resource (a new cluster loses its workloads and state).` : 'expect every node of the pool to be drained and replaced.',
  };
}

const CHECKED = new WeakSet<TerraformStack>();

/**
 * Compares the stack with the version the last synth wrote (in the app's output directory, or in
 * $ML_PLATFORM_PREVIOUS_OUT) and warns for each change the provider cannot make in place. Computed
 * once, at the first validation, before this synth overwrites the file.
 */
export function installReplacementCheck(stack: TerraformStack): void {
  if (CHECKED.has(stack)) return;
  CHECKED.add(stack);
  let warnings: Problem[] | undefined;
  stack.node.addValidation({
    validate: () => {
      if (warnings === undefined) {
        const previous = readPrevious(stack);
        warnings = previous ? replacementsBetween(previous, stack.toTerraform()).map(replacementWarning) : [];
      }
      return [];
    },
  });
  Problems.of(stack).addWarningCheck(() => warnings ?? []);
}

function readPrevious(stack: TerraformStack): TfJson | undefined {
  const root = process.env[PREVIOUS_OUTPUT_ENV] ?? (cdktf().App.isApp(stack.node.root) ? (stack.node.root as App).outdir : undefined);
  if (!root) return undefined;
  const file = path.join(root, 'stacks', stack.node.id, 'cdk.tf.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether `value` refers to a computed attribute of `address`: those are unknown once it is
 * replaced. Attributes set in its configuration (a name) stay known and change nothing.
 */
function unknownAfterReplace(value: string, address: string, after: TfJson): boolean {
  const [type, id] = address.split('.');
  const body = after.resource?.[type]?.[id] ?? {};
  const refs = value.match(new RegExp(`\\$\\{${address.replace(/[.]/g, '\\.')}\\.([a-z0-9_]+)`, 'g')) ?? [];
  return refs.some((ref) => !(ref.slice(ref.lastIndexOf('.') + 1) in body));
}

function valueAt(body: any, dotted: string): unknown {
  let value = body;
  for (const key of dotted.split('.')) {
    if (Array.isArray(value) && value.length === 1) value = value[0];
    value = value?.[key];
  }
  return value;
}

/** JSON with sorted keys, one-element block lists unwrapped and empty values dropped, so equal configs compare equal. */
function canonical(value: unknown): string {
  const norm = (v: any): any => {
    if (Array.isArray(v)) return v.length === 1 && v[0] && typeof v[0] === 'object' && !Array.isArray(v[0]) ? norm(v[0]) : v.map(norm);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined && v[k] !== null).map((k) => [k, norm(v[k])]));
    return v;
  };
  return JSON.stringify(norm(value) ?? null);
}
