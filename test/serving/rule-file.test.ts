import * as fc from 'fast-check';
import { parse } from 'yaml';
import { blockYaml } from '../../lib/serving/rule-file';

/** Plain data as a rule file holds it: maps, lists, strings (any code units), numbers, booleans. */
const plainData = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'), tie('value'))),
})).value;

describe('the rule file text', () => {
  test('a YAML parser reads back exactly the data written, whatever the strings hold', () => {
    fc.assert(fc.property(fc.dictionary(fc.string().filter((k) => k !== '__proto__'), plainData), (data) => {
      expect(parse(blockYaml(data))).toEqual(JSON.parse(JSON.stringify(data)));
    }), { seed: 20261205, numRuns: 300 });
  });

  test('strings YAML would read as something else stay strings', () => {
    const tricky = { a: 'yes', b: 'null', c: '0x1F', d: '1e3', e: '- item', f: 'key: value', g: '#comment', h: '${token}', i: '', j: '{{ $labels.x }}' };
    expect(parse(blockYaml({ groups: [{ name: 'g', rules: [tricky] }] }))).toEqual({ groups: [{ name: 'g', rules: [tricky] }] });
  });

  test('writes block style: a list at the indent of its key, the first field of a map in a list on the dash line, empty ones in flow style', () => {
    const data = {
      groups: [{ name: 'g', rules: [{ alert: 'A', labels: { severity: 'critical' }, for: '5m' }] }],
      empty: [],
      none: {},
      'odd key': [[1, true], [], {}],
      skipped: undefined,
    };
    expect(blockYaml(data)).toBe([
      'groups:',
      '- name: "g"',
      '  rules:',
      '  - alert: "A"',
      '    labels:',
      '      severity: "critical"',
      '    for: "5m"',
      'empty: []',
      'none: {}',
      '"odd key":',
      '- - 1',
      '  - true',
      '- []',
      '- {}',
      '',
    ].join('\n'));
  });

  test('refuses what it cannot write faithfully', () => {
    expect(() => blockYaml({ a: Number.NaN })).toThrow(/finite numbers/);
    expect(() => blockYaml({ a: null })).toThrow(/not null/);
  });
});
