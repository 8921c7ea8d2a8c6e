import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import {
  LARGE_NURSERY_MIN_OLD_MB,
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

test('the young generation of a slot: 64 MiB semi-spaces on a large heap, V8 default on a small one or a flag', () => {
  assert.equal(SLOT_SEMI_SPACE_MB, 64);
  assert.equal(slotYoungGenerationMb([], 4096), 192);
  assert.equal(slotYoungGenerationMb(['--max-old-space-size=4096']), 192);
  assert.equal(slotYoungGenerationMb([], 512), 96, 'a sixteenth of the old generation');
  assert.equal(slotYoungGenerationMb([], LARGE_NURSERY_MIN_OLD_MB - 1), undefined);
  assert.equal(slotYoungGenerationMb(['--max-old-space-size=96']), undefined);
  assert.equal(slotYoungGenerationMb(['--max-semi-space-size=16'], 4096), undefined);
});

test('slot threads get the throughput young generation; a small heap or a --max-semi-space-size keeps V8 sizing', async () => {
  const [byDefault, flagged, small] = await Promise.all([
    slotHeap(['--max-old-space-size=2048']),
    slotHeap(['--max-old-space-size=2048', '--max-semi-space-size=16']),
    slotHeap(['--max-old-space-size=256']),
  ]);
  // V8's heap limit is the old generation plus the young one (two semi-spaces and a large-object
  // space of one semi-space each).
  assert.equal(byDefault.old, 2048);
  assert.equal(byDefault.total - byDefault.old, 3 * SLOT_SEMI_SPACE_MB);
  assert.equal(flagged.total - flagged.old, 3 * 16);
  assert.ok(small.total - small.old <= 3 * 16, `V8's own nursery: ${small.total - small.old} MiB`);
});
