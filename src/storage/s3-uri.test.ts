import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EddyError } from '../errors/eddy-error.ts';
import { isRetryableS3Error, parseS3Uri } from './s3-blob-store.ts';
import { isObjectStorageUri, splitBlobPath } from './open-blob-store.ts';

function s3Error(name: string, status: number | undefined): Error {
  const e = new Error(name);
  e.name = name;
  return Object.assign(e, { $metadata: { httpStatusCode: status } });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

test('parses s3://bucket/prefix and refuses what is not one, saying how to write it', () => {
  assert.deepEqual(parseS3Uri('s3://my-bucket'), { bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://my-bucket/'), { bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseS3Uri('s3://b.c-1/jobs/a/'), { bucket: 'b.c-1', prefix: 'jobs/a/' });
  for (const bad of ['s3://', 's3://UPPER/x', 's3://ab', 's3://b-1/a//b', 's3://b-1/../x']) {
    assert.throws(
      () => parseS3Uri(bad),
      (e: unknown) =>
        e instanceof EddyError && e.code === 'INVALID_ARGUMENT' && e.hint !== undefined,
      bad,
    );
  }
});

test('splits a checkpoint path into its store and location, locally and on S3', () => {
  assert.ok(isObjectStorageUri('s3://b-1/x'));
  assert.ok(!isObjectStorageUri('/var/lib/eddy'));
  assert.deepEqual(splitBlobPath('s3://b-1/jobs/savepoint-3-ab/'), {
    parent: 's3://b-1/jobs',
    name: 'savepoint-3-ab',
  });
  assert.deepEqual(splitBlobPath('s3://b-1/savepoint-3'), {
    parent: 's3://b-1',
    name: 'savepoint-3',
  });
  assert.deepEqual(splitBlobPath('/var/lib/eddy/chk-3'), {
    parent: '/var/lib/eddy',
    name: 'chk-3',
  });
  assert.deepEqual(splitBlobPath('file:///var/lib/eddy/chk-3'), {
    parent: '/var/lib/eddy',
    name: 'chk-3',
  });
  assert.throws(() => splitBlobPath('s3://b-1'), /names a bucket/);
  assert.throws(() => splitBlobPath('gs://b-1/x'), /unsupported storage URI/);
});

test('retries throttling, 5xx and network failures, never client errors', () => {
  for (const e of [
    s3Error('SlowDown', 503),
    s3Error('ServiceUnavailable', 503),
    s3Error('InternalError', 500),
    s3Error('Unknown', 502),
    s3Error('TooManyRequestsException', 429),
    s3Error('RequestTimeout', 400),
    networkError('ECONNREFUSED'),
    networkError('ECONNRESET'),
    Object.assign(new Error('fetch failed'), { cause: networkError('EPIPE') }),
  ]) {
    assert.equal(isRetryableS3Error(e), true, e.message);
  }
  for (const e of [
    s3Error('NoSuchKey', 404),
    s3Error('NoSuchBucket', 404),
    s3Error('AccessDenied', 403),
    s3Error('NotImplemented', 501),
    s3Error('InvalidArgument', 400),
    new EddyError('bad key', { code: 'INVALID_ARGUMENT', domain: 'user' }),
  ]) {
    assert.equal(isRetryableS3Error(e), false, e.message);
  }
});
