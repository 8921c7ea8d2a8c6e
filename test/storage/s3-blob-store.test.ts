/**
 * The S3 blob store against a real S3-compatible server (S3Proxy): the conformance suite, then
 * failures injected by a proxy in front of it — throttling, 5xx answers and connection resets
 * are retried with backoff; client errors are not; a multipart upload that fails for good is
 * aborted and never visible; an answer lost after the server completed an upload is recognized.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ObjectStorageOptions } from '../../src/core/object-storage-options.ts';
import { EddyError } from '../../src/errors/eddy-error.ts';
import { S3BlobStore } from '../../src/storage/s3-blob-store.ts';
import { openBlobStore } from '../../src/storage/open-blob-store.ts';
import { startFaultProxy, type Fault, type ProxiedRequest } from '../support/fault-proxy.ts';
import { freePort } from '../support/free-port.ts';
import { ensureS3, uniquePrefix, type S3Server } from '../support/s3-server.ts';
import { runBlobStoreConformance } from './blob-store.conformance.ts';

const MIB = 1024 * 1024;
const s3 = await ensureS3();
const skip = 'skip' in s3 ? s3.skip : false;
const server = s3 as S3Server;
/** Small parts, so 12 MiB goes up as a multipart upload of three parts. */
const PARTS: ObjectStorageOptions = { multipartThreshold: 5 * MIB, partSize: 5 * MIB };

// The endpoint comes from AWS_ENDPOINT_URL_S3 (set by ensureS3), as a user's would.
runBlobStoreConformance(
  'S3 (S3Proxy)',
  async () =>
    openBlobStore(`s3://${server.bucket}/${uniquePrefix('conformance')}`, { objectStorage: PARTS }),
  { skip },
);

/** A store that reaches the server through a fault-injecting proxy applying `rule`. */
async function throughProxy(
  rule: (r: ProxiedRequest) => Fault | undefined,
  options: ObjectStorageOptions = {},
) {
  const proxy = await startFaultProxy(server.endpoint, rule);
  const log: string[] = [];
  const store = new S3BlobStore(
    `s3://${server.bucket}/${uniquePrefix('faults')}`,
    { endpoint: proxy.endpoint, retryBaseDelayMs: 10, retryMaxDelayMs: 100, ...PARTS, ...options },
    (m) => log.push(m),
  );
  return {
    store,
    proxy,
    log,
    [Symbol.asyncDispose]: async () => {
      await store.close();
      await proxy.close();
    },
  };
}

const isUploadPart = (r: ProxiedRequest) => r.method === 'PUT' && r.query.has('partNumber');
const isComplete = (r: ProxiedRequest) => r.method === 'POST' && r.query.has('uploadId');
const isAbort = (r: ProxiedRequest) => r.method === 'DELETE' && r.query.has('uploadId');

describe('S3 blob store under injected failures', { skip }, () => {
  test('throttling, 5xx answers and connection resets are retried until requests pass', async () => {
    // Every other request fails, cycling through the failures S3 is known for.
    const faults: Fault[] = [
      { status: 503, code: 'SlowDown' },
      { status: 500, code: 'InternalError' },
      'reset',
      { status: 503, code: 'ServiceUnavailable' },
    ];
    await using t = await throughProxy((r) =>
      r.index % 2 === 1 ? faults[((r.index - 1) / 2) % faults.length] : undefined,
    );
    const small = new Uint8Array(randomBytes(1000));
    const large = new Uint8Array(randomBytes(11 * MIB));
    await t.store.put('a/small', small);
    await t.store.put('a/large', large);
    assert.deepEqual(await t.store.list('a/'), ['a/large', 'a/small']);
    assert.ok(Buffer.from(await t.store.get('a/small')).equals(small));
    assert.ok(Buffer.from(await t.store.get('a/large')).equals(large));
    await t.store.deletePrefix('a/');
    assert.deepEqual(await t.store.list('a/'), []);
    const injected = t.proxy.seen.filter((s) => s.fault !== undefined).length;
    assert.ok(injected >= 8, `only ${injected} failures were injected`);
    assert.equal(t.log.length, injected, 'each failure is retried once, and logged');
    assert.match(t.log.join('\n'), /SlowDown/);
    assert.ok(
      t.proxy.seen.some((s) => isUploadPart(s.request)),
      'the large object went in parts',
    );
  });

  test('a client error is not retried and says what to change', async () => {
    await using t = await throughProxy((r) =>
      r.method === 'PUT' ? { status: 403, code: 'AccessDenied' } : undefined,
    );
    await assert.rejects(t.store.put('x', new Uint8Array([1])), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.match(e.message, /access refused/);
      assert.match(e.hint ?? '', /AWS_ACCESS_KEY_ID/);
      return true;
    });
    assert.equal(t.proxy.seen.length, 1);
    assert.deepEqual(t.log, []);
  });

  test('a multipart upload whose part fails for good is aborted and never visible', async () => {
    await using t = await throughProxy(
      (r) =>
        isUploadPart(r) && r.query.get('partNumber') === '2'
          ? { status: 500, code: 'InternalError' }
          : undefined,
      { maxAttempts: 3 },
    );
    await assert.rejects(
      t.store.put('big', new Uint8Array(randomBytes(11 * MIB))),
      (e: unknown) => {
        assert.ok(e instanceof EddyError);
        assert.equal(e.code, 'IO_ERROR');
        assert.equal(e.retryable, true);
        assert.match(e.message, /part 2 of 3.*failed after 3 tries/);
        return true;
      },
    );
    assert.equal(t.proxy.seen.filter((s) => isComplete(s.request)).length, 0);
    assert.equal(t.proxy.seen.filter((s) => isAbort(s.request)).length, 1, 'the upload is aborted');
    await assert.rejects(
      t.store.get('big'),
      (e: unknown) => e instanceof EddyError && e.code === 'NOT_FOUND',
    );
    assert.deepEqual(await t.store.list(''), []);
  });

  test('an upload completed by the server whose answer was lost counts as written', async () => {
    let lost = 0;
    await using t = await throughProxy((r) =>
      isComplete(r) && lost++ === 0 ? 'lose-answer' : undefined,
    );
    const data = new Uint8Array(randomBytes(6 * MIB));
    await t.store.put('done', data);
    assert.equal(lost, 2, 'completion was sent again after the lost answer');
    assert.ok(Buffer.from(await t.store.get('done')).equals(data));
  });

  test('an unreachable endpoint fails after the configured tries with a retryable IO_ERROR', async () => {
    const port = await freePort();
    const log: string[] = [];
    const store = new S3BlobStore(
      `s3://${server.bucket}/x`,
      { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 3, retryBaseDelayMs: 10 },
      (m) => log.push(m),
    );
    await assert.rejects(store.get('y'), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'IO_ERROR');
      assert.equal(e.retryable, true);
      assert.match(e.message, /reading s3:\/\/eddy-test\/x\/y failed after 3 tries: ECONNREFUSED/);
      return true;
    });
    assert.equal(log.length, 2);
    await store.close();
  });

  test('a missing bucket is named, with the fix', async () => {
    const store = await openBlobStore('s3://eddy-no-such-bucket/x');
    await assert.rejects(store.list(''), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.match(e.message, /bucket "eddy-no-such-bucket" does not exist/);
      assert.match(e.hint ?? '', /create the bucket/);
      return true;
    });
    await store.close();
  });
});
