import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkAuthorizedCidrs } from '../core/cidr';
import { ClusterProfile } from '../core/cluster-profile';
import { Problems } from '../core/validation';
import { WorkloadKinds } from '../core/workload-kinds';
import * as k8s from '../imports/k8s';
import { kubeObject, lateKubeObject } from '../k8s/kube-object';
import type { TenantProps } from './tenant';

/** Pod labels that mark serving pods, which the ingress controller may reach. */
export const SERVING_POD_LABEL = 'ml-platform.io/serving';

/**
 * What the network policies of a tenant are written from.
 * @internal
 */
export interface TenantNetworkInputs {
  readonly props: Pick<TenantProps, 'ingressControllerNamespace' | 'servingClientCidrs'>;
  readonly cluster: ClusterProfile;
  readonly problems: Problems;
  metadata(name: string): k8s.ObjectMeta;
}

/**
 * Default-deny networking with the few paths a team needs: DNS, its own namespace, HTTPS out
 * (never the node's metadata endpoint), the cloud's identity endpoints, and the ingress controller
 * and allowed clients to the serving ports. Returns the policies by name.
 * @internal
 */
export function emitTenantNetworkPolicies(scope: Construct, tenant: TenantNetworkInputs): Record<string, ApiObject> {
  const policies: Record<string, ApiObject> = {};
  const policy = (name: string, spec: k8s.NetworkPolicySpec) => {
    policies[name] = kubeObject(scope, `netpol-${name}`, k8s.KubeNetworkPolicy.GVK, k8s.toJson_KubeNetworkPolicyProps, { metadata: tenant.metadata(name), spec });
  };
  // Serving ports come from the workload-kind registry, which may be filled after the tenant is built.
  const servingPolicy = (name: string, spec: () => k8s.NetworkPolicySpec) => {
    policies[name] = lateKubeObject(scope, `netpol-${name}`, k8s.KubeNetworkPolicy.GVK, tenant.metadata(name), 'spec', k8s.toJson_NetworkPolicySpec, spec);
  };
  const servingPorts = () => WorkloadKinds.servingPorts().map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
  const port = (protocol: string, number: number) => ({ protocol, port: k8s.IntOrString.fromNumber(number) });
  const servingPods = { matchExpressions: [{ key: SERVING_POD_LABEL, operator: 'Exists' }] };
  const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

  policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  policy('allow-dns', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [namespace('kube-system')], ports: [port('UDP', 53), port('TCP', 53)] }],
  });
  policy('allow-same-namespace', {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: {} }] }],
    egress: [{ to: [{ podSelector: {} }] }],
  });
  servingPolicy('allow-ingress-controller', () => ({
    podSelector: servingPods,
    policyTypes: ['Ingress'],
    ingress: [{ from: [namespace(tenant.props.ingressControllerNamespace ?? 'ingress-nginx')], ports: servingPorts() }],
  }));
  policy('allow-https-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    // Buckets, registries and identity endpoints are HTTPS; the node's metadata endpoint is not for pods.
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...tenant.cluster.facts.metadata.blockedCidrs] } }], ports: [port('TCP', 443)] }],
  });
  const identityEndpoints = tenant.cluster.facts.metadata.identityEndpoints;
  if (identityEndpoints.length > 0) {
    policy('allow-identity-endpoints', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: identityEndpoints.map((e) => ({ to: [{ ipBlock: { cidr: e.cidr } }], ports: [port('TCP', e.port)] })),
    });
  }
  const clients = tenant.props.servingClientCidrs ?? [];
  checkAuthorizedCidrs(clients, { invalid: 'CIDR_INVALID', open: 'NETPOL_OPEN_TO_WORLD' }).forEach((p) => tenant.problems.add(p));
  if (clients.length > 0) {
    servingPolicy('allow-serving-clients', () => ({
      podSelector: servingPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: clients.map((cidr) => ({ ipBlock: { cidr } })), ports: servingPorts() }],
    }));
  }
  return policies;
}
