/**
 * The exactly-once kill test on PostgreSQL: the DataGen → keyed running count → PostgresSink
 * job of `fixtures/postgres-kill-job.ts` (exactly-once, a prepared transaction per checkpoint
 * every 100 ms, plain inserts into a table without constraints) runs as a child process and is
 * SIGKILLed at seeded random moments (at least 10 times) — before, during and after prepares
 * and commits — and restarted each time with the same checkpoint directory. At the end the
 * table must hold, per key, the running counts 1..n exactly once, each with the input record it
 * counts, the same rows as an uninterrupted run, and no transaction may be left prepared.
 *
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs postgres/exactly-once-kill`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  KILL_SEED,
  assertEachOnce,
  directLauncher,
  killLoop,
  type Launcher,
} from '../support/kill-loop.ts';
import { expectedCountLines } from '../support/running-count.ts';
import { ensurePostgres, query } from '../support/postgres-server.ts';
import { KEYS, RECORDS, killTable } from './fixtures/postgres-kill-job.ts';

const KILLS = 10;
const fixture = new URL('./fixtures/postgres-kill-job.ts', import.meta.url).pathname;

const server = await ensurePostgres();
const skip = 'skip' in server ? server.skip : false;
const url = 'url' in server ? server.url : '';

/** The rows the input implies: per key, counts 1..n in the order of the key's records. */
function expectedRows(): string[] {
  return expectedCountLines(
    Array.from({ length: RECORDS }, (_, seq) => ({ key: `k${seq % KEYS}`, seq })),
  );
}

async function tableRows(table: string): Promise<string[]> {
  const rows = await query<{ key: string; count: number; seq: number }>(
    url,
    `SELECT key, count, seq FROM ${table}`,
  );
  return rows.map((r) => `${r.key} ${r.count} ${r.seq}`).sort();
}

describe('PostgreSQL exactly-once under SIGKILL', { skip }, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  test(`SIGKILL ${KILLS}+ times: the table holds every count exactly once (seed ${KILL_SEED})`, async (t) => {
    const launch: Launcher = (f, dir, seed) => ({
      ...directLauncher(f, dir, seed),
      env: { EDDY_KILL_POSTGRES_URL: url },
    });
    const { dir, referenceDir, restores } = await killLoop(
      fixture,
      KILLS,
      KILL_SEED,
      'eddy-pg-kill',
      launch,
    );
    for (const d of [dir, referenceDir]) {
      cleanup.push(async () => {
        rmSync(d, { recursive: true, force: true });
        await query(url, `DROP TABLE IF EXISTS ${killTable(d)}`);
      });
    }
    t.diagnostic(`seed ${KILL_SEED}: ${restores} restores`);
    const expected = expectedRows();
    const actual = await tableRows(killTable(dir));
    assertEachOnce(actual, expected, KILL_SEED);
    assert.deepEqual(await tableRows(killTable(referenceDir)), expected, 'the reference run');
    const left = await query(url, 'SELECT gid FROM pg_prepared_xacts WHERE gid LIKE $1', [
      `eddy|${killTable(dir)}|%`,
    ]);
    assert.deepEqual(left, [], 'no transaction left prepared');
  });
});
