import { Placement } from '../core/cluster-profile';
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT, TMP_MOUNT, TMP_VOLUME } from '../core/pod-security';
import { checkArguments, PropsShape, shapeProblems, throwProblems } from '../core/props-shape';
import { cpuQuantity, memoryQuantity } from '../core/quantities';
import { containerProblems, envFromSecretProblems, mountProblems, volumeProblems } from './pod-arguments';
import * as k8s from '../imports/k8s';

/** Anything with a Kubernetes name: a string, or a cdk8s-plus `ISecret`, `IConfigMap`, `IServiceAccount` or `IPersistentVolumeClaim`. */
export type NamedObject = string | { readonly name: string };

/** The name of `object`, whether it was given as a string or as a cdk8s-plus handle. */
export function nameOf(object: NamedObject): string {
  return typeof object === 'string' ? object : object.name;
}

/** CPU, memory and GPUs, each requested and limited alike. */
export interface ContainerResources {
  readonly cpu: number;
  readonly memoryGiB: number;
  /** @default 0 */
  readonly gpus?: number;
}

/** A container as workloads describe it; the builder adds the restricted security context and /tmp. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - none */
  readonly args?: readonly string[];
  /** Declared in this order, before the pod-wide variables (kubelet expands `$(NAME)` only from earlier ones). @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** @default - none */
  readonly ports?: readonly k8s.ContainerPort[];
  readonly resources: ContainerResources;
  /** @default - none */
  readonly startupProbe?: k8s.Probe;
  /** @default - none */
  readonly readinessProbe?: k8s.Probe;
  /** @default - none */
  readonly livenessProbe?: k8s.Probe;
  /** @default - none */
  readonly lifecycle?: k8s.Lifecycle;
  /** @default - only /tmp */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
}

/** Pod-level settings of a {@link PodTemplate}. */
export interface PodTemplateProps {
  readonly labels: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The pod's own ServiceAccount; `default` is refused by the policy gate. */
  readonly serviceAccount: NamedObject;
  /** Node selector and tolerations from `ClusterProfile.placementFor`. @default - any node */
  readonly placement?: Placement;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
  /** @default 30 (Kubernetes) */
  readonly terminationGracePeriodSeconds?: number;
  /** @default - the controller's default */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** @default - none */
  readonly subdomain?: string;
  /** @default - none */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
  /** Node affinity beyond the placement's selector, e.g. a preference for on-demand nodes. @default - none */
  readonly affinity?: k8s.Affinity;
}

const POD_TEMPLATE_SHAPE: PropsShape = {
  labels: { mapOf: 'string' }, annotations: { mapOf: 'string' }, serviceAccount: { anyOf: ['string', 'object'] }, placement: 'object',
  priorityClassName: 'string', terminationGracePeriodSeconds: 'number', restartPolicy: { oneOf: ['Always', 'OnFailure', 'Never'], name: 'restart policy' },
  subdomain: 'string', topologySpreadConstraints: { arrayOf: 'object' }, affinity: 'object',
};

/**
 * The one pod template builder of the library: every pod it writes runs as its own ServiceAccount
 * without an API token, under Pod Security "restricted", with requests equal to limits, a writable
 * /tmp on a read-only root filesystem, and no service links. Workloads add containers, volumes and
 * env; users add sidecars, volumes and env from Secrets through the same methods.
 */
export class PodTemplate {
  private readonly containers: k8s.Container[] = [];
  private readonly initContainers: k8s.Container[] = [];
  private readonly volumes: k8s.Volume[] = [{ ...TMP_VOLUME }];
  private readonly sharedEnv: k8s.EnvVar[] = [];
  private readonly sharedMounts: k8s.VolumeMount[] = [];

  constructor(private readonly props: PodTemplateProps) {
    // A builder outside any construct tree: a JavaScript caller's mistake is thrown, listed.
    throwProblems('PodTemplate', shapeProblems(props, POD_TEMPLATE_SHAPE, ['labels', 'serviceAccount'], 'props'));
  }

  /** Adds a main container (the first one is the workload's own) and returns it. */
  public addContainer(spec: ContainerSpec): k8s.Container {
    throwProblems('PodTemplate.addContainer', containerProblems(spec, 'addContainer'));
    const container = this.container(spec);
    this.containers.push(container);
    return container;
  }

  /** Adds a container that runs to completion before the main ones start. */
  public addInitContainer(spec: ContainerSpec): k8s.Container {
    throwProblems('PodTemplate.addInitContainer', containerProblems(spec, 'addInitContainer'));
    const container = this.container(spec);
    this.initContainers.push(container);
    return container;
  }

  /** Adds a volume; `mountPath` mounts it into every container. */
  public addVolume(volume: k8s.Volume, mount?: { readonly mountPath: string; readonly readOnly?: boolean; readonly subPath?: string }): void {
    throwProblems('PodTemplate.addVolume', volumeProblems(volume, mount, 'addVolume', { subPath: 'string' }));
    this.volumes.push(volume);
    if (mount) this.sharedMounts.push({ name: volume.name, ...mount });
  }

  /** Mounts a Secret (a name or a cdk8s-plus `ISecret`) read-only into every container. */
  public mountSecret(secret: NamedObject, mountPath: string): void {
    throwProblems('PodTemplate.mountSecret', mountProblems('secret', secret, mountPath));
    this.addVolume({ name: `secret-${nameOf(secret)}`, secret: { secretName: nameOf(secret) } }, { mountPath, readOnly: true });
  }

  /** Mounts a PersistentVolumeClaim (a name or a cdk8s-plus `IPersistentVolumeClaim`) into every container. */
  public mountClaim(claim: NamedObject, mountPath: string, readOnly = false): void {
    throwProblems('PodTemplate.mountClaim', mountProblems('claim', claim, mountPath, readOnly));
    this.addVolume({ name: `pvc-${nameOf(claim)}`, persistentVolumeClaim: { claimName: nameOf(claim), readOnly } }, { mountPath, readOnly });
  }

  /** Sets `name` in every container from `key` of a Secret (a name or a cdk8s-plus `ISecret`). */
  public addEnvFromSecret(name: string, secret: NamedObject, key: string): void {
    throwProblems('PodTemplate.addEnvFromSecret', envFromSecretProblems(name, secret, key, 'addEnvFromSecret'));
    this.sharedEnv.push({ name, valueFrom: { secretKeyRef: { name: nameOf(secret), key } } });
  }

  /** Sets `name` to `value` in every container. */
  public addEnv(name: string, value: string): void {
    checkArguments('PodTemplate.addEnv', { name, value }, { name: 'string', value: 'string' });
    this.sharedEnv.push({ name, value });
  }

  /** The template, typed; containers get the pod-wide env and mounts after their own. */
  public toTemplate(): k8s.PodTemplateSpec {
    const { props } = this;
    const finish = (c: k8s.Container): k8s.Container => ({
      ...c,
      env: [...(c.env ?? []), ...this.sharedEnv],
      volumeMounts: [...(c.volumeMounts ?? []), ...this.sharedMounts],
    });
    return {
      metadata: { labels: { ...props.labels }, ...(props.annotations ? { annotations: { ...props.annotations } } : {}) },
      spec: {
        restartPolicy: props.restartPolicy,
        subdomain: props.subdomain,
        serviceAccountName: nameOf(props.serviceAccount),
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        priorityClassName: props.priorityClassName,
        securityContext: { ...RESTRICTED_POD_SECURITY_CONTEXT, seccompProfile: { ...RESTRICTED_POD_SECURITY_CONTEXT.seccompProfile } },
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
        topologySpreadConstraints: props.topologySpreadConstraints ? [...props.topologySpreadConstraints] : undefined,
        nodeSelector: props.placement ? { ...props.placement.nodeSelector } : undefined,
        tolerations: props.placement ? props.placement.tolerations.map((t) => ({ ...t })) : undefined,
        affinity: props.affinity,
        volumes: [...this.volumes],
        initContainers: this.initContainers.length > 0 ? this.initContainers.map(finish) : undefined,
        containers: this.containers.map(finish),
      },
    };
  }

  private container(spec: ContainerSpec): k8s.Container {
    const gpus = spec.resources.gpus ?? 0;
    const quantities: Record<string, k8s.Quantity> = {
      'cpu': k8s.Quantity.fromString(cpuQuantity(spec.resources.cpu)),
      'memory': k8s.Quantity.fromString(memoryQuantity(spec.resources.memoryGiB)),
      ...(gpus > 0 ? { 'nvidia.com/gpu': k8s.Quantity.fromString(String(gpus)) } : {}),
    };
    return {
      name: spec.name,
      image: spec.image,
      command: spec.command ? [...spec.command] : undefined,
      args: spec.args ? [...spec.args] : undefined,
      ports: spec.ports ? [...spec.ports] : undefined,
      // The root filesystem is read-only; tools that write to $HOME write to /tmp.
      env: [...(spec.env ?? []), { name: 'HOME', value: '/tmp' }],
      resources: { requests: quantities, limits: quantities },
      startupProbe: spec.startupProbe,
      readinessProbe: spec.readinessProbe,
      livenessProbe: spec.livenessProbe,
      lifecycle: spec.lifecycle,
      securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: [...RESTRICTED_CONTAINER_SECURITY_CONTEXT.capabilities.drop] } },
      volumeMounts: [{ ...TMP_MOUNT }, ...(spec.volumeMounts ?? [])],
    };
  }
}
