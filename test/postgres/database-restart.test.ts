/**
 * A database restart in the middle of a job: a rate-limited DataGen → PostgresSink job
 * (checkpoints every 100 ms, a fixed-delay restart strategy) runs while its PostgreSQL server is
 * stopped and started again. The sink's connections break, the job fails and restarts from its
 * last checkpoint (retrying while the server is down), the prepared transactions survive the
 * restart and are committed by the recovery. Exactly-once inserts then hold every record once;
 * at-least-once upserts hold every record.
 *
 * The test restarts a server of its own (port 39533, a temporary data directory), so the shared
 * server of the other PostgreSQL test files is not disturbed; it is stopped at the end.
 *
 * Run: node scripts/run-tests.mjs postgres/database-restart
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { DataGenSource, StreamEnvironment } from '../../src/index.ts';
import {
  PostgresSink,
  type PostgresDeliveryGuarantee,
} from '../../src/connectors/postgres/index.ts';
import { query, startPrivatePostgres, uniqueTable } from '../support/postgres-server.ts';
import { waitFor } from '../support/wait-for.ts';

const PORT = Number(process.env['EDDY_POSTGRES_RESTART_PORT'] ?? 39533);
const RECORDS = 1500;

const dataDir = mkdtempSync(join(tmpdir(), 'eddy-pg-restart-'));
const server = await startPrivatePostgres(PORT, dataDir);
const skip = 'skip' in server ? server.skip : false;

describe('PostgresSink across a database restart', { skip }, () => {
  after(async () => {
    if (!('skip' in server)) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('exactly-once: every record once after the database restarts mid-job', (t) =>
    acrossRestart(t, 'exactly-once'));

  test('at-least-once upserts: no record lost across the restart', (t) =>
    acrossRestart(t, 'at-least-once'));
});

async function acrossRestart(t: TestContext, guarantee: PostgresDeliveryGuarantee): Promise<void> {
  if ('skip' in server) return;
  const { url } = server;
  const exactlyOnce = guarantee === 'exactly-once';
  const table = uniqueTable('restart');
  // Exactly-once inserts into a table without a key, so that a duplicate would show.
  await query(
    url,
    `CREATE TABLE ${table} (i int ${exactlyOnce ? '' : 'PRIMARY KEY'}, doubled int)`,
  );
  const checkpoints = mkdtempSync(join(tmpdir(), 'eddy-pg-restart-chk-'));
  t.after(() => rmSync(checkpoints, { recursive: true, force: true }));

  const env = StreamEnvironment.create({
    parallelism: 2,
    checkpointInterval: 100,
    checkpointDir: checkpoints,
    restartStrategy: { type: 'fixed-delay', attempts: 60, delay: 250 },
    handleSignals: false,
  });
  env
    .fromSource(
      new DataGenSource((i) => ({ i, doubled: i * 2 }), { count: RECORDS, rowsPerSecond: 400 }),
    )
    .uid('source')
    .sinkTo(
      PostgresSink.builder<{ i: number; doubled: number }>()
        .setConnection(url)
        .setTable(table)
        .setColumns(['i', 'doubled'])
        .setKeyColumns(exactlyOnce ? [] : ['i'])
        .setDeliveryGuarantee(guarantee)
        .setTransactionNamePrefix(table)
        .build(),
    )
    .uid('sink');
  const client = env.executeAsync('database-restart');
  let failed: unknown;
  client.result.catch((e: unknown) => (failed = e));

  await waitFor(
    async () => {
      if (failed !== undefined) throw new Error('the job failed', { cause: failed });
      const [row] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`);
      return Number(row?.n) > 0 && Number(row?.n) < RECORDS * 0.6;
    },
    { timeoutMs: 30_000, message: 'the job commits rows before the restart' },
  );
  const restartedAt = Date.now();
  await server.restart();
  t.diagnostic(`database restarted in ${Date.now() - restartedAt} ms`);
  await client.result;
  const restarts = client.checkpointStats?.().restarts;
  t.diagnostic(`the job restarted ${String(restarts)} times`);

  const rows = await query<{ i: number; doubled: number }>(url, `SELECT i, doubled FROM ${table}`);
  const seen = rows.map((r) => r.i).sort((a, b) => a - b);
  const duplicates = seen.filter((v, k) => k > 0 && seen[k - 1] === v);
  assert.deepEqual(duplicates, [], 'no duplicates');
  assert.deepEqual(
    seen,
    Array.from({ length: RECORDS }, (_, i) => i),
  );
  assert.ok(rows.every((r) => r.doubled === r.i * 2));
  assert.ok((restarts ?? 1) >= 1, 'the job failed and restarted when the database went away');
  const left = await query(url, 'SELECT gid FROM pg_prepared_xacts');
  assert.deepEqual(left, [], 'nothing left prepared');
}
