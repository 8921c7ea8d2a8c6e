/**
 * The {@link BlobStore} on S3 or an S3-compatible server (S3Proxy, MinIO, Ceph), through
 * `@aws-sdk/client-s3`. Loaded only when an `s3://` path is used (see `open-blob-store.ts`), so
 * jobs that never touch object storage never load the SDK.
 *
 * - A PUT is atomic on S3; objects of `multipartThreshold` bytes or more go up as a multipart
 *   upload, which is invisible until its completion and aborted when a part fails for good.
 * - Every request is retried with backoff on throttling, 5xx answers and network errors
 *   (`with-retries.ts`); the SDK's own retries are off so that one policy, with its log lines,
 *   applies everywhere.
 * - Errors say what to change: a missing bucket, refused credentials, an unreachable endpoint.
 *
 * @module
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ObjectStorageOptions } from '../core/object-storage-options.ts';
import { EddyError, userError } from '../errors/eddy-error.ts';
import { checkBlobKey, type BlobStore } from './blob-store.ts';
import { describeError, withRetries, type RetryPolicy } from './with-retries.ts';

// Eddy pins an SDK release that supports Node.js 20; the SDK's warning that *later* releases
// will not would only confuse Eddy's users on every command. A user's own setting wins.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const MIB = 1024 * 1024;
/** S3's smallest part (all but the last part of a multipart upload). */
const MIN_PART = 5 * MIB;
const PARALLEL_PARTS = 4;
const PARALLEL_DELETES = 8;

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

/** The parts of an `s3://bucket/prefix` URI. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix of the root, empty or ending in `/`. */
  readonly prefix: string;
}

/** Parses `s3://bucket[/prefix]`; throws a user error naming what is wrong. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = m?.[1];
  if (m === null || bucket === undefined || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw userError('INVALID_ARGUMENT', `"${uri}" is not an s3://bucket/prefix URI`, {
      hint: 'write s3://<bucket>/<prefix>, with a bucket name of 3-63 lowercase letters, digits, "." or "-"',
    });
  }
  const path = (m[2] ?? '').replace(/\/+$/, '');
  if (path !== '') checkBlobKey(path, 'prefix');
  return { bucket, prefix: path === '' ? '' : `${path}/` };
}

/** The status code of an SDK error, when it got an answer. */
function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(e: unknown): string {
  return e instanceof Error ? e.name : '';
}

/** Whether an S3 request that failed with `e` may succeed when sent again. */
export function isRetryableS3Error(e: unknown): boolean {
  if (e instanceof EddyError) return false;
  const status = statusOf(e);
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return true;
  if (RETRYABLE_NAMES.has(nameOf(e))) return true;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  // Connection failures arrive without an answer, sometimes wrapped (fetch's `cause`).
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && cause !== e && status === undefined && isRetryableS3Error(cause);
}

/** A client error with a hint, for failures that retrying cannot fix. */
function explain(e: unknown, what: string, uri: string, bucket: string): unknown {
  if (e instanceof EddyError) return e;
  const name = nameOf(e);
  const status = statusOf(e);
  if (name === 'NoSuchBucket') {
    return userError('INVALID_ARGUMENT', `${what}: bucket "${bucket}" does not exist`, {
      cause: e,
      hint: `create the bucket, or fix the bucket name in ${uri}`,
    });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new EddyError(`${what}: no such object`, {
      code: 'NOT_FOUND',
      domain: 'external',
      cause: e,
    });
  }
  if (
    name === 'CredentialsProviderError' ||
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    status === 401 ||
    status === 403
  ) {
    return userError('INVALID_ARGUMENT', `${what}: access refused (${describeError(e)})`, {
      cause: e,
      hint:
        'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to credentials that may ' +
        `read and write ${uri}`,
    });
  }
  if (name === 'NotImplemented' || status === 501) {
    return userError('INVALID_ARGUMENT', `${what}: the server does not implement it`, {
      cause: e,
      hint: 'use an S3-compatible server that supports multipart uploads and ListObjectsV2',
    });
  }
  return e;
}

/** A {@link BlobStore} under `s3://bucket/prefix`. */
export class S3BlobStore implements BlobStore {
  readonly uri: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly policy: RetryPolicy;
  private readonly threshold: number;
  private readonly partSize: number;

  /**
   * Opens `uri` with `options` (endpoint, region, retries, part sizes); `log` is told of every
   * retry. `client` replaces the client built from the options (tests).
   */
  constructor(
    uri: string,
    options: ObjectStorageOptions = {},
    log?: (message: string) => void,
    private readonly client: S3Client = createS3Client(options),
  ) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}${prefix === '' ? '' : `/${prefix.slice(0, -1)}`}`;
    this.partSize = options.partSize ?? 8 * MIB;
    this.threshold = options.multipartThreshold ?? 16 * MIB;
    if (this.partSize < MIN_PART || this.threshold < MIN_PART) {
      throw userError(
        'INVALID_ARGUMENT',
        `objectStorage.partSize and multipartThreshold must be at least ${MIN_PART} bytes (5 MiB)`,
        { hint: 'S3 refuses parts smaller than 5 MiB (except the last one)' },
      );
    }
    this.policy = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.retryBaseDelayMs ?? 100,
      maxDelayMs: options.retryMaxDelayMs ?? 5000,
      isRetryable: isRetryableS3Error,
      ...(log !== undefined ? { onRetry: log } : {}),
    };
  }

  uriOf(key: string): string {
    return key === '' ? this.uri : `${this.uri}/${key}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const fullKey = this.prefix + checkBlobKey(key);
    if (data.byteLength >= this.threshold) return this.putMultipart(key, fullKey, data);
    return this.request(`writing ${this.uriOf(key)}`, async () => {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: fullKey,
          Body: data,
          ContentLength: data.byteLength,
        }),
      );
    });
  }

  async get(key: string): Promise<Uint8Array> {
    const fullKey = this.prefix + checkBlobKey(key);
    // The body is read inside the retried request: a connection reset mid-body retries too.
    return this.request(`reading ${this.uriOf(key)}`, async () => {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      if (r.Body === undefined) return new Uint8Array(0);
      return r.Body.transformToByteArray();
    });
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.request(`listing ${this.uriOf(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        // Some servers list "directory" placeholders (keys ending in '/'): not objects.
        if (o.Key !== undefined && !o.Key.endsWith('/')) keys.push(o.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.prefix + checkBlobKey(key);
    return this.request(`deleting ${this.uriOf(key)}`, async () => {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix === '') throw new Error('deletePrefix needs a non-empty prefix');
    const keys = await this.list(prefix);
    await inParallel(keys.length, PARALLEL_DELETES, (i) => this.delete(keys[i] as string));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async request<T>(what: string, send: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await withRetries(what, this.policy, send);
    } catch (e) {
      throw explain(e, what, this.uri, this.bucket);
    }
  }

  private async putMultipart(key: string, fullKey: string, data: Uint8Array): Promise<void> {
    const what = `writing ${this.uriOf(key)}`;
    const Bucket = this.bucket;
    const created = await this.request(`${what} (starting a multipart upload)`, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: fullKey })),
    );
    const UploadId = created.UploadId;
    if (UploadId === undefined) throw new Error(`${what}: the server returned no upload id`);
    const count = Math.ceil(data.byteLength / this.partSize);
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    try {
      await inParallel(count, PARALLEL_PARTS, async (i) => {
        const body = data.subarray(
          i * this.partSize,
          Math.min(data.byteLength, (i + 1) * this.partSize),
        );
        const r = await this.request(`${what} (part ${i + 1} of ${count})`, () =>
          this.client.send(
            new UploadPartCommand({
              Bucket,
              Key: fullKey,
              UploadId,
              PartNumber: i + 1,
              Body: body,
              ContentLength: body.byteLength,
            }),
          ),
        );
        parts[i] = { PartNumber: i + 1, ETag: r.ETag };
      });
      await this.request(`${what} (completing the multipart upload)`, async (attempt) => {
        try {
          await this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key: fullKey,
              UploadId,
              MultipartUpload: { Parts: parts },
            }),
          );
        } catch (e) {
          // A retry after a lost answer finds the upload gone because it completed (S3 says
          // NoSuchUpload, S3Proxy NoSuchKey): the object is there, with the size we sent.
          if (
            attempt > 1 &&
            (nameOf(e) === 'NoSuchUpload' || statusOf(e) === 404) &&
            (await this.sizeOf(fullKey)) === data.byteLength
          )
            return;
          throw e;
        }
      });
    } catch (e) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket, Key: fullKey, UploadId }))
        .catch(() => {}); // best effort: the bucket's lifecycle rule cleans up the rest
      throw e;
    }
  }

  private async sizeOf(fullKey: string): Promise<number | undefined> {
    try {
      const r = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }),
      );
      return r.ContentLength;
    } catch {
      return undefined;
    }
  }
}

/** An S3 client for `options`, with the SDK's retries off (see the module comment). */
export function createS3Client(options: ObjectStorageOptions): S3Client {
  const env = process.env;
  const endpoint = options.endpoint;
  const endpointConfigured =
    endpoint !== undefined ||
    (env['AWS_ENDPOINT_URL_S3'] ?? '') !== '' ||
    (env['AWS_ENDPOINT_URL'] ?? '') !== '';
  const region =
    options.region ??
    nonEmpty(env['AWS_REGION']) ??
    nonEmpty(env['AWS_DEFAULT_REGION']) ??
    'us-east-1';
  return new S3Client({
    region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? endpointConfigured,
    maxAttempts: 1,
    // S3-compatible servers (S3Proxy, older MinIO and Ceph) refuse the SDK's default CRC32
    // checksum headers; every checkpoint file's sha256 is checked on restore anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A server that accepts the connection and then stalls must fail the request, to be retried.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
  });
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Runs `task(0..count-1)` with at most `width` at a time; on the first failure starts no more,
 * waits for the running ones and rethrows it.
 */
async function inParallel(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
  if (failure !== undefined) throw failure.error;
}
