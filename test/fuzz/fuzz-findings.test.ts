/**
 * Regression tests for what the long fuzz runs of issue #17 (`bench/fuzz.ts`, 1 M inputs per
 * target) found: each input here is a shrunk counterexample, replayed through the same path.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { before, describe, it } from 'node:test';
import { sha256 } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint-loader.ts';
import { openCheckpointLocation } from '../../src/runtime/checkpoint/open-checkpoint-store.ts';
import { runCli } from '../support/cli-in-process.ts';
import { sampleCheckpoint } from './fuzz-targets.ts';

interface Meta {
  operators: { key: string; subtasks: { file: string; bytes: number; sha256: string }[] }[];
}

/**
 * Rewrites the state file of operator `count` through `edit`, then makes the checksums match
 * (its size and sha256 in `_metadata`, `_metadata`'s header), as a hand-made or buggy file would.
 */
function rewriteCountState(chk: string, edit: (state: Record<string, unknown>) => void): void {
  const metaPath = join(chk, '_metadata');
  const text = readFileSync(metaPath, 'utf8');
  const meta = JSON.parse(text.slice(text.indexOf('\n') + 1)) as Meta;
  const st = meta.operators.find((o) => o.key === 'uid:count')?.subtasks[0];
  assert.ok(st !== undefined, 'the sample checkpoint has the count operator');
  const state = deserialize(readFileSync(join(chk, st.file))) as Record<string, unknown>;
  edit(state);
  const bytes = serialize(state);
  writeFileSync(join(chk, st.file), bytes);
  st.bytes = bytes.byteLength;
  st.sha256 = sha256(bytes);
  const body = JSON.stringify(meta);
  writeFileSync(metaPath, `EDDY-CHECKPOINT 1 sha256=${sha256(body)}\n${body}`);
}

describe('fuzz findings', { timeout: 60_000 }, () => {
  let checkpoint = '';
  before(async () => {
    checkpoint = await sampleCheckpoint();
  });

  it('a state file (checksums matching) without its values column is a clear error in eddy state and a restore', async () => {
    // bench/fuzz.ts eddy-state, seed 5066: one byte turned "values" into "walues"; eddy state
    // crashed with "TypeError: Cannot read properties of undefined (reading '0')".
    const before = readdirSync(checkpoint).length;
    rewriteCountState(checkpoint, (s) => {
      const groups = s['keyGroups'] as { states: Record<string, unknown>[] }[];
      const first = groups[0]?.states[0];
      assert.ok(first !== undefined);
      first['walues'] = first['values'];
      delete first['values'];
    });
    assert.equal(readdirSync(checkpoint).length, before);
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
    const { store, location } = await openCheckpointLocation(checkpoint);
    try {
      await assert.rejects(loadCheckpoint(store, location), /malformed state/);
    } finally {
      await store.close();
    }
  });
});
