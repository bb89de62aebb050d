/**
 * The Pod Security "restricted" profile, applied to every pod the library writes. Images must be
 * able to run as a non-root user; the root filesystem is read-only, so writable paths are volumes.
 */
export const RESTRICTED_USER_ID = 1000;

export const RESTRICTED_POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: RESTRICTED_USER_ID,
  runAsGroup: RESTRICTED_USER_ID,
  fsGroup: RESTRICTED_USER_ID,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** A writable /tmp for a read-only root filesystem: the volume and its mount. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: {} } as const;
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' } as const;

// The distribution reference grammar: [host[:port]/]path[:tag][@digest], path components lower-case.
const IMAGE_REFERENCE = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An image reference, well formed, pinned by digest or by a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (typeof image !== 'string' || !IMAGE_REFERENCE.test(image)) return false;
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon > 0 && lastSegment.slice(colon + 1) !== 'latest' && lastSegment.slice(colon + 1).length > 0;
}
