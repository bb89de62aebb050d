import { Problem, throwProblems } from './validation';

// Defined with ValidationError; here too, where the shape checks that feed them are.
export { assertScope, throwProblems } from './validation';

/**
 * The shape of a props object as JavaScript callers and JSON config can get it wrong: a missing
 * required field, a field of the wrong type, an unknown field (usually a misspelling). Only types
 * are checked here; ranges and formats are each construct's own checks.
 */
export type FieldShape =
  | 'string' | 'number' | 'boolean' | 'object' | 'function' | 'any'
  | { readonly arrayOf: FieldShape }
  | { readonly mapOf: FieldShape }
  /** Any one of several shapes, such as `false` or an options object. */
  | { readonly anyOf: readonly FieldShape[] }
  /** One of a closed set, such as an enum's values. */
  | { readonly oneOf: readonly unknown[]; readonly name: string }
  | { readonly fields: PropsShape; readonly required?: readonly string[] }
  // A class, constructors private or not (factories such as `Accelerator.NVIDIA_L4`).
  | { readonly instanceOf: Function; readonly name: string };

/** Field name → shape. */
export interface PropsShape {
  readonly [field: string]: FieldShape;
}

const article = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

function describe(shape: FieldShape): string {
  if (typeof shape === 'string') return article(shape);
  if ('arrayOf' in shape) return `an array of ${describe(shape.arrayOf).replace(/^an? /, '')}s`;
  if ('mapOf' in shape) return `an object whose values are ${describe(shape.mapOf).replace(/^an? /, '')}s`;
  if ('instanceOf' in shape) return article(shape.name);
  if ('anyOf' in shape) return shape.anyOf.map(describe).join(' or ');
  if ('oneOf' in shape) return `${article(shape.name)} (${shape.oneOf.map((v) => JSON.stringify(v)).join(', ')})`;
  return 'an object';
}

function matches(value: unknown, shape: FieldShape, at: string, problems: Problem[]): boolean {
  const wrong = () => {
    problems.push({ code: 'PROP_TYPE_INVALID', message: `${at} must be ${describe(shape)}.`, received: value, fix: `pass ${describe(shape)} as ${at}.` });
    return false;
  };
  if (shape === 'any') return true;
  if (shape === 'object') return (typeof value === 'object' && value !== null && !Array.isArray(value)) || wrong();
  if (typeof shape === 'string') return typeof value === shape || wrong();
  if ('instanceOf' in shape) return value instanceof shape.instanceOf || wrong();
  if ('oneOf' in shape) return shape.oneOf.includes(value) || wrong();
  if ('anyOf' in shape) {
    const fits = shape.anyOf.find((option) => matches(value, option, at, []));
    // The problems of the option that fits, or of the object option when none does (it says most).
    if (fits) return true;
    const objectOption = shape.anyOf.find((option) => typeof option === 'object' && 'fields' in option);
    return objectOption && typeof value === 'object' && value !== null && !Array.isArray(value) ? matches(value, objectOption, at, problems) : wrong();
  }
  if ('arrayOf' in shape) {
    if (!Array.isArray(value)) return wrong();
    return value.map((item, i) => matches(item, shape.arrayOf, `${at}[${i}]`, problems)).every(Boolean);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong();
  if ('mapOf' in shape) return Object.entries(value).map(([k, v]) => matches(v, shape.mapOf, `${at}.${k}`, problems)).every(Boolean);
  const nested = shapeProblems(value, shape.fields, shape.required ?? [], at);
  problems.push(...nested);
  return nested.length === 0;
}

/**
 * Every way `props` departs from `shape`, each with the path of the field. `required` lists the
 * fields that must be present; every other field is optional, and fields not in `shape` are refused.
 */
export function shapeProblems(props: unknown, shape: PropsShape, required: readonly string[], what: string): Problem[] {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return [{ code: 'PROPS_INVALID', message: `${what} must be an object.`, received: props, fix: `pass an object with ${Object.keys(shape).join(', ')}.` }];
  }
  const problems: Problem[] = [];
  const record = props as Record<string, unknown>;
  for (const field of required) {
    if (record[field] === undefined) problems.push({ code: 'PROP_MISSING', message: `${what}.${field} is required.`, received: undefined, fix: `pass ${describe(shape[field])} as ${what}.${field}.` });
  }
  for (const [field, value] of Object.entries(record)) {
    const fieldShape = shape[field];
    if (!fieldShape) {
      problems.push({ code: 'PROP_UNKNOWN', message: `${what}.${field} is not a property; it would be ignored.`, received: field, fix: `use one of ${Object.keys(shape).join(', ')}.` });
    } else if (value !== undefined) {
      matches(value, fieldShape, `${what}.${field}`, problems);
    }
  }
  return problems;
}

/** The fields of `props` that have the right shape, so construction goes on without the broken ones. */
export function wellShapedFields<T extends object>(props: unknown, shape: PropsShape): Partial<T> {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return {};
  return Object.fromEntries(Object.entries(props).filter(([field, value]) =>
    shape[field] !== undefined && value !== undefined && matches(value, shape[field], field, []))) as Partial<T>;
}

/**
 * The props to build from, after recording every shape problem with `add`: the caller's own when
 * well shaped, else the well-shaped fields over `placeholders` (values that build without
 * throwing; the recorded problems stop synth, so nothing built from them is ever written).
 */
export function propsToBuild<T extends object>(add: (problem: Problem) => void, props: unknown, shape: PropsShape, required: readonly string[], placeholders: T, what = 'props'): T {
  const problems = shapeProblems(props, shape, required, what);
  problems.forEach(add);
  return problems.length === 0 ? props as T : { ...placeholders, ...wellShapedFields<T>(props, shape) };
}

/** Arguments of a function that runs outside a construct tree, checked against `shape`; by default every one is required. */
export function checkArguments(where: string, args: Record<string, unknown>, shape: PropsShape, required: readonly string[] = Object.keys(shape)): void {
  throwProblems(where, shapeProblems(args, shape, required, 'arguments'));
}
