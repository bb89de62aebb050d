import { ClusterProfile } from '../core/cluster-profile';
import { checkName, DNS_LABEL } from '../core/names';
import { checkArguments, shapeProblems, throwProblems } from '../core/props-shape';
import { Problem } from '../core/validation';
import { NamedObject, nameOf } from '../k8s/pod-template';

/** The environment variable that tells training code where to write checkpoints. */
export const CHECKPOINT_ENV = 'CHECKPOINT_DIR';

const BUCKET_URI = /^([a-z0-9]+):\/\/[a-z0-9][-a-z0-9._@]*[a-z0-9](\/.*)?$/;
/** Schemes the stock TensorFlow 2.21 images open by themselves. */
const TENSORFLOW_SCHEMES = ['gs'];
/** Why TensorFlow cannot write to a scheme, for the message. */
const SCHEME_GAPS: Readonly<Record<string, string>> = {
  s3: 'TensorFlow has had no s3:// file system since 2.6 (it moved to tensorflow-io), and Mountpoint for Amazon S3 cannot rename files, which checkpoint writing needs',
  az: 'TensorFlow has no Azure Blob file system',
  abfss: 'abfss:// is a Hadoop scheme, not a TensorFlow one',
};

/** Options of {@link TrainingCheckpoint.bucket}. */
export interface BucketCheckpointOptions {
  /**
   * The job's image opens this scheme itself (e.g. it has tensorflow-io for `s3://`). The cluster
   * must still list the store in its profile, and the job needs a cloud identity.
   * @default false
   */
  readonly imageReadsScheme?: boolean;
}

/** What a checkpoint's checks need to know of the job. */
export interface CheckpointContext {
  /** The pods run as a ServiceAccount with a cloud identity. */
  readonly identity: boolean;
}

/** Where a training job keeps its checkpoints. */
export class TrainingCheckpoint {
  /**
   * An object-store prefix that TensorFlow writes to directly (`gs://` on stock images), reached
   * through the job's cloud identity. Stores the pods cannot reach, or TensorFlow cannot write, are
   * refused at synth with the fix.
   */
  public static bucket(uri: string, options: BucketCheckpointOptions = {}): TrainingCheckpoint {
    checkArguments('TrainingCheckpoint.bucket', { uri, options }, { uri: 'string', options: { fields: { imageReadsScheme: 'boolean' } } }, ['uri']);
    return new TrainingCheckpoint(uri, undefined, options.imageReadsScheme ?? false);
  }

  /**
   * A PersistentVolumeClaim (ReadWriteMany, since every pod mounts it) mounted at `mountPath`: its
   * name, or a cdk8s-plus `PersistentVolumeClaim` (or anything with a `name`).
   * @param mountPath @default '/checkpoints'
   */
  public static volume(claim: NamedObject, mountPath = '/checkpoints'): TrainingCheckpoint {
    const problems = shapeProblems({ claim, mountPath }, { claim: { anyOf: ['string', 'object'] }, mountPath: 'string' }, ['claim'], 'arguments');
    if (problems.length === 0 && typeof nameOf(claim) !== 'string') problems.push({ code: 'PROP_TYPE_INVALID', message: 'arguments.claim must be a claim name or an object with a name.', received: claim, fix: 'pass the PersistentVolumeClaim\'s name, or a cdk8s-plus claim.' });
    throwProblems('TrainingCheckpoint.volume', problems);
    return new TrainingCheckpoint(mountPath, nameOf(claim), false);
  }

  private constructor(
    /** The value of CHECKPOINT_DIR: the URI, or the mount path of the claim. */
    public readonly location: string,
    public readonly claimName: string | undefined,
    private readonly imageReadsScheme: boolean,
  ) {}

  /** The URI scheme of a bucket checkpoint (`gs`), undefined for a volume. */
  public get scheme(): string | undefined {
    return this.claimName === undefined ? BUCKET_URI.exec(this.location)?.[1] : undefined;
  }

  /**
   * The checkpoint's problems on `cluster`, for the training job that uses it.
   * @internal
   */
  public problems(cluster: ClusterProfile, context: CheckpointContext): Problem[] {
    if (this.claimName !== undefined) {
      const mountOk = /^\/[^:]*$/.test(this.location) && this.location !== '/' && this.location !== '/tmp';
      return [
        ...checkName(this.claimName, DNS_LABEL, 'CHECKPOINT_CLAIM_INVALID'),
        ...(mountOk ? [] : [{ code: 'CHECKPOINT_MOUNT_INVALID', message: 'The checkpoint mount path must be an absolute path other than / and /tmp.', received: this.location, fix: 'use a path such as /checkpoints.' }]),
      ];
    }
    const scheme = this.scheme;
    const volumeFix = 'or keep checkpoints on a ReadWriteMany volume: TrainingCheckpoint.volume(claimName) with Tenant.addVolumeClaim (EFS, Azure Files, Filestore).';
    if (scheme === undefined) {
      return [{ code: 'CHECKPOINT_URI_INVALID', message: 'The checkpoint location is not an object-store URI.', received: this.location, fix: `use <scheme>://bucket/prefix with a store the cluster reads (${storeList(cluster)}), ${volumeFix}` }];
    }
    const native = TENSORFLOW_SCHEMES.includes(scheme);
    if (!native && !this.imageReadsScheme) {
      return [{
        code: 'CHECKPOINT_SCHEME_UNSUPPORTED',
        message: `${SCHEME_GAPS[scheme] ?? `TensorFlow has no ${scheme}:// file system`}, so the job could not save a checkpoint.`,
        received: this.location,
        fix: `use a gs:// bucket on a cluster that reads Cloud Storage, use an image that opens ${scheme}:// with { imageReadsScheme: true }, ${volumeFix}`,
      }];
    }
    if (!cluster.objectStore(scheme)) {
      return [{
        code: 'CHECKPOINT_STORE_UNREACHABLE',
        message: `Pods of cluster "${cluster.name}" cannot reach ${scheme}:// buckets with their identity; the profile lists ${storeList(cluster)}.`,
        received: this.location,
        fix: `use a bucket of the cluster's own store, ${volumeFix}`,
      }];
    }
    if (!context.identity) {
      return [{
        code: 'CHECKPOINT_IDENTITY_MISSING',
        message: `The job writes checkpoints to ${this.location} but its pods have no cloud identity, so every write is refused.`,
        received: this.location,
        fix: 'set cloudIdentity on the job (its own ServiceAccount is annotated), or serviceAccountName of one from Tenant.identities.',
      }];
    }
    return [];
  }
}

function storeList(cluster: ClusterProfile): string {
  const schemes = cluster.facts.objectStores.map((s) => `${s.scheme}://`);
  return schemes.length > 0 ? schemes.join(', ') : 'no object store';
}
