import { ApiObject } from 'cdk8s';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { checkAuthorizedCidrs } from '../core/cidr';
import { ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_LABEL } from '../core/names';
import { quantityProblems } from '../core/quantities';
import { Problems } from '../core/validation';
import { declareExternalObject } from '../core/workload';
import { identityAnnotations } from '../core/workload-identity';
import { resolveWorkloadScope } from '../core/scope-defaults';
import { tenantGpuProblems } from './capacity';
import { TenantQueue, TenantQueueOptions } from './queues';

/** What a tenant may consume at once. */
export interface TenantQuota {
  /** Sum of CPU requests. @default '32' */
  readonly cpu?: string;
  /** Sum of memory requests. @default '128Gi' */
  readonly memory?: string;
  /** Sum of `nvidia.com/gpu` requests, all accelerators together. @default 0 */
  readonly gpus?: number;
  /** GPU caps for pods of given priority classes (scoped quotas), e.g. `{ 'ml-training-preemptible': 8 }`. @default - none */
  readonly gpusByPriorityClass?: Readonly<Record<string, number>>;
  /** @default 200 */
  readonly pods?: number;
  /** @default 20 */
  readonly persistentVolumeClaims?: number;
  /** Sum of PVC storage requests. @default '1Ti' */
  readonly storage?: string;
  /** @default 2 */
  readonly loadBalancers?: number;
}

/** Requests and limits containers get when they set none. */
export interface TenantContainerDefaults {
  /** @default '250m' */
  readonly cpuRequest?: string;
  /** @default '1' */
  readonly cpuLimit?: string;
  /** @default '512Mi' */
  readonly memoryRequest?: string;
  /** @default '2Gi' */
  readonly memoryLimit?: string;
}

/** An RBAC rule beyond the built-in roles. */
export interface TenantRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export interface TenantProps {
  /** Namespace name: a DNS label. @default - the namespace of the tenant chart it is placed in */
  readonly name?: string;
  /** @default - the cluster of the ClusterCharts chart it is placed in */
  readonly cluster?: ClusterProfile;
  /** @default - the defaults of TenantQuota */
  readonly quota?: TenantQuota;
  /** @default - the defaults of TenantContainerDefaults */
  readonly containerDefaults?: TenantContainerDefaults;
  /** Identity-provider groups that deploy and operate workloads. @default - none */
  readonly editorGroups?: readonly string[];
  /** Identity-provider groups with read-only access. @default - none */
  readonly viewerGroups?: readonly string[];
  /** Opt-in: let editors get, list and watch Secrets (they can always write them). @default false */
  readonly allowSecretsRead?: boolean;
  /** Extra rules for the editor role; the policy gate refuses wildcards unless `waivePolicy(tenant, 'RBAC_WILDCARD', reason)`. @default - none */
  readonly extraRules?: readonly TenantRule[];
  /** Workload identities: ServiceAccount name → cloud identity (GCP SA email, IAM role ARN, Entra client id). @default - none */
  readonly identities?: Readonly<Record<string, string>>;
  /** Where the ingress controller runs; its pods may reach serving ports. @default 'ingress-nginx' */
  readonly ingressControllerNamespace?: string;
  /** Client CIDRs allowed straight to serving ports (load balancers that keep client IPs). Never 0.0.0.0/0. @default - none */
  readonly servingClientCidrs?: readonly string[];
  /** A Kueue ClusterQueue and LocalQueue for the tenant's training jobs (see `queueName`). @default - no queue */
  readonly queue?: TenantQueueOptions;
}

/** Pod labels that mark serving pods, which the ingress controller may reach. */
export const SERVING_POD_LABEL = 'ml-platform.io/serving';
const SERVING_PORTS = [8500, 8501];

const EDITOR_RESOURCES: ReadonlyArray<[string, readonly string[]]> = [
  ['', ['pods', 'services', 'configmaps', 'persistentvolumeclaims']],
  ['apps', ['deployments']],
  ['batch', ['jobs', 'cronjobs']],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['policy', ['poddisruptionbudgets']],
  ['networking.k8s.io', ['ingresses']],
  ['jobset.x-k8s.io', ['jobsets']],
  ['kubeflow.org', ['tfjobs']],
  ['monitoring.coreos.com', ['servicemonitors', 'podmonitors', 'prometheusrules']],
];
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/**
 * One team's namespace and what keeps it safe and fair: Pod Security "restricted", a quota with
 * GPUs, container defaults, default-deny networking with the few paths a team needs,
 * least-privilege roles and workload identities.
 */
export class Tenant extends Construct {
  public readonly name: string;
  public readonly cluster: ClusterProfile;
  /** The GPUs the tenant may request at once. */
  public readonly gpuQuota: number;
  /** The quota as written to the ResourceQuota: `requests.cpu`, `requests.memory` and the rest. */
  public readonly quota: Readonly<Record<string, string>>;
  /** The LocalQueue training jobs pass as `queueName`, when the tenant has a queue. */
  public readonly queueName?: string;
  private queue?: TenantQueue;
  private readonly props: TenantProps;
  private readonly problems: Problems;

  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id);
    this.props = props;
    this.problems = Problems.of(this);
    ({ cluster: this.cluster, namespace: this.name } = resolveWorkloadScope(this, { cluster: props.cluster, namespace: props.name }, this.problems));
    this.gpuQuota = props.quota?.gpus ?? 0;
    installKubernetesGate(this, this.cluster.name);
    checkName(this.name, DNS_LABEL, 'TENANT_NAME_INVALID').forEach((p) => this.problems.add(p));
    this.problems.addCheck(() => tenantGpuProblems(this));

    this.emitNamespace();
    this.quota = this.emitQuota();
    this.queueName = this.queue?.localQueueName;
    this.emitLimitRange();
    this.emitNetworkPolicies();
    this.emitRoles();
    for (const [name, identity] of Object.entries(props.identities ?? {})) this.addServiceAccount(name, identity);
  }

  /** A ServiceAccount without an automounted token, bound to `cloudIdentity` when given. */
  public addServiceAccount(name: string, cloudIdentity?: string): ApiObject {
    checkName(name, DNS_LABEL, 'SERVICE_ACCOUNT_NAME_INVALID').forEach((p) => this.problems.add(p));
    const annotations = cloudIdentity ? identityAnnotations(this.cluster, cloudIdentity, this.problems) : undefined;
    return this.object(`sa-${name}`, 'v1', 'ServiceAccount', name, { automountServiceAccountToken: false }, annotations);
  }

  /** A PersistentVolumeClaim, e.g. for checkpoints (ReadWriteMany when several pods mount it). */
  public addVolumeClaim(name: string, options: { readonly storage: string; readonly storageClassName?: string; readonly readWriteMany?: boolean }): ApiObject {
    checkName(name, DNS_LABEL, 'PVC_NAME_INVALID').forEach((p) => this.problems.add(p));
    this.checkQuantity(`PVC ${name} storage`, options.storage);
    return this.object(`pvc-${name}`, 'v1', 'PersistentVolumeClaim', name, {
      spec: {
        accessModes: [options.readWriteMany ? 'ReadWriteMany' : 'ReadWriteOnce'],
        resources: { requests: { storage: options.storage } },
        ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
      },
    });
  }

  /** Declares a Secret that something else creates (cert-manager, External Secrets), so workloads may reference it. */
  public declareExternalSecret(name: string): void {
    declareExternalObject(this, 'Secret', this.name, name);
  }

  private object(id: string, apiVersion: string, kind: string, name: string, body: Record<string, unknown>, annotations?: Record<string, string>): ApiObject {
    return new ApiObject(this, id, {
      apiVersion,
      kind,
      metadata: { name, namespace: this.name, labels: { 'ml-platform.io/tenant': this.name }, ...(annotations ? { annotations } : {}) },
      ...body,
    });
  }

  private checkQuantity(resource: string, text: string): void {
    const { errors, suspicious } = quantityProblems(resource, text);
    errors.forEach((p) => this.problems.add(p));
    suspicious.forEach((p) => this.problems.warn(p));
  }

  private emitNamespace(): void {
    // Pinned to the cluster's minor version so a control-plane upgrade cannot tighten or loosen it silently.
    const version = `v${this.cluster.kubernetesVersion.split('.').slice(0, 2).join('.')}`;
    const podSecurity = Object.fromEntries(['enforce', 'audit', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, 'restricted'],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]));
    new ApiObject(this, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels: { 'ml-platform.io/tenant': this.name, ...podSecurity } },
    });
  }

  private emitQuota(): Record<string, string> {
    const quota = this.props.quota ?? {};
    const text = { cpu: quota.cpu ?? '32', memory: quota.memory ?? '128Gi', storage: quota.storage ?? '1Ti' };
    for (const [resource, value] of Object.entries(text)) this.checkQuantity(`quota ${resource}`, value);
    if (this.props.queue) {
      this.queue = new TenantQueue(this, 'queue', { tenant: this.name, cluster: this.cluster, gpus: this.gpuQuota, cpu: text.cpu, memory: text.memory }, this.props.queue);
    }
    const counts: Record<string, number> = {
      gpus: this.gpuQuota,
      pods: quota.pods ?? 200,
      persistentVolumeClaims: quota.persistentVolumeClaims ?? 20,
      loadBalancers: quota.loadBalancers ?? 2,
      ...quota.gpusByPriorityClass,
    };
    for (const [field, value] of Object.entries(counts)) {
      if (!Number.isInteger(value) || value < 0) this.problems.add({ code: 'QUOTA_COUNT_INVALID', message: `Quota ${field} must be a whole number.`, received: value, fix: `set ${field} to 0 or more.` });
    }
    const hard = {
      'requests.cpu': text.cpu,
      'requests.memory': text.memory,
      // Borrowed GPUs are admitted by the queue; the quota must let their pods in.
      'requests.nvidia.com/gpu': String(this.gpuQuota + (this.queue?.borrowingLimitGpus ?? 0)),
      pods: String(quota.pods ?? 200),
      persistentvolumeclaims: String(quota.persistentVolumeClaims ?? 20),
      'requests.storage': text.storage,
      'services.loadbalancers': String(quota.loadBalancers ?? 2),
    };
    this.object('quota', 'v1', 'ResourceQuota', 'tenant-quota', { spec: { hard } });
    for (const [priorityClass, gpus] of Object.entries(quota.gpusByPriorityClass ?? {})) {
      this.object(`quota-${priorityClass}`, 'v1', 'ResourceQuota', `gpus-${priorityClass}`, {
        spec: {
          hard: { 'requests.nvidia.com/gpu': String(gpus) },
          scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClass] }] },
        },
      });
    }
    return hard;
  }

  private emitLimitRange(): void {
    const d = this.props.containerDefaults ?? {};
    const values = { cpuRequest: d.cpuRequest ?? '250m', cpuLimit: d.cpuLimit ?? '1', memoryRequest: d.memoryRequest ?? '512Mi', memoryLimit: d.memoryLimit ?? '2Gi' };
    this.checkQuantity('default cpu request', values.cpuRequest);
    this.checkQuantity('default cpu limit', values.cpuLimit);
    this.checkQuantity('default memory request', values.memoryRequest);
    this.checkQuantity('default memory limit', values.memoryLimit);
    this.object('limits', 'v1', 'LimitRange', 'container-defaults', {
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: values.cpuRequest, memory: values.memoryRequest },
          default: { cpu: values.cpuLimit, memory: values.memoryLimit },
        }],
      },
    });
  }

  private emitNetworkPolicies(): void {
    const policy = (name: string, spec: Record<string, unknown>) => this.object(`netpol-${name}`, 'networking.k8s.io/v1', 'NetworkPolicy', name, { spec });
    const servingPorts = SERVING_PORTS.map((port) => ({ protocol: 'TCP', port }));
    const servingPods = { matchExpressions: [{ key: SERVING_POD_LABEL, operator: 'Exists' }] };
    const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [namespace('kube-system')], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    policy('allow-same-namespace', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    policy('allow-ingress-controller', {
      podSelector: servingPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [namespace(this.props.ingressControllerNamespace ?? 'ingress-nginx')], ports: servingPorts }],
    });
    policy('allow-https-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      // Buckets, registries and identity endpoints are HTTPS; the node's metadata endpoint is not for pods.
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...this.cluster.facts.metadata.blockedCidrs] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
    const identityEndpoints = this.cluster.facts.metadata.identityEndpoints;
    if (identityEndpoints.length > 0) {
      policy('allow-identity-endpoints', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: identityEndpoints.map((e) => ({ to: [{ ipBlock: { cidr: e.cidr } }], ports: [{ protocol: 'TCP', port: e.port }] })),
      });
    }
    const clients = this.props.servingClientCidrs ?? [];
    checkAuthorizedCidrs(clients, { invalid: 'CIDR_INVALID', open: 'NETPOL_OPEN_TO_WORLD' }).forEach((p) => this.problems.add(p));
    if (clients.length > 0) {
      policy('allow-serving-clients', {
        podSelector: servingPods,
        policyTypes: ['Ingress'],
        ingress: [{ from: clients.map((cidr) => ({ ipBlock: { cidr } })), ports: servingPorts }],
      });
    }
  }

  private emitRoles(): void {
    const { props } = this;
    const editorRules = [
      ...EDITOR_RESOURCES.map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: [...READ, ...WRITE] })),
      { apiGroups: [''], resources: ['pods/log', 'events', 'serviceaccounts'], verbs: READ },
      { apiGroups: [''], resources: ['secrets'], verbs: props.allowSecretsRead ? [...READ, ...WRITE] : WRITE },
      ...(props.extraRules ?? []).map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    ];
    const viewerRules = [
      ...EDITOR_RESOURCES.map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: READ })),
      { apiGroups: [''], resources: ['pods/log', 'events', 'serviceaccounts'], verbs: READ },
    ];
    // Why a job waits is on its Workload and LocalQueue; reading them is enough, Kueue writes them.
    const queueRules = this.queue ? [{ apiGroups: ['kueue.x-k8s.io'], resources: ['localqueues', 'workloads'], verbs: READ }] : [];
    editorRules.push(...queueRules);
    viewerRules.push(...queueRules);
    for (const [role, rules, groups] of [['editor', editorRules, props.editorGroups], ['viewer', viewerRules, props.viewerGroups]] as const) {
      this.object(`role-${role}`, 'rbac.authorization.k8s.io/v1', 'Role', `tenant-${role}`, { rules });
      if (!groups || groups.length === 0) continue;
      this.object(`binding-${role}`, 'rbac.authorization.k8s.io/v1', 'RoleBinding', `tenant-${role}`, {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `tenant-${role}` },
        subjects: groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
      });
    }
  }
}
