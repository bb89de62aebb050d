import { IConstruct } from 'constructs';
import { constructsOfApp, perValidationPass } from './validation';

/**
 * The construct defined before `scope` with the same key, when there is one: two constructs that
 * would write the same objects, where the last one silently wins. Keys come from `keyOf`, which
 * returns `undefined` for constructs of other kinds; the index is built once per validation pass.
 */
export function earlierWithSameKey(scope: IConstruct, index: string, keyOf: (construct: IConstruct) => string | undefined): IConstruct | undefined {
  const first = perValidationPass(scope, `first-by-${index}`, () => {
    const seen = new Map<string, IConstruct>();
    for (const construct of constructsOfApp(scope)) {
      const key = keyOf(construct);
      if (key !== undefined && !seen.has(key)) seen.set(key, construct);
    }
    return seen;
  });
  const key = keyOf(scope);
  const earlier = key === undefined ? undefined : first.get(key);
  return earlier === scope ? undefined : earlier;
}
