/**
 * NetworkPolicy semantics, evaluated: whether a connection from one endpoint to another is allowed
 * by the policies of both sides, as Kubernetes defines them (a pod selected by no policy of a
 * direction is open in that direction; selected pods allow only what some rule allows).
 */
export interface Endpoint {
  /** Pods have a namespace and labels; outside addresses have only an IP. */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ip?: string;
  /** Named container ports, for policies that name ports. */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

export interface Connection {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

function matches(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return e.values!.includes(labels[e.key]);
      case 'NotIn': return !e.values!.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  return ipToInt(ip) >= start && ipToInt(ip) < start + size;
}

const namespaceLabels = (namespaces: Readonly<Record<string, Record<string, string>>>, name: string) => ({ 'kubernetes.io/metadata.name': name, ...namespaces[name] });

function peerMatches(peer: any, other: Endpoint, policyNamespace: string, namespaces: Readonly<Record<string, Record<string, string>>>): boolean {
  if (peer.ipBlock) {
    // ipBlock is meant for addresses outside the cluster; pods here are matched by selectors.
    if (!other.ip) return false;
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip!, c));
  }
  if (other.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(namespaces, other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && matches(peer.podSelector, other.labels ?? {});
}

function portMatches(ports: any[] | undefined, target: Endpoint, connection: Connection): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== (connection.protocol ?? 'TCP')) return false;
    if (p.port === undefined) return true;
    const port = typeof p.port === 'string' ? target.namedPorts?.[p.port] : p.port;
    return p.endPort ? connection.port >= port && connection.port <= p.endPort : connection.port === port;
  });
}

function policyTypes(policy: any): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

export function allowed(
  policies: readonly any[],
  namespaces: Readonly<Record<string, Record<string, string>>>,
  from: Endpoint,
  to: Endpoint,
  connection: Connection,
): boolean {
  const selecting = (side: Endpoint, type: string) => policies.filter((p) =>
    side.namespace !== undefined && p.metadata.namespace === side.namespace && policyTypes(p).includes(type) && matches(p.spec.podSelector, side.labels ?? {}));
  const egress = selecting(from, 'Egress');
  const egressOk = egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((rule: any) =>
    (!rule.to || rule.to.some((peer: any) => peerMatches(peer, to, p.metadata.namespace, namespaces))) && portMatches(rule.ports, to, connection)));
  const ingress = selecting(to, 'Ingress');
  const ingressOk = ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((rule: any) =>
    (!rule.from || rule.from.some((peer: any) => peerMatches(peer, from, p.metadata.namespace, namespaces))) && portMatches(rule.ports, to, connection)));
  return egressOk && ingressOk;
}
