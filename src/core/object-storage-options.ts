/**
 * How Eddy reaches S3-compatible object storage for `s3://bucket/prefix` paths (checkpoint and
 * savepoint directories, the platform's artifacts). Plain data, so it crosses worker threads.
 *
 * Credentials never go here: they come from the standard AWS chain (`AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, `AWS_PROFILE` and `~/.aws`, instance roles), as
 * for every AWS tool.
 *
 * @module
 */

/** Settings of S3-compatible object storage; every field has a default. */
export interface ObjectStorageOptions {
  /**
   * The S3 endpoint, e.g. `http://127.0.0.1:9000` for S3Proxy or MinIO (CLI `--s3-endpoint`).
   * Default: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS itself.
   */
  readonly endpoint?: string;
  /** Region for signing. Default: `AWS_REGION` / `AWS_DEFAULT_REGION`, else `us-east-1`. */
  readonly region?: string;
  /**
   * Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`. Default: true when
   * an endpoint is configured (S3-compatible servers mostly need it), false on AWS.
   */
  readonly forcePathStyle?: boolean;
  /** Tries per request on throttling, 5xx answers and network errors (default 8). */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled per retry with jitter (default 100). */
  readonly retryBaseDelayMs?: number;
  /** Longest retry delay in ms (default 5000). */
  readonly retryMaxDelayMs?: number;
  /** Objects of at least this many bytes are uploaded in parts (default 16 MiB; at least 5 MiB). */
  readonly multipartThreshold?: number;
  /** Size of each part of a multipart upload (default 8 MiB; at least 5 MiB, S3's minimum). */
  readonly partSize?: number;
}
