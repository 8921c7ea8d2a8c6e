/**
 * The PostgreSQL sink against a real server (scripts/postgres.mjs): upserts and inserts,
 * exactly-once with prepared transactions (invisible until the checkpoint completes, recovery
 * of what a dead writer left prepared, rescaled recovery), the errors of a wrong setup, and
 * rows that do not fit — failing the job or going to the dead-letter table.
 *
 * Run: node scripts/run-tests.mjs test/postgres/postgres-sink
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DataGenSource, StreamEnvironment } from '../../src/index.ts';
import type { SinkWriter, SinkWriterContext } from '../../src/core/connector-spi.ts';
import type { Context } from '../../src/core/functions/context.ts';
import { MetricsRegistry } from '../../src/metrics/metrics-registry.ts';
import {
  PostgresSink,
  transactionName,
  type PostgresCommittable,
} from '../../src/connectors/postgres/index.ts';
import { ensurePostgres, query, uniqueTable } from '../support/postgres-server.ts';

const server = await ensurePostgres();
const skip = 'skip' in server ? server.skip : false;
const url = 'url' in server ? server.url : '';

interface Total {
  readonly user: string;
  readonly total: number;
}

const tables: string[] = [];
const dirs: string[] = [];
function checkpointDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-pg-sink-'));
  dirs.push(dir);
  return dir;
}
async function createTable(prefix: string, ddl: string): Promise<string> {
  const table = uniqueTable(prefix);
  tables.push(table);
  await query(url, `CREATE TABLE ${table} ${ddl}`);
  return table;
}

/** A writer context for driving a writer directly, as the sink operator would. */
function writerContext(subtask: number, parallelism: number, registry = new MetricsRegistry()) {
  const ctx: SinkWriterContext = {
    sinkName: 'PostgresSink',
    subtaskIndex: subtask,
    parallelism,
    metrics: registry.group({ subtask: String(subtask) }),
    properties: undefined as never,
    functionContext: {
      taskInfo: {
        jobName: 'writer-test',
        operatorName: 'PostgresSink',
        operatorUid: undefined,
        subtaskIndex: subtask,
        parallelism,
        maxParallelism: 128,
        attempt: 0,
      },
    } as unknown as Context<unknown>,
    checkpointing: true,
  };
  return ctx;
}

/** A builder of the sink of `Total`s into `(user_id, total)`, upserting by user_id. */
function totalsSink(table: string) {
  return PostgresSink.builder<Total>()
    .setConnection(url)
    .setTable(table)
    .setColumns(['user_id', 'total'], (t) => [t.user, t.total])
    .setKeyColumns(['user_id']);
}

function exactlyOnceSink(table: string, prefix: string): PostgresSink<Total> {
  return totalsSink(table)
    .setDeliveryGuarantee('exactly-once')
    .setTransactionNamePrefix(prefix)
    .build();
}

function writer(
  sink: PostgresSink<Total>,
  subtask = 0,
  parallelism = 1,
): SinkWriter<Total, PostgresCommittable> {
  return sink.createWriter(writerContext(subtask, parallelism)) as SinkWriter<
    Total,
    PostgresCommittable
  >;
}

async function rows(table: string): Promise<string[]> {
  const r = await query<{ user_id: string; total: number }>(
    url,
    `SELECT user_id, total FROM ${table} ORDER BY user_id, total`,
  );
  return r.map((x) => `${x.user_id}=${x.total}`).sort();
}

async function prepared(prefix: string): Promise<string[]> {
  const r = await query<{ gid: string }>(
    url,
    'SELECT gid FROM pg_prepared_xacts WHERE gid LIKE $1 ORDER BY gid',
    [`eddy|${prefix}|%`],
  );
  return r.map((x) => x.gid);
}

const write = (w: SinkWriter<Total>, values: Total[]) =>
  w.write(
    values,
    values.map(() => NaN),
    values.length,
  );

describe('PostgresSink', { skip }, () => {
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (skip !== false) return;
    for (const t of tables) await query(url, `DROP TABLE IF EXISTS ${t}`);
  });

  test('at-least-once upserts by key: the last value of each key, duplicates in a batch included', async () => {
    const table = await createTable('upsert', '(user_id text PRIMARY KEY, total int NOT NULL)');
    const env = StreamEnvironment.create({ batchSize: 7 });
    env
      .fromSource(new DataGenSource((i) => ({ user: `u${i % 5}`, total: i }), { count: 103 }))
      .sinkTo(totalsSink(table).setMaxBatchRows(4).build());
    await env.execute('pg-upsert');
    assert.deepEqual(await rows(table), ['u0=100', 'u1=101', 'u2=102', 'u3=98', 'u4=99']);
  });

  test('without key columns every record is inserted; columns are read by name', async () => {
    const table = await createTable('append', '(user_id text, total int)');
    const env = StreamEnvironment.create();
    env
      .fromCollection([
        { user_id: 'a', total: 1 },
        { user_id: 'a', total: 1 },
        { user_id: 'b', total: 2 },
      ])
      .sinkTo(
        PostgresSink.builder<{ user_id: string; total: number }>()
          .setConnection(url)
          .setTable(table)
          .setColumns(['user_id', 'total'])
          .build(),
      );
    await env.execute('pg-append');
    assert.deepEqual(await rows(table), ['a=1', 'a=1', 'b=2']);
  });

  test('exactly-once: rows stay invisible in a prepared transaction until the commit', async () => {
    const table = await createTable('eo', '(user_id text PRIMARY KEY, total int)');
    const prefix = uniqueTable('eo');
    const w = writer(exactlyOnceSink(table, prefix));
    await w.open?.();
    await write(w, [
      { user: 'a', total: 1 },
      { user: 'b', total: 2 },
    ]);
    const sealed = await w.preCommit?.(1);
    assert.deepEqual(sealed, [
      { transactionName: transactionName(prefix, 0, 1), subtask: 0, checkpointId: 1 },
    ]);
    // The next checkpoint's rows, including an upsert of a key the prepared one holds locked.
    void write(w, [
      { user: 'a', total: 10 },
      { user: 'c', total: 3 },
    ]);
    assert.deepEqual(await rows(table), [], 'prepared rows are not visible');
    assert.deepEqual(await prepared(prefix), [transactionName(prefix, 0, 1)]);
    await w.commit?.(sealed ?? []);
    assert.deepEqual(await rows(table), ['a=1', 'b=2']);
    const second = await w.preCommit?.(2);
    await w.commit?.(second ?? []);
    assert.deepEqual(await rows(table), ['a=10', 'b=2', 'c=3']);
    // A barrier without rows prepares nothing.
    assert.deepEqual(await w.preCommit?.(3), []);
    await w.close?.();
    assert.deepEqual(await prepared(prefix), []);
  });

  test('recovery: the restored transaction is committed, what the dead attempt prepared later is rolled back', async () => {
    const table = await createTable('recover', '(user_id text PRIMARY KEY, total int)');
    const prefix = uniqueTable('rec');
    const sink = exactlyOnceSink(table, prefix);
    const dead = writer(sink);
    await dead.open?.();
    await write(dead, [{ user: 'a', total: 1 }]);
    const covered = (await dead.preCommit?.(5)) ?? [];
    await write(dead, [{ user: 'b', total: 2 }]);
    await dead.preCommit?.(6); // checkpoint 6 never completes
    await write(dead, [{ user: 'c', total: 3 }]); // open, never prepared
    // The process dies: its connections go, its prepared transactions stay.
    await dead.close?.();
    assert.deepEqual(await prepared(prefix), [
      transactionName(prefix, 0, 5),
      transactionName(prefix, 0, 6),
    ]);
    const next = writer(sink);
    await next.commit?.(covered); // SinkOperator.open: restored committables first
    await next.commit?.(covered); // idempotent (a restore after the commit)
    await next.open?.();
    assert.deepEqual(await rows(table), ['a=1']);
    assert.deepEqual(await prepared(prefix), []);
    // The restarted job reuses checkpoint id 6 without a name clash.
    await write(next, [{ user: 'd', total: 4 }]);
    await next.commit?.((await next.preCommit?.(6)) ?? []);
    assert.deepEqual(await rows(table), ['a=1', 'd=4']);
    await next.close?.();
  });

  test('recovery after a change of parallelism: each subtask decides the leftovers it owns now', async () => {
    const table = await createTable('rescale', '(user_id text PRIMARY KEY, total int)');
    const prefix = uniqueTable('resc');
    const sink = exactlyOnceSink(table, prefix);
    // Four old subtasks each prepared checkpoint 3 (complete) and 4 (never completed).
    const covered: PostgresCommittable[] = [];
    for (let s = 0; s < 4; s++) {
      const w = writer(sink, s, 4);
      await w.open?.();
      await write(w, [{ user: `s${s}-cp3`, total: s }]);
      covered.push(...((await w.preCommit?.(3)) ?? []));
      await write(w, [{ user: `s${s}-cp4`, total: s }]);
      await w.preCommit?.(4);
      await w.close?.();
    }
    assert.equal((await prepared(prefix)).length, 8);
    // Restored at parallelism 2: every subtask gets every committable (union distribution).
    assert.equal(sink.committableDistribution, 'union');
    const news = [writer(sink, 0, 2), writer(sink, 1, 2)];
    // Subtask 1 opens (rolls back) before subtask 0 commits: nothing of checkpoint 3 is lost.
    await news[1]?.commit?.(covered);
    await news[1]?.open?.();
    await news[0]?.commit?.(covered);
    await news[0]?.open?.();
    assert.deepEqual(await rows(table), ['s0-cp3=0', 's1-cp3=1', 's2-cp3=2', 's3-cp3=3']);
    assert.deepEqual(await prepared(prefix), []);
    for (const w of news) await w.close?.();
  });

  test('exactly-once job with checkpoints: each row once, nothing left prepared', async () => {
    const table = await createTable('eojob', '(user_id text PRIMARY KEY, total int)');
    const prefix = uniqueTable('eojob');
    const env = StreamEnvironment.create({
      checkpointInterval: 50,
      checkpointDir: checkpointDir(),
      parallelism: 2,
    });
    env
      .fromSource(
        new DataGenSource((i) => ({ user: `u${i}`, total: i }), {
          count: 400,
          rowsPerSecond: 1000,
        }),
      )
      .sinkTo(exactlyOnceSink(table, prefix));
    const client = env.executeAsync('pg-eo-job');
    await client.result;
    assert.deepEqual(await rows(table), Array.from({ length: 400 }, (_, i) => `u${i}=${i}`).sort());
    assert.deepEqual(await prepared(prefix), []);
    const samples = client.metrics?.() ?? [];
    const sum = (name: string) =>
      samples.filter((s) => s.name === name).reduce((n, s) => n + Number(s.value), 0);
    assert.equal(sum('postgres_rows_written'), 400);
    assert.ok(
      sum('postgres_commits') > 2,
      `one transaction per checkpoint, got ${sum('postgres_commits')}`,
    );
    assert.equal(sum('postgres_commit_failures'), 0);
  });

  test('exactly-once without checkpointing: one transaction committed at the end of the input', async () => {
    const table = await createTable('eoend', '(user_id text PRIMARY KEY, total int)');
    const prefix = uniqueTable('eoend');
    const env = StreamEnvironment.create();
    env
      .fromSource(new DataGenSource((i) => ({ user: `u${i % 10}`, total: i }), { count: 100 }))
      .sinkTo(exactlyOnceSink(table, prefix));
    await env.execute('pg-eo-end');
    assert.deepEqual(
      await rows(table),
      Array.from({ length: 10 }, (_, k) => `u${k}=${90 + k}`).sort(),
    );
    assert.deepEqual(await prepared(prefix), []);
  });

  test('a missing table fails at start naming the table and how to create it', async () => {
    const env = StreamEnvironment.create();
    env
      .fromCollection([{ user: 'a', total: 1 }])
      .sinkTo(exactlyOnceSink('no_such_table_here', uniqueTable('x')));
    await assert.rejects(env.execute('pg-missing'), (e: Error) => {
      assert.match(e.message, /table no_such_table_here does not exist/);
      assert.match(
        e.message,
        /CREATE TABLE no_such_table_here \(user_id <type>, total <type>, PRIMARY KEY \(user_id\)\)/,
      );
      return true;
    });
  });

  test('a missing column and a key without a unique index fail at start', async () => {
    const table = await createTable('cols', '(user_id text, amount int)');
    const run = async (keys: string[], columns: string[]) => {
      const env = StreamEnvironment.create();
      env
        .fromCollection([{ user_id: 'a', total: 1, amount: 1 }])
        .sinkTo(
          PostgresSink.builder<{ user_id: string; total: number; amount: number }>()
            .setConnection(url)
            .setTable(table)
            .setColumns(columns)
            .setKeyColumns(keys)
            .build(),
        );
      return env.execute('pg-columns');
    };
    await assert.rejects(
      run([], ['user_id', 'total']),
      /has no column total \(it has user_id text, amount integer\)/,
    );
    await assert.rejects(
      run(['user_id'], ['user_id', 'amount']),
      /no primary key or unique index on exactly \(user_id\)/,
    );
  });

  test('the builder refuses incomplete settings', () => {
    assert.throws(
      () => PostgresSink.builder().setTable('t').setColumns(['a']).build(),
      /needs a connection/,
    );
    assert.throws(
      () =>
        PostgresSink.builder()
          .setConnection(url)
          .setTable('t')
          .setColumns(['a'])
          .setKeyColumns(['b'])
          .build(),
      /key column b is not among the columns/,
    );
    assert.throws(
      () =>
        PostgresSink.builder()
          .setConnection(url)
          .setTable('t')
          .setColumns(['a'])
          .setTransactionNamePrefix('a|b')
          .build(),
      /contains "\|"/,
    );
  });

  test('a value of the wrong type fails the job with the column type problem and the fix', async () => {
    const table = await createTable('typed', '(user_id text PRIMARY KEY, total int)');
    const env = StreamEnvironment.create();
    env
      .fromCollection<Total>([
        { user: 'a', total: 1 },
        { user: 'b', total: 'lots' as unknown as number },
      ])
      .sinkTo(totalsSink(table).build());
    await assert.rejects(env.execute('pg-type'), (e: Error) => {
      assert.match(e.message, /invalid input syntax for type integer: "lots"/);
      assert.match(e.message, /SQLSTATE 22P02/);
      assert.match(e.message, /setDeadLetterTable/);
      return true;
    });
  });

  for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
    test(`${guarantee}: rows that break a type or constraint go to the dead-letter table with position and reason`, async () => {
      const table = await createTable(
        'dl',
        '(user_id text PRIMARY KEY, total int NOT NULL CHECK (total >= 0))',
      );
      const deadLetters = uniqueTable('dead');
      tables.push(deadLetters);
      const env = StreamEnvironment.create({
        checkpointInterval: 50,
        checkpointDir: checkpointDir(),
      });
      const input: Total[] = Array.from({ length: 50 }, (_, i) => ({
        user: `u${i}`,
        total:
          i === 7
            ? ('seven' as unknown as number)
            : i === 20
              ? -1
              : i === 33
                ? (null as unknown as number)
                : i,
      }));
      env
        .fromCollection(input)
        .sinkTo(
          totalsSink(table)
            .setDeliveryGuarantee(guarantee)
            .setTransactionNamePrefix(uniqueTable('dl'))
            .setDeadLetterTable(deadLetters)
            .build(),
        );
      await env.execute('pg-dead-letters');
      assert.equal((await rows(table)).length, 47);
      const dead = await query<{
        raw: string;
        error: string;
        sqlstate: string;
        position: string;
        target_table: string;
      }>(
        url,
        `SELECT raw, error, sqlstate, position, target_table FROM ${deadLetters} ORDER BY raw`,
      );
      assert.deepEqual(
        dead.map((d) => [JSON.parse(d.raw), d.sqlstate]),
        [
          [{ user_id: 'u20', total: -1 }, '23514'],
          [{ user_id: 'u33', total: null }, '23502'],
          [{ user_id: 'u7', total: 'seven' }, '22P02'],
        ],
      );
      for (const d of dead) {
        assert.equal(d.target_table, table);
        assert.match(d.position, /^subtask 0 attempt 0 batch \d+ row \d+$/);
        assert.ok(d.error.length > 10, d.error);
      }
    });
  }
});
