import fc from 'fast-check';
import { DNS_1035_LABEL, DNS_LABEL } from '../../lib';
import { checkName } from '../../lib/core/names';
import { labelKeyProblems, labelValueProblems } from '../../lib/core/labels';
import { parseQuantity } from '../../lib/core/quantities';
import { runs } from '../property-helpers';

/**
 * Our validators agree with the regular expressions Kubernetes publishes (apimachinery
 * validation and the Quantity OpenAPI pattern), on generated strings that mostly look right.
 */
const K8S = {
  dns1123Label: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  dns1035Label: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  dns1123Subdomain: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  qualifiedNamePart: /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/,
  labelValue: /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
  quantity: /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/,
};

const from = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength });
const NAME_CHARS = 'abcz019-.A_ ';
/** Mostly well-formed strings of 55 to 70 characters: where the 63-character limits bite. */
const nearLimit = (chars: string) => fc.integer({ min: 55, max: 70 }).chain((n) => fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: n, maxLength: n }));
const RUNS = runs(2000);

describe('validators against the Kubernetes regular expressions', () => {
  test('DNS-1123 labels', () => {
    fc.assert(fc.property(fc.oneof(from(NAME_CHARS, 70), fc.stringMatching(K8S.dns1123Label), nearLimit('ab0-')), (name) => {
      const expected = name.length <= 63 && K8S.dns1123Label.test(name);
      expect(checkName(name, DNS_LABEL, 'X').length === 0).toBe(expected);
    }), RUNS);
  });

  test('DNS-1035 labels', () => {
    fc.assert(fc.property(fc.oneof(from(NAME_CHARS, 70), fc.stringMatching(K8S.dns1035Label), nearLimit('ab0-')), (name) => {
      const expected = name.length <= 63 && K8S.dns1035Label.test(name);
      expect(checkName(name, DNS_1035_LABEL, 'X').length === 0).toBe(expected);
    }), RUNS);
  });

  test('label keys: optional DNS-1123 subdomain prefix and a name part of at most 63', () => {
    const key = fc.oneof(
      from('ab0-._/Z', 80),
      fc.tuple(fc.stringMatching(K8S.dns1123Subdomain), fc.stringMatching(K8S.qualifiedNamePart)).map(([p, n]) => `${p}/${n}`),
      fc.stringMatching(K8S.qualifiedNamePart),
      nearLimit('aZ0-_.').map((n) => `example.com/${n}`),
    );
    fc.assert(fc.property(key, (text) => {
      const slash = text.lastIndexOf('/');
      const prefix = slash >= 0 ? text.slice(0, slash) : undefined;
      const name = text.slice(slash + 1);
      const expected = name.length <= 63 && K8S.qualifiedNamePart.test(name)
        && (prefix === undefined || (prefix.length <= 253 && K8S.dns1123Subdomain.test(prefix)));
      expect(labelKeyProblems(text, 'X').length === 0).toBe(expected);
    }), RUNS);
  });

  test('label values', () => {
    fc.assert(fc.property(fc.oneof(from('aZ09-_.', 70), fc.stringMatching(K8S.labelValue), nearLimit('aZ0-_.')), (value) => {
      const expected = value.length <= 63 && K8S.labelValue.test(value);
      expect(labelValueProblems(value, 'X').length === 0).toBe(expected);
    }), RUNS);
  });

  test('quantities', () => {
    fc.assert(fc.property(fc.oneof(from('0129.+-eEKMGiumnkTPB', 12), fc.stringMatching(K8S.quantity)), (text) => {
      expect(parseQuantity(text) !== undefined).toBe(K8S.quantity.test(text));
    }), RUNS);
  });

  test('quantity values', () => {
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1GB')).toBeUndefined();
  });
});
