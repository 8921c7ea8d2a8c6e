import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import {
  SLOT_SEMI_SPACE_MB,
  slotYoungGenerationMb,
} from '../../src/runtime/parallel/slot-worker-thread.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/slot-heap.ts', import.meta.url));

/** Runs the fixture at -p 2 in a child `node <flags> bin/eddy.js run`; returns slot 0's heap. */
function slotHeap(nodeFlags: readonly string[]): Promise<{ total: number; old: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-slot-heap-'));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        ...nodeFlags,
        'bin/eddy.js',
        'run',
        fixture,
        '-p',
        '2',
        '-q',
        '--prop',
        `fixture.dir=${dir}`,
      ],
      { cwd: root, timeout: 120_000 },
      (e, _stdout, stderr) => {
        if (e !== null) reject(new Error(`eddy run failed: ${stderr}`));
        else resolve(JSON.parse(readFileSync(join(dir, 'heap-0.json'), 'utf8')));
      },
    );
  });
}

test('the young generation of a slot: three semi-spaces of 64 MiB unless the process sets one', () => {
  assert.equal(SLOT_SEMI_SPACE_MB, 64);
  assert.equal(slotYoungGenerationMb([]), 192);
  assert.equal(slotYoungGenerationMb(['--max-old-space-size=512']), 192);
  assert.equal(slotYoungGenerationMb(['--max-semi-space-size=16']), undefined);
});

test('slot threads get the throughput young generation; a --max-semi-space-size of the process wins', async () => {
  const [byDefault, flagged] = await Promise.all([
    slotHeap([]),
    slotHeap(['--max-semi-space-size=16']),
  ]);
  // V8's heap limit is the old generation plus the young one (two semi-spaces and a large-object
  // space of one semi-space each).
  assert.equal(byDefault.total - byDefault.old, 3 * SLOT_SEMI_SPACE_MB);
  assert.equal(flagged.total - flagged.old, 3 * 16);
});
