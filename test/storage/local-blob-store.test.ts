import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBlobStoreConformance } from './blob-store.conformance.ts';
import { LocalBlobStore } from '../../src/storage/local-blob-store.ts';
import { openBlobStore } from '../../src/storage/open-blob-store.ts';

runBlobStoreConformance('local directory', async () =>
  openBlobStore(mkdtempSync(join(tmpdir(), 'eddy-blobs-'))),
);

test('a crashed write (its temporary file) is never listed, and a put leaves none behind', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-blobs-'));
  const store = new LocalBlobStore(root);
  await store.put('chk-1/state-0', new Uint8Array([1]));
  assert.deepEqual(readdirSync(join(root, 'chk-1')), ['state-0']);
  writeFileSync(join(root, 'chk-1', '._metadata.0a1b2c3d.tmp'), 'half a metadata');
  assert.deepEqual(await store.list('chk-1/'), ['chk-1/state-0']);
  await store.deletePrefix('chk-1/');
  assert.equal(existsSync(join(root, 'chk-1')), false, 'the directory goes, temporary files too');
});
