/**
 * A workload kind the library does not ship, written here in the user's own program: a Ray batch
 * job (KubeRay's `ray.io/v1` RayJob). Registering the kind is all it takes for the platform to treat
 * it like its own: the policy gate reads its pods, tenant roles grant `rayjobs`, the tenant's GPU
 * quota and reference checks count it, and it is placed on GPU pools through the cluster profile.
 *
 * Run: `npm run build && node build/examples/custom-workload/main.js`
 */
import { ApiObject, App as K8sApp } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, ClusterCharts, ClusterProfile, cpuQuantity, memoryQuantity, MlPlatform, PlatformWorkload, Problems, RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  RESTRICTED_POD_SECURITY_CONTEXT, resolveWorkloadScope, synthPlatformOrExit, Tenant, TMP_MOUNT, TMP_VOLUME, WorkloadKinds, WorkloadReferences,
} from '../../lib';

// The kind is registered once, when the program loads: where its pods are, and its RBAC resource.
WorkloadKinds.register({
  group: 'ray.io',
  kind: 'RayJob',
  resource: 'rayjobs',
  podTemplates: (doc) => [
    { where: ' head', template: doc.spec?.rayClusterSpec?.headGroupSpec?.template },
    ...(doc.spec?.rayClusterSpec?.workerGroupSpecs ?? []).map((group: any) => ({ where: ` workers ${group.groupName}`, template: group.template })),
  ],
});

export interface RayBatchJobProps {
  /** Python entrypoint, e.g. `python score.py`. */
  readonly entrypoint: string;
  /** A Ray image pinned by tag. */
  readonly image: string;
  readonly workers: number;
  readonly gpusPerWorker: number;
  readonly accelerator: Accelerator;
  /** The ServiceAccount the pods run as; it must be defined in the program. */
  readonly serviceAccountName: string;
}

/** A Ray cluster that runs one entrypoint and goes away, with GPU workers placed from the profile. */
export class RayBatchJob extends Construct implements PlatformWorkload {
  public readonly name: string;
  public readonly namespace: string;
  public readonly clusterName: string;
  public readonly rayJob: ApiObject;

  constructor(scope: Construct, id: string, private readonly props: RayBatchJobProps) {
    super(scope, id);
    this.name = id;
    // The cluster and namespace come from the tenant chart, as for the library's own workloads.
    const { cluster, namespace } = resolveWorkloadScope(this, {}, Problems.of(this));
    this.namespace = namespace;
    this.clusterName = cluster.name;
    const placement = cluster.placementFor(props.accelerator);
    if (!placement) {
      Problems.of(this).add({ code: 'ACCELERATOR_NOT_IN_CLUSTER', message: `No pool of ${cluster.name} has ${props.accelerator}.`, received: props.accelerator.id, fix: 'add a GPU pool with that accelerator.' });
    }
    const pod = (name: string, gpus: number) => ({
      metadata: { labels: { 'app.kubernetes.io/name': this.name } },
      spec: {
        serviceAccountName: props.serviceAccountName,
        automountServiceAccountToken: false,
        securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
        ...(gpus > 0 && placement ? { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations } : {}),
        volumes: [TMP_VOLUME],
        containers: [{
          name,
          image: props.image,
          env: [{ name: 'HOME', value: '/tmp' }],
          resources: {
            requests: { cpu: cpuQuantity(4), memory: memoryQuantity(16), ...(gpus > 0 ? { 'nvidia.com/gpu': String(gpus) } : {}) },
            limits: { cpu: cpuQuantity(4), memory: memoryQuantity(16), ...(gpus > 0 ? { 'nvidia.com/gpu': String(gpus) } : {}) },
          },
          securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
          volumeMounts: [TMP_MOUNT],
        }],
      },
    });
    this.rayJob = new ApiObject(this, 'rayjob', {
      apiVersion: 'ray.io/v1',
      kind: 'RayJob',
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        entrypoint: props.entrypoint,
        shutdownAfterJobFinishes: true,
        rayClusterSpec: {
          headGroupSpec: { rayStartParams: {}, template: pod('ray-head', 0) },
          workerGroupSpecs: [{ groupName: 'gpu', replicas: props.workers, minReplicas: props.workers, maxReplicas: props.workers, rayStartParams: {}, template: pod('ray-worker', props.gpusPerWorker) }],
        },
      },
    });
  }

  public fixedGpuDemand(): number {
    return this.props.workers * this.props.gpusPerWorker;
  }

  public references(): WorkloadReferences {
    return { serviceAccounts: [this.props.serviceAccountName], persistentVolumeClaims: [], secrets: [], priorityClasses: [] };
  }
}

/** The cluster as it exists already, written by hand: two L4 nodes labelled by the platform team. */
export const EXISTING_CLUSTER = ClusterProfile.fromJson({
  cloud: 'on-prem',
  name: 'lab',
  kubernetesVersion: '1.33',
  capabilities: { devicePluginRequired: false, managedGpuDrivers: false, extendedResourceToleration: false, networkPolicyEnforced: true, workloadIdentity: false },
  pools: [
    { name: 'cpu', machineType: 'r650', gpusPerNode: 0, minNodes: 3, maxNodes: 3, spot: false, labels: {}, taints: [], devicePluginRequired: false },
    {
      name: 'l4', machineType: 'r760xa', accelerator: 'nvidia-l4', gpusPerNode: 4, minNodes: 2, maxNodes: 2, spot: false,
      labels: { 'ml-platform.io/accelerator': 'nvidia-l4' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }], devicePluginRequired: false,
    },
  ],
});

export function buildCustomWorkload(kubernetes: K8sApp, tenantGpus = 8): ClusterCharts {
  const charts = new ClusterCharts(kubernetes, EXISTING_CLUSTER);
  new MlPlatform(charts.platform, 'platform', {});
  const research = charts.tenant('research');
  const tenant = new Tenant(research, 'tenant', { quota: { gpus: tenantGpus }, editorGroups: ['research-engineers'] });
  tenant.addServiceAccount('ray');
  new RayBatchJob(research, 'nightly-scoring', {
    entrypoint: 'python score.py',
    image: 'rayproject/ray:2.40.0-py311-gpu',
    workers: 2,
    gpusPerWorker: 4,
    accelerator: Accelerator.NVIDIA_L4,
    serviceAccountName: 'ray',
  });
  return charts;
}

if (require.main === module) {
  const kubernetes = new K8sApp({ outdir: 'dist/custom-workload' });
  buildCustomWorkload(kubernetes);
  synthPlatformOrExit({ kubernetes });
}
