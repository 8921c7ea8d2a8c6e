/**
 * Regression tests for what the long fuzz runs of issue #17 (`bench/fuzz.ts`, 1 M inputs per
 * target) found: each input here is a shrunk counterexample, replayed through the same path.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, it } from 'node:test';
import { sha256 } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint-loader.ts';
import { openCheckpointLocation } from '../../src/runtime/checkpoint/open-checkpoint-store.ts';
import { runCli } from '../support/cli-in-process.ts';
import { sampleCheckpoint } from './fuzz-targets.ts';

interface Meta {
  operators: { key: string; subtasks: { file: string; bytes: number; sha256: string }[] }[];
}

/**
 * Replaces the state file of operator `operatorKey` with `bytes`, then makes the checksums match
 * (its size and sha256 in `_metadata`, `_metadata`'s header), as a hand-made or buggy file would.
 * Returns the file's name.
 */
function replaceStateFile(chk: string, operatorKey: string, bytes: Uint8Array): string {
  const metaPath = join(chk, '_metadata');
  const text = readFileSync(metaPath, 'utf8');
  const meta = JSON.parse(text.slice(text.indexOf('\n') + 1)) as Meta;
  const st = meta.operators.find((o) => o.key === operatorKey)?.subtasks[0];
  assert.ok(st !== undefined, `the sample checkpoint has ${operatorKey}`);
  writeFileSync(join(chk, st.file), bytes);
  st.bytes = bytes.byteLength;
  st.sha256 = sha256(bytes);
  const body = JSON.stringify(meta);
  writeFileSync(metaPath, `EDDY-CHECKPOINT 1 sha256=${sha256(body)}\n${body}`);
  return st.file;
}

/** The state file of operator `operatorKey`, deserialized. */
function readStateFile(chk: string, operatorKey: string): Record<string, unknown> {
  const text = readFileSync(join(chk, '_metadata'), 'utf8');
  const meta = JSON.parse(text.slice(text.indexOf('\n') + 1)) as Meta;
  const st = meta.operators.find((o) => o.key === operatorKey)?.subtasks[0];
  assert.ok(st !== undefined, `the sample checkpoint has ${operatorKey}`);
  return deserialize(readFileSync(join(chk, st.file))) as Record<string, unknown>;
}

async function loadRejects(chk: string, message: RegExp): Promise<void> {
  const { store, location } = await openCheckpointLocation(chk);
  try {
    await assert.rejects(loadCheckpoint(store, location), (e: unknown) => {
      assert.ok(e instanceof Error && !(e instanceof TypeError), `${String(e)}`);
      assert.match(e.message, message);
      return true;
    });
  } finally {
    await store.close();
  }
}

describe('fuzz findings', { timeout: 60_000 }, () => {
  it('a state file (checksums matching) without its values column is a clear error in eddy state and a restore', async () => {
    const checkpoint = await sampleCheckpoint();
    // bench/fuzz.ts eddy-state, seed 5066: one byte turned "values" into "walues"; eddy state
    // crashed with "TypeError: Cannot read properties of undefined (reading '0')".
    const state = readStateFile(checkpoint, 'uid:count');
    const first = (state['keyGroups'] as { states: Record<string, unknown>[] }[])[0]?.states[0];
    assert.ok(first !== undefined);
    first['walues'] = first['values'];
    delete first['values'];
    replaceStateFile(checkpoint, 'uid:count', serialize(state));
    for (const argv of [
      ['state', checkpoint],
      ['state', checkpoint, '--operator', 'count'],
    ]) {
      const r = await runCli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error|TypeError/);
      assert.match(
        r.stderr,
        /^eddy: error: cannot read .*state file state-2-0 cannot be read: malformed state: keyGroups\[0\]\.states\[0\]\.values does not match its 1 keys/m,
      );
    }
    await loadRejects(checkpoint, /malformed state/);
  });

  it('a state file (checksums matching) that v8 cannot deserialize is a clear error, not a TypeError', async () => {
    const checkpoint = await sampleCheckpoint();
    // bench/fuzz.ts checkpoint-reader, seed 17 (input 5,106): an ArrayBufferView tag with an
    // unknown type made v8.deserialize throw "TypeError: Cannot read properties of undefined
    // (reading 'BYTES_PER_ELEMENT')" out of the checkpoint reader.
    const file = replaceStateFile(
      checkpoint,
      'auto:2:sink:collect',
      Uint8Array.from([
        255, 15, 0, 92, 16, 0, 0, 0, 0, 0, 0, 111, 34, 13, 111, 112, 101, 114, 97, 116, 111, 114,
        83, 116, 97, 116, 101, 65, 0, 36, 0, 0, 123, 1,
      ]),
    );
    await loadRejects(checkpoint, new RegExp(`state file ${file} cannot be read`));
    const r = await runCli(['state', checkpoint]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^eddy: error: cannot read .*cannot be read/m);
  });
});
