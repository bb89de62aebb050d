import { checkAuthorizedCidrs, checkDisjointCidrs, isOpenToWorld, parseIpv4Cidr } from '../../lib/core/cidr';

const CODES = { invalid: 'CIDR_INVALID', overlap: 'CIDR_OVERLAP', open: 'CIDR_OPEN_TO_WORLD' };

describe('CIDR checks', () => {
  test('parses canonical blocks only', () => {
    expect(parseIpv4Cidr('10.0.0.0/8')).toEqual({ cidr: '10.0.0.0/8', first: 167772160, last: 184549375 });
    expect(parseIpv4Cidr('10.0.0.1/8')).toBeUndefined();
    expect(parseIpv4Cidr('256.0.0.0/8')).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.0/33')).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.0')).toBeUndefined();
  });

  test('the whole internet is recognised in either family', () => {
    expect(isOpenToWorld('0.0.0.0/0')).toBe(true);
    expect(isOpenToWorld('::/0')).toBe(true);
    expect(isOpenToWorld('0.0.0.0/1')).toBe(false);
  });

  test('overlaps are found in both directions, adjacent blocks are fine', () => {
    expect(checkDisjointCidrs({ a: '10.0.0.0/16', b: '10.1.0.0/16' }, CODES)).toEqual([]);
    expect(checkDisjointCidrs({ a: '10.0.0.0/8', b: '10.1.0.0/16' }, CODES).map((p) => p.code)).toEqual(['CIDR_OVERLAP']);
    expect(checkDisjointCidrs({ a: '10.1.0.0/16', b: '10.0.0.0/8' }, CODES).map((p) => p.code)).toEqual(['CIDR_OVERLAP']);
    expect(checkDisjointCidrs({ a: undefined, b: '10.0.0.0/8' }, CODES)).toEqual([]);
  });

  test('authorized networks reject the world and malformed blocks, each with a fix', () => {
    const problems = checkAuthorizedCidrs(['0.0.0.0/0', '10.0.0.0/8', 'office'], CODES);
    expect(problems.map((p) => [p.code, p.received])).toEqual([['CIDR_OPEN_TO_WORLD', '0.0.0.0/0'], ['CIDR_INVALID', 'office']]);
    expect(problems.every((p) => p.fix.length > 0)).toBe(true);
  });
});
