/**
 * Where a serving pod finds its models. A bucket URI is read through the cluster's CSI driver for
 * that store, mounted read-only with the pod's own workload identity, and `base_path` becomes the
 * path inside the mount. What the cluster can read comes from its profile (`facts.objectStores`),
 * never from the cloud's name.
 */
import { createHash } from 'crypto';
import { ClusterProfile } from '../core/cluster-profile';
import { RESTRICTED_USER_ID } from '../core/pod-security';
import { BucketUri, parseBucketUri } from '../core/object-store';
import { checkArguments } from '../core/props-shape';
import { Problem } from '../core/validation';
import * as k8s from '../imports/k8s';
import { KubeObjectSpec, kubeObjectSpec } from '../k8s/kube-object';
import { ServedModel } from './model-config';

/** Where bucket mounts appear in serving pods. */
export const MODEL_STORE_ROOT = '/model-stores';

/**
 * The URI schemes stock TF Serving images open themselves: Cloud Storage only. TF Serving has had no
 * `s3://` file system since 2.7 (tensorflow/serving#1963) and never had Azure Blob.
 */
export const TF_SERVING_NATIVE_SCHEMES: readonly string[] = ['gs'];

/** How serving pods reach models in buckets. */
export class ModelDelivery {
  /** Mount each bucket read-only through the CSI driver the cluster profile names for its store (the default). */
  public static csiMount(): ModelDelivery {
    return new ModelDelivery([]);
  }

  /**
   * The image opens these URI schemes itself, e.g. a TF Serving build with tensorflow-io for `s3`;
   * base paths stay URIs. An explicit opt-out of the mount: the stock image cannot do this.
   */
  public static imageReads(...schemes: string[]): ModelDelivery {
    checkArguments('ModelDelivery.imageReads', { schemes }, { schemes: { arrayOf: 'string' } }, []);
    return new ModelDelivery(schemes);
  }

  private constructor(
    /** Schemes the image reads directly. */
    public readonly directSchemes: readonly string[],
  ) {}
}

/** What a store adds to the pod: a volume, pod annotations, and objects outside the pod. */
interface StoreMount {
  readonly volume: k8s.Volume;
  readonly podAnnotations: Record<string, string>;
  readonly objects: KubeObjectSpec[];
}

interface MountContext {
  readonly uri: BucketUri;
  readonly volumeName: string;
  readonly identity: string;
  readonly stack: string;
  readonly namespace: string;
}

/** Each CSI driver's own volume API, by driver name (the name the profile states). */
const DRIVERS: Record<string, (ctx: MountContext) => StoreMount> = {
  // Cloud Storage FUSE: a CSI ephemeral volume; GKE injects the gcsfuse sidecar into pods with the
  // annotation, which reads with the pod's Kubernetes ServiceAccount through Workload Identity.
  'gcsfuse.csi.storage.gke.io': ({ uri, volumeName }) => ({
    volume: { name: volumeName, csi: { driver: 'gcsfuse.csi.storage.gke.io', readOnly: true, volumeAttributes: { bucketName: uri.bucket, mountOptions: 'implicit-dirs' } } },
    podAnnotations: { 'gke-gcsfuse/volumes': 'true' },
    objects: [],
  }),
  // Mountpoint for Amazon S3: static PersistentVolumes only; `authenticationSource: pod` makes the
  // driver use the pod's IRSA role instead of its own.
  's3.csi.aws.com': ({ uri, volumeName, stack, namespace }) => {
    const claim = `${stack}-${volumeName}`;
    const volume = `${namespace}-${claim}`;
    const size = { storage: k8s.Quantity.fromString('1Gi') };
    return {
      volume: { name: volumeName, persistentVolumeClaim: { claimName: claim, readOnly: true } },
      podAnnotations: {},
      objects: [
        kubeObjectSpec(k8s.KubePersistentVolume.GVK, k8s.toJson_KubePersistentVolumeProps, {
          metadata: { name: volume },
          spec: {
            capacity: size,
            accessModes: ['ReadOnlyMany'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: '',
            claimRef: { namespace, name: claim },
            mountOptions: ['read-only', 'allow-other', `uid=${RESTRICTED_USER_ID}`, `gid=${RESTRICTED_USER_ID}`],
            csi: { driver: 's3.csi.aws.com', volumeHandle: volume, volumeAttributes: { bucketName: uri.bucket, authenticationSource: 'pod' } },
          },
        }),
        kubeObjectSpec(k8s.KubePersistentVolumeClaim.GVK, k8s.toJson_KubePersistentVolumeClaimProps, {
          metadata: { name: claim, namespace },
          spec: { accessModes: ['ReadOnlyMany'], storageClassName: '', volumeName: volume, resources: { requests: size } },
        }),
      ],
    };
  },
  // Azure Blob (blobfuse2): an inline volume mounted with the workload identity token only, so the
  // identity needs Storage Blob Data Reader and no account key is fetched.
  'blob.csi.azure.com': ({ uri, volumeName, identity }) => ({
    volume: {
      name: volumeName,
      csi: {
        driver: 'blob.csi.azure.com',
        readOnly: true,
        volumeAttributes: {
          protocol: 'fuse2', storageAccount: uri.account!, containerName: uri.bucket, clientID: identity,
          mountWithWorkloadIdentityToken: 'true', mountOptions: '-o allow_other',
        },
      },
    },
    podAnnotations: {},
    objects: [],
  }),
};

/** The result of placing a stack's models: base paths as pods see them, and what the pod needs for it. */
export interface ModelStorePlan {
  /** Each model's base path as written → as the pod sees it. */
  readonly basePaths: ReadonlyMap<string, string>;
  readonly volumes: readonly k8s.Volume[];
  readonly volumeMounts: readonly k8s.VolumeMount[];
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly objects: StoreMount['objects'];
  /** Whether any model is read from a bucket. */
  readonly readsBuckets: boolean;
}

export interface ModelStoreInputs {
  readonly models: readonly ServedModel[];
  readonly cluster: ClusterProfile;
  readonly delivery: ModelDelivery;
  /** The stack's cloud identity. @default - none: buckets are refused */
  readonly identity?: string;
  readonly stack: string;
  readonly namespace: string;
  /** The mount path of the stack's model PVC, when it has one. @default - none */
  readonly volumeMountPath?: string;
}

/** Places every model: a bucket mount, a direct read, or a path on the model volume; records what cannot work. */
export function planModelStores(inputs: ModelStoreInputs, add: (p: Problem) => void): ModelStorePlan {
  const { cluster, delivery, identity } = inputs;
  const basePaths = new Map<string, string>();
  const mounts = new Map<string, { volumeName: string; mountPath: string; mount: StoreMount }>();
  let readsBuckets = false;
  for (const model of inputs.models) {
    const uri = parseBucketUri(model.basePath);
    if (typeof uri === 'string') {
      add({ code: 'MODEL_PATH_INVALID', message: `Model "${model.name}": ${uri}`, received: model.basePath, fix: 'write the base path as gs://bucket/path, s3://bucket/path or az://account/container/path.' });
      continue;
    }
    if (uri === undefined) {
      const root = inputs.volumeMountPath;
      if (root === undefined || !model.basePath.startsWith(`${root}/`)) {
        add({ code: 'MODEL_PATH_INVALID', message: `Model "${model.name}" is neither a bucket URI nor under the model volume.`, received: model.basePath, fix: `use a bucket URI of the cluster's store, or set modelVolume and a base path under ${root ?? '/models'}/.` });
      }
      basePaths.set(model.basePath, model.basePath);
      continue;
    }
    readsBuckets = true;
    const store = cluster.facts.objectStores.find((s) => s.scheme === uri.scheme);
    const readable = cluster.facts.objectStores.map((s) => `${s.scheme}://`).join(', ') || 'none';
    if (!store) {
      add({
        code: 'MODEL_STORE_NOT_READABLE',
        message: `Model "${model.name}" is in a ${uri.scheme}:// bucket, which pods of cluster "${cluster.name}" cannot read with their identity (its profile lists ${readable}).`,
        received: model.basePath,
        fix: `copy the model to the cluster's own store (${readable}), or state the store in the profile's facts.objectStores if the cluster really reads it.`,
      });
      continue;
    }
    if (!identity) {
      add({ code: 'BUCKET_WITHOUT_IDENTITY', message: `Model "${model.name}" is read from a bucket, but the stack has no cloud identity to read it with.`, received: model.basePath, fix: 'set cloudIdentity to the identity that may read the bucket (workload identity).' });
      continue;
    }
    if (delivery.directSchemes.includes(uri.scheme)) {
      basePaths.set(model.basePath, model.basePath);
      continue;
    }
    const driver = store.csiDriver ? DRIVERS[store.csiDriver] : undefined;
    if (!driver) {
      if (TF_SERVING_NATIVE_SCHEMES.includes(uri.scheme) && store.csiDriver === undefined) {
        basePaths.set(model.basePath, model.basePath);
        continue;
      }
      add({
        code: 'MODEL_STORE_NOT_READABLE',
        message: store.csiDriver
          ? `Model "${model.name}": the profile names CSI driver "${store.csiDriver}" for ${uri.scheme}://, whose volumes the library cannot write.`
          : `Model "${model.name}": TF Serving cannot open ${uri.scheme}:// itself, and cluster "${cluster.name}" runs no CSI driver for it.`,
        received: model.basePath,
        fix: `name one of ${Object.keys(DRIVERS).join(', ')} for ${uri.scheme} in the profile's facts.objectStores, or use ModelDelivery.imageReads('${uri.scheme}') with an image built to read it.`,
      });
      continue;
    }
    const key = `${uri.scheme}://${uri.account ? `${uri.account}/` : ''}${uri.bucket}`;
    let entry = mounts.get(key);
    if (!entry) {
      // Named after the bucket: a PersistentVolume's source is immutable, so another bucket must be another object.
      const volumeName = `store-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
      const mountPath = `${MODEL_STORE_ROOT}/${uri.account ? `${uri.account}-` : ''}${uri.bucket}`;
      entry = { volumeName, mountPath, mount: driver({ uri, volumeName, identity, stack: inputs.stack, namespace: inputs.namespace }) };
      mounts.set(key, entry);
    }
    basePaths.set(model.basePath, uri.prefix ? `${entry.mountPath}/${uri.prefix}` : entry.mountPath);
  }
  const all = [...mounts.values()];
  return {
    basePaths,
    volumes: all.map((m) => m.mount.volume),
    volumeMounts: all.map((m) => ({ name: m.volumeName, mountPath: m.mountPath, readOnly: true })),
    podAnnotations: Object.assign({}, ...all.map((m) => m.mount.podAnnotations)),
    objects: all.flatMap((m) => m.mount.objects),
    readsBuckets,
  };
}
