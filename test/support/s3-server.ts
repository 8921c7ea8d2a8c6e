/**
 * A real S3-compatible server for integration tests: S3Proxy with its filesystem backend, run by
 * `scripts/s3proxy.mjs`.
 *
 * {@link ensureS3} starts the shared server (once per machine: the script's lock file makes
 * concurrent starts from parallel test files safe), points this process's AWS SDK at it through
 * the standard `AWS_*` variables, and returns it — or, outside CI, when Java or Maven is missing,
 * a reason to skip. {@link startPrivateS3} starts a server of a test's own, to restart or stop.
 *
 * @example
 * ```ts
 * const s3 = await ensureS3();
 * describe('my s3 test', { skip: 'skip' in s3 ? s3.skip : false }, () => {
 *   it('works', async () => {
 *     const root = `s3://${(s3 as S3Server).bucket}/${uniquePrefix('job')}`;
 *   });
 * });
 * ```
 *
 * @module
 */
import { freePort } from './free-port.ts';
import { rm } from 'node:fs/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { missingJavaTools, runServiceScript, type ServerSkip } from './java-service.ts';

/** A running server with a bucket for tests. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** A bucket that exists. */
  readonly bucket: string;
  /** `AWS_*` variables that point the SDK (and child processes) at this server. */
  readonly env: Readonly<Record<string, string>>;
}

/** A server of one test file's own. */
export interface PrivateS3Server extends S3Server {
  /** Stops the server (objects are kept). */
  stop(): Promise<void>;
  /** Starts it again after {@link PrivateS3Server.stop}, with the same objects. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** Why S3 tests are skipped here. */
export type S3Skip = ServerSkip;

// As in src/storage/s3-blob-store.ts: no warning about Node.js versions of later SDK releases.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** The bucket every test uses (each under its own prefix). */
export const TEST_BUCKET = 'eddy-test';

let shared: Promise<S3Server | S3Skip> | undefined;

function envFor(port: number): Record<string, string> {
  // The same values as `node scripts/s3proxy.mjs env`.
  return {
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'eddy',
    AWS_SECRET_ACCESS_KEY: 'eddy-local-secret',
    AWS_REGION: 'us-east-1',
  };
}

function missingPrerequisites(): S3Skip | undefined {
  return missingJavaTools('S3 tests', 'run node scripts/s3proxy.mjs start');
}

/** Creates `bucket` on the server at `endpoint` (an existing one is fine). */
export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const env = envFor(Number(new URL(endpoint).port));
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: env['AWS_ACCESS_KEY_ID'] as string,
      secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] as string,
    },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const name = (e as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  } finally {
    client.destroy();
  }
}

async function startShared(): Promise<S3Server | S3Skip> {
  const skip = missingPrerequisites();
  if (skip !== undefined) return skip;
  const port = Number(process.env['EDDY_S3PROXY_PORT'] || '39700');
  await runServiceScript('s3proxy.mjs', 'start');
  const env = envFor(port);
  Object.assign(process.env, env);
  const endpoint = env['AWS_ENDPOINT_URL_S3'] as string;
  await createBucket(endpoint, TEST_BUCKET);
  return { endpoint, bucket: TEST_BUCKET, env };
}

/**
 * Makes sure the shared server runs, with {@link TEST_BUCKET}, and sets this process's `AWS_*`
 * variables to reach it; or a skip reason outside CI when Java or Maven is missing. The server
 * is left running for the other test files (`node scripts/s3proxy.mjs stop` stops it).
 */
export function ensureS3(): Promise<S3Server | S3Skip> {
  shared ??= startShared();
  return shared;
}

/**
 * Starts a server of its own on a free port with its objects in `dataDir`, for tests that stop
 * or restart it (the shared one must stay up for the test files running at the same time). Does
 * not touch `process.env`: pass `env` to child processes, or `endpoint` as an option.
 */
export async function startPrivateS3(dataDir: string): Promise<PrivateS3Server | S3Skip> {
  const skip = missingPrerequisites();
  if (skip !== undefined) return skip;
  const port = await freePort();
  const scriptEnv = { EDDY_S3PROXY_PORT: String(port), EDDY_S3PROXY_DATA: dataDir };
  await runServiceScript('s3proxy.mjs', 'start', scriptEnv);
  const env = envFor(port);
  const endpoint = env['AWS_ENDPOINT_URL_S3'] as string;
  await createBucket(endpoint, TEST_BUCKET);
  return {
    endpoint,
    bucket: TEST_BUCKET,
    env,
    stop: async () => {
      await runServiceScript('s3proxy.mjs', 'stop', scriptEnv);
    },
    start: async () => {
      await runServiceScript('s3proxy.mjs', 'start', scriptEnv);
    },
    destroy: async () => {
      await runServiceScript('s3proxy.mjs', 'stop', scriptEnv);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A key prefix unique to this process and call. */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
