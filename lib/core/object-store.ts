/**
 * Object-store URIs as workloads write them: `gs://bucket/path`, `s3://bucket/path` and
 * `az://<account>/<container>/path`. Which of them a cluster's pods can read is a fact of its
 * profile (`facts.objectStores`); this module only reads the URI.
 */

/**
 * The schemes TensorFlow 2.21 opens itself (besides local paths): Cloud Storage only. `s3://` moved
 * to tensorflow-io with TensorFlow 2.6, and Azure Blob was never a TensorFlow file system.
 */
export const TENSORFLOW_NATIVE_SCHEMES: readonly string[] = ['gs'];

/** The bucket stores the library knows how to address: `gs://bucket/path`, `s3://bucket/path`, `az://account/container/path`. */
export const STORE_SCHEMES = ['gs', 's3', 'az'];

/** A bucket URI, split. */
export interface BucketUri {
  readonly scheme: string;
  /** The bucket, or for `az` the container. */
  readonly bucket: string;
  /** The storage account, for `az`. @default - none */
  readonly account?: string;
  /** The path inside the bucket, without leading or trailing `/`. */
  readonly prefix: string;
}

const URI = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const AZ_ACCOUNT = /^[a-z0-9]{3,24}$/;

/** The URI's parts; `undefined` for a plain path; a string saying what is wrong for a bad URI. */
export function parseBucketUri(uri: string): BucketUri | string | undefined {
  const match = URI.exec(uri);
  if (!match) return undefined;
  const [, scheme, rest] = match;
  if (!STORE_SCHEMES.includes(scheme)) {
    return `"${scheme}://" is not an object store the library reads; use gs://bucket/path, s3://bucket/path or az://account/container/path (abfss:// is not a TensorFlow scheme).`;
  }
  const parts = rest.split('/').filter((p) => p !== '');
  const account = scheme === 'az' ? parts.shift() : undefined;
  const bucket = parts.shift();
  if (scheme === 'az' && (!account || !AZ_ACCOUNT.test(account))) return `"${uri}" does not start with a storage account: az://<account>/<container>/<path>.`;
  if (!bucket || !BUCKET.test(bucket)) return `"${uri}" does not name a valid ${scheme === 'az' ? 'container' : 'bucket'}.`;
  return { scheme, bucket, account, prefix: parts.join('/') };
}

