/**
 * What the generated classes in `lib/imports` use to drop the undefined values of a map. cdk8s's
 * importer spreads the partial result into a new object for every key (quadratic);
 * scripts/import-types.js points the generated code here instead.
 * @internal
 */

/** Each defined value of `map` converted by `convert`, in order. */
export function mapDefined<T>(map: Record<string, T>, convert: (value: T) => any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const key of Object.keys(map)) {
    if (map[key] !== undefined) setField(out, key, convert(map[key]));
  }
  return out;
}

/** `out[key] = value`, as an own field even for "__proto__" (a valid ConfigMap key), as a spread would. */
function setField(out: Record<string, any>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
