import { ApiObject } from 'cdk8s';
import { checkConstructArguments, IN_CHART } from '../core/construct-arguments';
import { installKubernetesGate } from '../policy/gate';
import { Construct } from 'constructs';
import { ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_LABEL, STORAGE_CLASS_NAME } from '../core/names';
import { quantityProblems } from '../core/quantities';
import { Problems } from '../core/validation';
import { declareExternalObject } from '../core/workload';
import { identityAnnotations } from '../core/workload-identity';
import { resolveWorkloadScope } from '../core/scope-defaults';
import * as k8s from '../imports/k8s';
import { kubeObject } from '../k8s/kube-object';
import { PropsShape, shapeProblems, wellShapedFields } from '../core/props-shape';
import { tenantGpuProblems } from './capacity';
import { TenantQueue, TenantQueueOptions } from './queues';
import { duplicateTenantProblems, TENANT_PROPS_SHAPE, tenantInputProblems } from './tenant-input';
import { emitTenantNetworkPolicies } from './tenant-network';
import { emitTenantRoles, TenantRule } from './tenant-rbac';

export { SERVING_POD_LABEL } from './tenant-network';
export type { TenantRule } from './tenant-rbac';

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

const CLAIM_SHAPE: PropsShape = { name: 'string', options: { fields: { storage: 'string', storageClassName: 'string', readWriteMany: 'boolean' }, required: ['storage'] } };

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
  /** The Namespace object. */
  public readonly namespaceObject: ApiObject;
  /** The ResourceQuota named `tenant-quota`. */
  public readonly resourceQuota: ApiObject;
  /** The LimitRange with the container defaults. */
  public readonly limitRange: ApiObject;
  /** The NetworkPolicies, by name (`default-deny`, `allow-dns`, …). */
  public readonly networkPolicies: Readonly<Record<string, ApiObject>>;
  /** The `tenant-editor` and `tenant-viewer` Roles, by `editor` and `viewer`. */
  public readonly roles: Readonly<Record<'editor' | 'viewer', ApiObject>>;
  /** The LocalQueue training jobs pass as `queueName`, when the tenant has a queue. */
  public readonly queueName?: string;
  private queue?: TenantQueue;
  private readonly props: TenantProps;
  private readonly problems: Problems;

  constructor(scope: Construct, id: string, props: TenantProps = {}) {
    checkConstructArguments('Tenant', scope, id, IN_CHART);
    super(scope, id);
    this.problems = Problems.of(this);
    // JavaScript callers and JSON config get the same checks as TypeScript; a bad shape builds from defaults.
    const shape = shapeProblems(props, TENANT_PROPS_SHAPE, [], 'props');
    shape.forEach((p) => this.problems.add(p));
    props = shape.length > 0 ? wellShapedFields<TenantProps>(props, TENANT_PROPS_SHAPE) : props;
    this.props = props;
    ({ cluster: this.cluster, namespace: this.name } = resolveWorkloadScope(this, { cluster: props.cluster, namespace: props.name }, this.problems));
    this.gpuQuota = props.quota?.gpus ?? 0;
    installKubernetesGate(this, this.cluster.name);
    checkName(this.name, DNS_LABEL, 'TENANT_NAME_INVALID').forEach((p) => this.problems.add(p));
    this.problems.addCheck(() => tenantGpuProblems(this));
    tenantInputProblems(props).forEach((p) => this.problems.add(p));
    this.problems.addCheck(() => duplicateTenantProblems(this));

    this.namespaceObject = this.emitNamespace();
    ({ hard: this.quota, object: this.resourceQuota } = this.emitQuota());
    this.queueName = this.queue?.localQueueName;
    this.limitRange = this.emitLimitRange();
    const metadata = (name: string) => this.metadata(name);
    this.networkPolicies = emitTenantNetworkPolicies(this, { props, cluster: this.cluster, problems: this.problems, metadata });
    this.roles = emitTenantRoles(this, { props, hasQueue: this.queue !== undefined, metadata });
    for (const [name, identity] of Object.entries(props.identities ?? {})) this.addServiceAccount(name, identity);
  }

  /** A ServiceAccount without an automounted token, bound to `cloudIdentity` when given. */
  public addServiceAccount(name: string, cloudIdentity?: string): ApiObject {
    if (!this.argumentsFit({ name, cloudIdentity }, { name: 'string', cloudIdentity: 'string' }, ['name'], 'addServiceAccount')) name = 'invalid';
    const existing = this.existing(`sa-${name}`, 'ServiceAccount', name);
    if (existing) return existing;
    checkName(name, DNS_LABEL, 'SERVICE_ACCOUNT_NAME_INVALID').forEach((p) => this.problems.add(p));
    const annotations = cloudIdentity ? identityAnnotations(this.cluster, cloudIdentity, this.problems) : undefined;
    return kubeObject(this, `sa-${name}`, k8s.KubeServiceAccount.GVK, k8s.toJson_KubeServiceAccountProps, {
      metadata: this.metadata(name, annotations),
      automountServiceAccountToken: false,
    });
  }

  /**
   * A PersistentVolumeClaim, e.g. for checkpoints (ReadWriteMany when several pods mount it). With
   * no `storageClassName`, a ReadWriteMany claim gets the profile's ReadWriteMany class and any
   * other claim the cluster's default class.
   */
  public addVolumeClaim(name: string, options: { readonly storage: string; readonly storageClassName?: string; readonly readWriteMany?: boolean }): ApiObject {
    if (!this.argumentsFit({ name, options }, CLAIM_SHAPE, ['name', 'options'], 'addVolumeClaim')) ({ name, options } = { name: 'invalid', options: { storage: '1Gi' } });
    const existing = this.existing(`pvc-${name}`, 'PersistentVolumeClaim', name);
    if (existing) return existing;
    checkName(name, DNS_LABEL, 'PVC_NAME_INVALID').forEach((p) => this.problems.add(p));
    // "" is Kubernetes' way to ask for no dynamic provisioning (a pre-made volume); any other name must be one.
    if (options.storageClassName) checkName(options.storageClassName, STORAGE_CLASS_NAME, 'STORAGE_CLASS_NAME_INVALID').forEach((p) => this.problems.add(p));
    this.checkQuantity(`PVC ${name} storage`, options.storage);
    const sharedClass = this.cluster.facts.readWriteManyStorageClass;
    if (options.readWriteMany && options.storageClassName === undefined && sharedClass === undefined) {
      this.problems.add({
        code: 'PVC_NO_READ_WRITE_MANY_CLASS',
        message: `Claim "${name}" asks for ReadWriteMany, and cluster "${this.cluster.name}" has no ReadWriteMany StorageClass: the claim would stay Pending.`,
        received: { cluster: this.cluster.name, readWriteMany: true },
        fix: 'name a ReadWriteMany class in storageClassName, state it in the profile (facts.readWriteManyStorageClass), turn on the cluster\'s shared file system, or write to a bucket instead.',
      });
    }
    return kubeObject(this, `pvc-${name}`, k8s.KubePersistentVolumeClaim.GVK, k8s.toJson_KubePersistentVolumeClaimProps, {
      metadata: this.metadata(name),
      spec: {
        accessModes: [options.readWriteMany ? 'ReadWriteMany' : 'ReadWriteOnce'],
        resources: { requests: { storage: k8s.Quantity.fromString(options.storage) } },
        storageClassName: options.storageClassName ?? (options.readWriteMany ? sharedClass : undefined),
      },
    });
  }

  /** Declares a Secret that something else creates (cert-manager, External Secrets), so workloads may reference it. */
  public declareExternalSecret(name: string): void {
    declareExternalObject(this, 'Secret', this.name, name);
  }

  /** Lists a JavaScript caller's badly shaped arguments; the caller then builds from placeholders (nothing built is written). */
  private argumentsFit(args: Record<string, unknown>, shape: PropsShape, required: readonly string[], method: string): boolean {
    const problems = shapeProblems(args, shape, required, method);
    problems.forEach((p) => this.problems.add(p));
    return problems.length === 0;
  }

  /** An object added twice under one name: the second would overwrite the first, so it is refused. */
  private existing(id: string, kind: string, name: string): ApiObject | undefined {
    const found = this.node.tryFindChild(id) as ApiObject | undefined;
    if (found) {
      this.problems.add({ code: 'TENANT_OBJECT_DUPLICATE', message: `Tenant "${this.name}" already has a ${kind} named "${name}".`, received: name, fix: `add each ${kind} once, or give this one another name.` });
    }
    return found;
  }

  private metadata(name: string, annotations?: Record<string, string>): k8s.ObjectMeta {
    return { name, namespace: this.name, labels: { 'ml-platform.io/tenant': this.name }, ...(annotations ? { annotations } : {}) };
  }

  private checkQuantity(resource: string, text: string): void {
    const { errors, suspicious } = quantityProblems(resource, text);
    errors.forEach((p) => this.problems.add(p));
    suspicious.forEach((p) => this.problems.warn(p));
  }

  private emitNamespace(): ApiObject {
    // Pinned to the cluster's minor version so a control-plane upgrade cannot tighten or loosen it silently.
    const version = `v${this.cluster.kubernetesVersion.split('.').slice(0, 2).join('.')}`;
    const podSecurity = Object.fromEntries(['enforce', 'audit', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, 'restricted'],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]));
    return kubeObject(this, 'namespace', k8s.KubeNamespace.GVK, k8s.toJson_KubeNamespaceProps, {
      metadata: { name: this.name, labels: { 'ml-platform.io/tenant': this.name, ...podSecurity } },
    });
  }

  private emitQuota(): { hard: Record<string, string>; object: ApiObject } {
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
    const object = kubeObject(this, 'quota', k8s.KubeResourceQuota.GVK, k8s.toJson_KubeResourceQuotaProps, {
      metadata: this.metadata('tenant-quota'),
      spec: { hard: quantities(hard) },
    });
    for (const [priorityClass, gpus] of Object.entries(quota.gpusByPriorityClass ?? {})) {
      kubeObject(this, `quota-${priorityClass}`, k8s.KubeResourceQuota.GVK, k8s.toJson_KubeResourceQuotaProps, {
        metadata: this.metadata(`gpus-${priorityClass}`),
        spec: {
          hard: quantities({ 'requests.nvidia.com/gpu': String(gpus) }),
          scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClass] }] },
        },
      });
    }
    return { hard, object };
  }

  private emitLimitRange(): ApiObject {
    const d = this.props.containerDefaults ?? {};
    const values = { cpuRequest: d.cpuRequest ?? '250m', cpuLimit: d.cpuLimit ?? '1', memoryRequest: d.memoryRequest ?? '512Mi', memoryLimit: d.memoryLimit ?? '2Gi' };
    this.checkQuantity('default cpu request', values.cpuRequest);
    this.checkQuantity('default cpu limit', values.cpuLimit);
    this.checkQuantity('default memory request', values.memoryRequest);
    this.checkQuantity('default memory limit', values.memoryLimit);
    return kubeObject(this, 'limits', k8s.KubeLimitRange.GVK, k8s.toJson_KubeLimitRangeProps, {
      metadata: this.metadata('container-defaults'),
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: quantities({ cpu: values.cpuRequest, memory: values.memoryRequest }),
          default: quantities({ cpu: values.cpuLimit, memory: values.memoryLimit }),
        }],
      },
    });
  }

}

function quantities(values: Record<string, string>): Record<string, k8s.Quantity> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, k8s.Quantity.fromString(value)]));
}
