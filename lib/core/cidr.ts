import { Problem } from './validation';

/** An IPv4 block as the integer range it covers. */
export interface Ipv4Block {
  readonly cidr: string;
  readonly first: number;
  readonly last: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; `undefined` when it is not a canonical IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): Ipv4Block | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  // Host bits set (10.0.0.1/8) means the user meant another block; clouds reject it too.
  if (address % size !== 0) return undefined;
  return { cidr, first: address, last: address + size - 1 };
}

/** True for blocks that admit the whole internet. */
export function isOpenToWorld(cidr: string): boolean {
  if (cidr.trim() === '::/0') return true;
  const block = parseIpv4Cidr(cidr.trim());
  return block !== undefined && block.first === 0 && block.last === 2 ** 32 - 1;
}

/** Problems with CIDRs that must each be a valid IPv4 block and must not overlap each other. */
export function checkDisjointCidrs(named: Record<string, string | undefined>, code: { invalid: string; overlap: string }): Problem[] {
  const problems: Problem[] = [];
  const blocks: Array<[string, Ipv4Block]> = [];
  for (const [role, cidr] of Object.entries(named)) {
    if (cidr === undefined) continue;
    const block = parseIpv4Cidr(cidr);
    if (!block) {
      problems.push({
        code: code.invalid,
        message: `The ${role} CIDR is not a valid IPv4 block.`,
        received: cidr,
        fix: 'write it as a.b.c.d/n with no host bits set, e.g. 10.8.0.0/14.',
      });
      continue;
    }
    for (const [otherRole, other] of blocks) {
      if (block.first <= other.last && other.first <= block.last) {
        problems.push({
          code: code.overlap,
          message: `The ${role} CIDR overlaps the ${otherRole} CIDR ${other.cidr}; routing between them would be ambiguous.`,
          received: cidr,
          fix: `choose ranges that do not overlap, e.g. move the ${role} range outside ${other.cidr}.`,
        });
      }
    }
    blocks.push([role, block]);
  }
  return problems;
}

/** Problems with CIDRs allowed to reach a control plane: valid, and never the whole internet. */
export function checkAuthorizedCidrs(cidrs: readonly string[], code: { invalid: string; open: string }): Problem[] {
  return cidrs.flatMap((cidr): Problem[] => {
    if (isOpenToWorld(cidr)) {
      return [{
        code: code.open,
        message: 'The control plane would accept connections from the whole internet.',
        received: cidr,
        fix: 'list only the networks that need the API (office, VPN or CI egress ranges), or keep the endpoint private.',
      }];
    }
    if (!parseIpv4Cidr(cidr)) {
      return [{ code: code.invalid, message: 'An authorized network is not a valid IPv4 CIDR.', received: cidr, fix: 'write it as a.b.c.d/n with no host bits set, e.g. 203.0.113.0/24.' }];
    }
    return [];
  });
}
