import { checkName, DNS_LABEL } from '../core/names';
import { Problem } from '../core/validation';

/** The environment variable that tells training code where to write checkpoints. */
export const CHECKPOINT_ENV = 'CHECKPOINT_DIR';

const BUCKET_URI = /^(gs|s3|abfss|az):\/\/[a-z0-9][-a-z0-9._]*[a-z0-9](\/.*)?$/;

/** Where a training job keeps its checkpoints. */
export class TrainingCheckpoint {
  /** An object-store prefix (`gs://`, `s3://`, `abfss://`, `az://`), reached through workload identity. */
  public static bucket(uri: string): TrainingCheckpoint {
    return new TrainingCheckpoint(uri, undefined);
  }

  /**
   * A PersistentVolumeClaim (ReadWriteMany, since every pod mounts it) mounted at `mountPath`.
   * @param mountPath @default '/checkpoints'
   */
  public static volume(claimName: string, mountPath = '/checkpoints'): TrainingCheckpoint {
    return new TrainingCheckpoint(mountPath, claimName);
  }

  private constructor(
    /** The value of CHECKPOINT_DIR: the URI, or the mount path of the claim. */
    public readonly location: string,
    public readonly claimName: string | undefined,
  ) {}

  public problems(): Problem[] {
    if (this.claimName !== undefined) {
      const mountOk = /^\/[^:]*$/.test(this.location) && this.location !== '/' && this.location !== '/tmp';
      return [
        ...checkName(this.claimName, DNS_LABEL, 'CHECKPOINT_CLAIM_INVALID'),
        ...(mountOk ? [] : [{ code: 'CHECKPOINT_MOUNT_INVALID', message: 'The checkpoint mount path must be an absolute path other than / and /tmp.', received: this.location, fix: 'use a path such as /checkpoints.' }]),
      ];
    }
    return BUCKET_URI.test(this.location) ? [] : [{
      code: 'CHECKPOINT_URI_INVALID',
      message: 'The checkpoint location is not an object-store URI.',
      received: this.location,
      fix: 'use gs://bucket/prefix, s3://bucket/prefix, abfss://… or az://…, or TrainingCheckpoint.volume(claimName).',
    }];
  }
}
