import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBlobStoreConformance } from './blob-store.conformance.ts';
import { LocalBlobStore } from '../../src/storage/local-blob-store.ts';
import { LocalCheckpointStore } from '../../src/runtime/checkpoint/local-checkpoint-store.ts';
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

test('the remains of a killed run (an empty checkpoint directory, one with only a temporary file) are listed as locations, so retention removes them', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-blobs-'));
  const store = new LocalCheckpointStore(root);
  await store.write('chk-3', '_metadata', new Uint8Array([1]));
  mkdirSync(join(root, 'chk-1'));
  mkdirSync(join(root, 'chk-2'));
  writeFileSync(join(root, 'chk-2', '.state-1-0.0a1b2c3d.tmp'), 'half a state file');
  writeFileSync(join(root, '.chk-9.0a1b2c3d.tmp'), 'not a location');
  assert.deepEqual((await store.list('chk-')).sort(), ['chk-1', 'chk-2', 'chk-3']);
  await store.remove('chk-1');
  await store.remove('chk-2');
  assert.deepEqual(readdirSync(root).sort(), ['.chk-9.0a1b2c3d.tmp', 'chk-3']);
});

test('removeUnfinished deletes the temporary files of crashed writes whose keys it is told to, and nothing else', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-blobs-'));
  const store = new LocalBlobStore(root);
  await store.put('shared/14-2-0-aa', new Uint8Array([1]));
  writeFileSync(join(root, 'shared', '.14-2-1-bb.0a1b2c3d.tmp'), 'killed while writing');
  writeFileSync(join(root, 'shared', '.20-2-1-cc.0a1b2c3d.tmp'), 'being written now');
  const asked: string[] = [];
  await store.removeUnfinished('shared/', (key) => {
    asked.push(key);
    return key.startsWith('shared/14-');
  });
  assert.deepEqual(asked.sort(), ['shared/14-2-1-bb', 'shared/20-2-1-cc']);
  assert.deepEqual(readdirSync(join(root, 'shared')).sort(), [
    '.20-2-1-cc.0a1b2c3d.tmp',
    '14-2-0-aa',
  ]);
});
