/**
 * The conformance suite every {@link BlobStore} passes: round trips (empty, binary, large enough
 * for a multipart upload), replacement, missing keys, listing by prefix, deletion, the
 * marker-last groups of `write-with-marker.ts`, and key validation. The local store runs it in
 * `local-blob-store.test.ts`, the S3 store against S3Proxy in `s3-blob-store.test.ts`.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { EddyError } from '../../src/errors/eddy-error.ts';
import type { BlobStore } from '../../src/storage/blob-store.ts';
import {
  deleteWithMarker,
  hasMarker,
  writeWithMarker,
} from '../../src/storage/write-with-marker.ts';

/** Runs the suite on fresh, empty stores made by `open`; `skip` skips it with a reason. */
export function runBlobStoreConformance(
  name: string,
  open: () => Promise<BlobStore>,
  options: { readonly skip?: string | false; readonly largeBytes?: number } = {},
): void {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s));
  const text = (b: Uint8Array) => Buffer.from(b).toString();
  const withStore = (fn: (store: BlobStore, t: TestContext) => Promise<void>) => {
    return async (t: TestContext) => {
      const store = await open();
      try {
        await fn(store, t);
      } finally {
        await store.close();
      }
    };
  };

  describe(`${name} blob store conformance`, { skip: options.skip ?? false }, () => {
    test(
      'reads back what was put: empty, binary, nested keys; a put replaces',
      withStore(async (store) => {
        const binary = new Uint8Array(randomBytes(4096));
        await store.put('a/empty', new Uint8Array(0));
        await store.put('a/b/binary', binary);
        await store.put('top', bytes('one'));
        assert.equal((await store.get('a/empty')).byteLength, 0);
        assert.deepEqual(new Uint8Array(await store.get('a/b/binary')), binary);
        await store.put('top', bytes('two, longer'));
        assert.equal(text(await store.get('top')), 'two, longer');
      }),
    );

    test(
      'a missing key is NOT_FOUND',
      withStore(async (store) => {
        await store.put('present/x', bytes('x'));
        for (const key of ['absent', 'present/absent', 'present']) {
          await assert.rejects(
            store.get(key),
            (e: unknown) => e instanceof EddyError && e.code === 'NOT_FOUND',
            key,
          );
        }
      }),
    );

    test(
      'lists keys by prefix, sorted, across levels',
      withStore(async (store) => {
        for (const key of [
          'chk-10/_metadata',
          'chk-1/state-0',
          'chk-1/_metadata',
          'chk-2/a/b',
          'other',
        ])
          await store.put(key, bytes(key));
        assert.deepEqual(await store.list('chk-1'), [
          'chk-1/_metadata',
          'chk-1/state-0',
          'chk-10/_metadata',
        ]);
        assert.deepEqual(await store.list('chk-1/'), ['chk-1/_metadata', 'chk-1/state-0']);
        assert.deepEqual(await store.list('chk-2/a/'), ['chk-2/a/b']);
        assert.deepEqual(await store.list(''), [
          'chk-1/_metadata',
          'chk-1/state-0',
          'chk-10/_metadata',
          'chk-2/a/b',
          'other',
        ]);
        assert.deepEqual(await store.list('none'), []);
        assert.deepEqual(await store.list('chk-3/'), []);
      }),
    );

    test(
      'deletes one key (a missing one is fine) and everything under a prefix',
      withStore(async (store) => {
        for (const key of ['d/1', 'd/2', 'd/sub/3', 'dd/4', 'e']) await store.put(key, bytes(key));
        await store.delete('e');
        await store.delete('e');
        await store.deletePrefix('d/');
        assert.deepEqual(await store.list(''), ['dd/4']);
        await store.put('x-1', bytes('1'));
        await store.put('x-2', bytes('2'));
        await store.deletePrefix('x-');
        assert.deepEqual(await store.list(''), ['dd/4']);
      }),
    );

    test(
      'a group is complete only with its marker, written last and deleted first',
      withStore(async (store) => {
        const files: [string, Uint8Array][] = [
          ['state-1', bytes('s1')],
          ['state-2', bytes('s2')],
        ];
        assert.equal(await hasMarker(store, 'g', '_metadata'), false);
        await writeWithMarker(store, 'g', files, ['_metadata', bytes('meta')]);
        assert.equal(await hasMarker(store, 'g', '_metadata'), true);
        assert.deepEqual(await store.list('g/'), ['g/_metadata', 'g/state-1', 'g/state-2']);
        // The marker goes before anything else is touched (a crash in between leaves no marker).
        const calls: string[] = [];
        const recording: BlobStore = Object.assign(Object.create(store) as BlobStore, {
          delete: async (key: string) => {
            calls.push(`delete ${key}`);
            await store.delete(key);
            calls.push(`deleted ${key}`);
          },
          deletePrefix: async (prefix: string) => {
            calls.push(`deletePrefix ${prefix}`);
            await store.deletePrefix(prefix);
          },
        });
        await deleteWithMarker(recording, 'g', '_metadata');
        assert.deepEqual(calls.slice(0, 3), [
          'delete g/_metadata',
          'deleted g/_metadata',
          'deletePrefix g/',
        ]);
        assert.equal(await hasMarker(store, 'g', '_metadata'), false);
        assert.deepEqual(await store.list('g'), []);
      }),
    );

    test(
      'refuses keys that could leave the root or alias another key',
      withStore(async (store) => {
        for (const key of ['', '/abs', '../up', 'a/../b', 'a//b', 'a/./b', 'a/', 'a\\b']) {
          await assert.rejects(
            store.put(key, bytes('x')),
            (e: unknown) => e instanceof EddyError && e.code === 'INVALID_ARGUMENT',
            JSON.stringify(key),
          );
        }
      }),
    );

    test(
      'round-trips an object large enough to go up in parts',
      withStore(async (store) => {
        const large = new Uint8Array(randomBytes(options.largeBytes ?? 12 * 1024 * 1024));
        await store.put('big/object', large);
        const back = await store.get('big/object');
        assert.equal(back.byteLength, large.byteLength);
        assert.ok(Buffer.from(back).equals(Buffer.from(large)), 'content differs');
        assert.deepEqual(await store.list('big/'), ['big/object']);
      }),
    );

    test(
      'uriOf names each key under the store root',
      withStore(async (store) => {
        assert.equal(store.uriOf(''), store.uri);
        assert.ok(store.uriOf('a/b').startsWith(store.uri));
        assert.ok(store.uriOf('a/b').endsWith('b'));
      }),
    );
  });
}
