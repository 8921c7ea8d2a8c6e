/**
 * Fault injection: every kind of file a checkpoint directory holds — a checkpoint's `_metadata`
 * and state files, the `_completed` record, the directory lock, and a savepoint's `_metadata`
 * and state files — damaged in every way a disk or a person damages files (bytes flipped,
 * truncated, emptied, replaced by garbage, deleted). Restoring, `eddy checkpoints` and `eddy
 * state` must each end in a value or a clear error naming what is wrong — never a crash, a raw
 * stack, or a silent fresh start past committed output. (The newest checkpoint's output-level
 * consequences are in test/recovery/checkpoint-fallback.test.ts.)
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  CollectSink,
  DataGenSource,
  EddyError,
  StreamEnvironment,
  ValueStateDescriptor,
} from '../../src/index.ts';
import { runCli } from '../support/cli-in-process.ts';

/** The job: DataGen → keyBy → a counter in keyed state; checkpoints into `dir/chk`. */
function counterJob(dir: string, extra: Record<string, unknown> = {}) {
  const sink = new CollectSink<string>();
  const env = StreamEnvironment.create({
    checkpointInterval: 50,
    checkpointDir: join(dir, 'chk'),
    checkpointsRetained: 3,
    handleSignals: false,
    restartStrategy: { type: 'none' },
    ...extra,
  });
  env
    .fromSource(
      new DataGenSource((i) => ({ k: `k${i % 7}` }), { count: 3000, rowsPerSecond: 6000 }),
    )
    .uid('gen')
    .keyBy((e) => e.k)
    .map((e, ctx) => {
      const s = ctx.getState(new ValueStateDescriptor<number>('n'));
      const n = (s.value() ?? 0) + 1;
      s.update(n);
      return `${e.k}:${n}`;
    })
    .uid('count')
    .sinkTo(sink);
  return { env, sink };
}

const mutations: Record<string, (file: string) => void> = {
  'bytes flipped': (f) => {
    const b = readFileSync(f);
    for (let i = Math.floor(b.length / 3); i < b.length; i += 5) b[i] = (b[i] as number) ^ 0x5a;
    writeFileSync(f, b);
  },
  truncated: (f) =>
    writeFileSync(f, readFileSync(f).subarray(0, Math.floor(readFileSync(f).length / 2))),
  emptied: (f) => writeFileSync(f, ''),
  'replaced by garbage': (f) => writeFileSync(f, 'garbage\u0000{"not":"eddy"'),
  deleted: (f) => rmSync(f),
};

let base = '';
let savepoint = '';

function checkpointIds(chk: string): number[] {
  return readdirSync(chk)
    .filter((n) => /^chk-\d+$/.test(n))
    .map((n) => Number(n.slice(4)))
    .sort((a, b) => a - b);
}

/** The files of each kind in a copy `dir` of the base directory. */
function kinds(dir: string): Record<string, string> {
  const chk = join(dir, 'chk');
  const ids = checkpointIds(chk);
  const newest = join(chk, `chk-${ids[ids.length - 1]}`);
  const oldest = join(chk, `chk-${ids[0]}`);
  const sp = join(dir, 'savepoint');
  const state = (d: string) =>
    join(d, readdirSync(d).find((n) => n.startsWith('state-')) as string);
  return {
    "the newest checkpoint's _metadata": join(newest, '_metadata'),
    'a state file of the newest checkpoint': state(newest),
    "the oldest checkpoint's _metadata": join(oldest, '_metadata'),
    'the _completed record': join(chk, '_completed'),
    'the directory lock': join(chk, readdirSync(chk).find((n) => n.includes('lock')) ?? '_lock'),
    "the savepoint's _metadata": join(sp, '_metadata'),
    'a state file of the savepoint': state(sp),
  };
}

/** No crash: a value, an Eddy error or a listing that names the damage; never an internal one. */
function assertClear(what: string, r: { code: number; stdout: string; stderr: string }): void {
  const all = `${r.stdout}${r.stderr}`;
  assert.doesNotMatch(
    all,
    /internal error|TypeError|RangeError|SyntaxError: Unexpected|\n\s+at /,
    `${what}:\n${all}`,
  );
  if (r.code !== 0) assert.match(all, /^eddy: error: |^INVALID /m, `${what}:\n${all}`);
}

describe('damaged checkpoint files', { timeout: 240_000 }, () => {
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'eddy-corrupt-base-'));
    const { env } = counterJob(base);
    const client = env.executeAsync('corrupt-base');
    // A savepoint while it runs, then it finishes (its final checkpoint completes).
    for (;;) {
      try {
        savepoint = await client.triggerSavepoint(join(base, 'savepoints'));
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await client.result;
    cpSync(savepoint, join(base, 'savepoint'), { recursive: true });
    assert.ok(checkpointIds(join(base, 'chk')).length >= 2, 'at least two checkpoints');
    assert.ok(existsSync(join(base, 'chk', '_completed')));
  });

  for (const [mutation, mutate] of Object.entries(mutations)) {
    it(`${mutation}: restore, eddy checkpoints and eddy state end in a value or a clear error`, async () => {
      for (const kind of Object.keys(kinds(base))) {
        const what = `${kind} ${mutation}`;
        const dir = mkdtempSync(join(tmpdir(), 'eddy-corrupt-'));
        cpSync(base, dir, { recursive: true });
        const file = kinds(dir)[kind] as string;
        if (!existsSync(file) && mutation !== 'deleted') continue;
        if (existsSync(file)) mutate(file);
        else continue;

        const listed = await runCli(['checkpoints', join(dir, 'chk')]);
        assertClear(`eddy checkpoints, ${what}`, listed);
        for (const path of [join(dir, 'chk'), join(dir, 'savepoint')]) {
          const shown = await runCli(['state', path, '--operator', 'count', '--limit', '0']);
          assertClear(`eddy state ${path}, ${what}`, shown);
        }

        // Restoring: a restart resumes from the newest readable checkpoint, or fails clearly.
        const fromSavepoint = kind.includes('savepoint');
        const { env, sink } = counterJob(
          dir,
          fromSavepoint
            ? { fromSavepoint: join(dir, 'savepoint'), checkpointDir: join(dir, 'chk2') }
            : {},
        );
        let failure: unknown;
        try {
          await env.execute('corrupt-restore');
        } catch (e) {
          failure = e;
        }
        if (failure !== undefined) {
          assert.ok(failure instanceof EddyError, `${what}: ${String(failure)}`);
          assert.ok(
            ['RESTORE_FAILED', 'CHECKPOINT_DIR_LOCKED', 'IO_ERROR'].includes(failure.code),
            `${what}: ${failure.code} ${failure.message}`,
          );
          assert.doesNotMatch(failure.message, /undefined|\[object Object\]/, what);
          // Refused: the checkpoints stay as evidence.
          assert.ok(checkpointIds(join(dir, 'chk')).length >= 1, `${what}: checkpoints kept`);
        } else if (!fromSavepoint) {
          // Restored past the end of the bounded input: nothing is counted twice.
          assert.ok(
            sink.values.every((v) => Number(v.split(':')[1]) > 3000 / 7 - 1),
            `${what}: restarted from scratch (${sink.values.slice(0, 3).join(', ')})`,
          );
        }
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
