/**
 * The writers of {@link PostgresSink}: one per subtask, each with its own connection.
 *
 * Writes are queued on the connection in order and do not hold up the record path: `write`
 * encodes the batch into statement parameters at once (the batch is reused after the call) and
 * returns a promise — the job then waits — only when more than `maxBufferedRows` rows are queued.
 *
 * **At-least-once**: each batch is written as it comes (in a short transaction when dead
 * letters are kept), and a checkpoint completes only once everything before its barrier is
 * written; after a failure the rows since the last checkpoint are written again, which upserts
 * by key make harmless.
 *
 * **Exactly-once**: the rows between two barriers go into one transaction, which the barrier
 * seals with `PREPARE TRANSACTION '<name>'` (durable, but invisible and holding its row locks),
 * and which `COMMIT PREPARED` makes visible once the checkpoint is complete — on a second
 * connection, since the first may be waiting for those very row locks with the next
 * transaction's upserts. Names are `eddy|<prefix>|<subtask>|<checkpoint>` (transaction-name.ts).
 * On (re)start the runtime first commits the prepared transactions the restored checkpoint
 * holds (`commit`, before `open`); `open` then rolls back every other transaction of this sink
 * and subtask still prepared — what a dead attempt prepared for a checkpoint that never
 * completed — so that nothing it wrote after the restored checkpoint is ever committed.
 * When the parallelism changed, subtask `i` decides the leftovers of old subtasks `s` with
 * `s % parallelism === i` (the sink asks for every restored committable on every subtask, so
 * none rolls back what another one commits).
 *
 * Rows whose values do not fit their columns (SQLSTATE class 22) or that break a constraint
 * (class 23) fail the job with the server's detail, or, with a dead-letter table, are isolated
 * by savepoints and written there with the error, in the same transaction as the good rows.
 *
 * @module
 */
import pg from 'pg';
import type { SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import type { Counter, Histogram } from '../../core/metric-group.ts';
import { userError } from '../../errors/eddy-error.ts';
import { connectClient, quoteQualified } from './postgres-connection.ts';
import {
  isRowError,
  postgresEddyError,
  sqlState,
  UNDEFINED_OBJECT,
} from './postgres-eddy-error.ts';
import type { PostgresSinkOptions } from './postgres-sink-options.ts';
import { checkTable } from './postgres-table.ts';
import { invalidPrefix, parseTransactionName, transactionName } from './transaction-name.ts';
import { UpsertStatement, type EncodedChunk } from './upsert-statement.ts';

/** What an exactly-once sink stores in a checkpoint for a prepared transaction. */
export interface PostgresCommittable {
  /** The prepared transaction's name (its GID). */
  readonly transactionName: string;
  /** The subtask that prepared it. */
  readonly subtask: number;
  /** The checkpoint whose barrier sealed it. */
  readonly checkpointId: number;
}

/** The sink's metrics, per subtask. */
interface SinkMetrics {
  readonly rows: Counter;
  readonly batchLatency: Histogram;
  readonly commits: Counter;
  readonly commitFailures: Counter;
  readonly deadLetters: Counter;
  readonly recoveryRollbacks: Counter;
}

/** JSON that also takes bigints (as strings) and never throws, for dead letters. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (e) {
    return JSON.stringify({ unserializable: String(e) });
  }
}

/** The queue, table checks, batch statements and dead letters shared by both guarantees. */
abstract class PostgresWriterBase<T> {
  protected client: pg.Client | undefined;
  /** Settles when every queued statement has run (never rejects: failures go to `failure`). */
  protected queue: Promise<void> = Promise.resolve();
  protected failure: unknown;
  protected readonly statement: UpsertStatement<T>;
  protected readonly metrics: SinkMetrics;
  private buffered = 0;
  private batches = 0;
  private deadLetterSql: string | undefined;

  constructor(
    protected readonly options: PostgresSinkOptions<T>,
    protected readonly ctx: SinkWriterContext,
  ) {
    this.statement = new UpsertStatement<T>(
      options.table,
      options.columns,
      options.keyColumns,
      options.toRow,
      options.maxBatchRows,
    );
    const m = ctx.metrics;
    this.metrics = {
      rows: m.counter('postgres_rows_written', 'rows written to PostgreSQL'),
      batchLatency: m.histogram(
        'postgres_batch_latency_ms',
        'milliseconds to write one batch statement',
      ),
      commits: m.counter('postgres_commits', 'PostgreSQL transactions committed'),
      commitFailures: m.counter('postgres_commit_failures', 'PostgreSQL commits that failed'),
      deadLetters: m.counter(
        'postgres_dead_letters',
        'rows written to the dead-letter table instead of the sink table',
      ),
      recoveryRollbacks: m.counter(
        'postgres_recovery_rollbacks',
        'prepared transactions of a dead attempt rolled back at start',
      ),
    };
  }

  /** Connects, checks the table, creates the dead-letter table when missing. */
  async open(): Promise<void> {
    try {
      const client = await this.connect('');
      this.client = client;
      await checkTable(client, {
        operator: this.ctx.sinkName,
        table: this.options.table,
        columns: this.options.columns,
        keyColumns: this.options.keyColumns,
      });
      if (this.options.deadLetterTable !== undefined) await this.createDeadLetterTable(client);
    } catch (e) {
      throw this.error(e, 'opening the table');
    }
  }

  write(values: readonly T[], _timestamps: readonly number[], count: number): void | Promise<void> {
    this.throwFailure('write');
    if (count === 0) return undefined;
    const chunks = this.statement.encode(values, count);
    this.rowsAccepted(count);
    this.enqueue(() => this.writeChunks(chunks), count);
    if (this.buffered > this.options.maxBufferedRows) {
      return this.queue.then(() => this.throwFailure('write'));
    }
    return undefined;
  }

  /** Everything handed to the sink so far is written. */
  async flush(): Promise<void> {
    await this.queue;
    this.throwFailure('write');
  }

  async close(): Promise<void> {
    // An open (not prepared) transaction dies with the connection.
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /** Called synchronously for every accepted batch. */
  protected rowsAccepted(_count: number): void {}

  /** Writes the chunks of one batch (in the queue's order). */
  protected abstract writeChunks(chunks: readonly EncodedChunk[]): Promise<void>;

  /** Runs `work` after everything queued before it; a failure stops all later work. */
  protected enqueue(work: () => Promise<void>, rows = 0): void {
    this.buffered += rows;
    this.queue = this.queue.then(async () => {
      try {
        if (this.failure === undefined) await work();
      } catch (e) {
        this.failure ??= e;
      } finally {
        this.buffered -= rows;
      }
    });
  }

  protected connect(role: string): Promise<pg.Client> {
    const name = `eddy ${this.ctx.sinkName}[${this.ctx.subtaskIndex}]${role}`;
    return connectClient(this.options.connection, name, (e) => {
      this.failure ??= e;
    });
  }

  /** One chunk: a multi-row statement, or with dead letters, isolated row by row on failure. */
  protected async insertChunk(chunk: EncodedChunk): Promise<void> {
    const client = this.client as pg.Client;
    const started = performance.now();
    const batch = ++this.batches;
    const sql = this.statement.sql(chunk.rows);
    let written = chunk.rows;
    if (this.deadLetterSql === undefined) {
      await client.query(sql, chunk.params);
    } else {
      await client.query('SAVEPOINT eddy_batch');
      try {
        await client.query(sql, chunk.params);
      } catch (e) {
        if (!isRowError(e)) throw e;
        await client.query('ROLLBACK TO SAVEPOINT eddy_batch');
        written -= await this.insertRowByRow(client, chunk, batch);
      }
      await client.query('RELEASE SAVEPOINT eddy_batch');
    }
    this.metrics.batchLatency.observe(performance.now() - started);
    this.metrics.rows.inc(written);
  }

  /** Inserts each row under a savepoint; rows that fail go to the dead-letter table. */
  private async insertRowByRow(
    client: pg.Client,
    chunk: EncodedChunk,
    batch: number,
  ): Promise<number> {
    const one = this.statement.sql(1);
    let dead = 0;
    for (let r = 0; r < chunk.rows; r++) {
      await client.query('SAVEPOINT eddy_row');
      try {
        await client.query(one, this.statement.rowParams(chunk, r));
        await client.query('RELEASE SAVEPOINT eddy_row');
      } catch (e) {
        if (!isRowError(e)) throw e;
        await client.query('ROLLBACK TO SAVEPOINT eddy_row');
        const message = e instanceof Error ? e.message : String(e);
        const detail = (e as { detail?: string }).detail;
        await client.query(this.deadLetterSql as string, [
          this.ctx.sinkName,
          this.options.table,
          `subtask ${this.ctx.subtaskIndex} attempt ${this.ctx.functionContext.taskInfo.attempt} batch ${batch} row ${r}`,
          safeJson(this.statement.rowObject(chunk, r)),
          detail !== undefined ? `${message} (${detail})` : message,
          sqlState(e) ?? null,
        ]);
        this.metrics.deadLetters.inc();
        dead++;
      }
    }
    return dead;
  }

  private async createDeadLetterTable(client: pg.Client): Promise<void> {
    const table = quoteQualified(this.options.deadLetterTable as string);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (
           id bigserial PRIMARY KEY,
           sink text NOT NULL,
           target_table text NOT NULL,
           position text NOT NULL,
           raw text NOT NULL,
           error text NOT NULL,
           sqlstate text,
           written_at timestamptz NOT NULL DEFAULT now())`,
      );
    } catch (e) {
      // Subtasks creating it at the same moment: one wins, the others see it exist.
      const state = sqlState(e);
      if (state !== '23505' && state !== '42P07') throw e;
    }
    this.deadLetterSql = `INSERT INTO ${table} (sink, target_table, position, raw, error, sqlstate) VALUES ($1, $2, $3, $4, $5, $6)`;
  }

  protected throwFailure(what: string): void {
    if (this.failure !== undefined) throw this.error(this.failure, what);
  }

  protected error(e: unknown, what: string): Error {
    return postgresEddyError(e, 'SINK_FAILED', this.ctx.sinkName, what, this.options.table);
  }
}

/** `at-least-once`: batches written as they come; checkpoints wait until they are written. */
export class AtLeastOncePostgresWriter<T> extends PostgresWriterBase<T> implements SinkWriter<T> {
  protected async writeChunks(chunks: readonly EncodedChunk[]): Promise<void> {
    const client = this.client as pg.Client;
    // Savepoints (dead letters) need a transaction; without them each statement commits itself.
    const transaction = this.options.deadLetterTable !== undefined;
    try {
      if (transaction) await client.query('BEGIN');
      for (const chunk of chunks) await this.insertChunk(chunk);
      if (transaction) await client.query('COMMIT');
      this.metrics.commits.inc();
    } catch (e) {
      this.metrics.commitFailures.inc();
      throw e;
    }
  }

  /** At the barrier: the checkpoint completes once everything before it is written. */
  preCommit(): Promise<readonly never[]> {
    return this.queue.then(() => {
      this.throwFailure('write');
      return [];
    });
  }
}

/** `exactly-once`: a prepared transaction per checkpoint. See the module documentation. */
export class ExactlyOncePostgresWriter<T>
  extends PostgresWriterBase<T>
  implements SinkWriter<T, PostgresCommittable>
{
  private readonly prefix: string;
  private control: Promise<pg.Client> | undefined;
  /** Rows accepted since the last barrier (synchronous: decides whether a barrier prepares). */
  private rowsSinceBarrier = 0;
  /** Whether the write connection is inside a transaction (in queue order). */
  private inTransaction = false;
  /** Transactions this writer prepared and has not decided yet. */
  private readonly prepared = new Set<string>();
  /** Restored transactions committed before `open` (they must not be rolled back). */
  private readonly restored = new Set<string>();
  private opened = false;

  constructor(options: PostgresSinkOptions<T>, ctx: SinkWriterContext) {
    super(options, ctx);
    const info = ctx.functionContext.taskInfo;
    this.prefix =
      options.transactionNamePrefix ??
      `${info.jobName}/${info.operatorUid ?? ctx.sinkName}`.replaceAll('|', '/');
    const why = invalidPrefix(this.prefix);
    if (why !== undefined) {
      throw userError('INVALID_ARGUMENT', why, {
        operator: { name: ctx.sinkName },
        hint: 'set a short prefix with setTransactionNamePrefix(...)',
      });
    }
  }

  override async open(): Promise<void> {
    await super.open();
    const client = this.client as pg.Client;
    try {
      const max = await client.query<{ max_prepared_transactions: string }>(
        'SHOW max_prepared_transactions',
      );
      if (Number(max.rows[0]?.max_prepared_transactions ?? 0) === 0) {
        throw userError(
          'SINK_FAILED',
          'the database has prepared transactions disabled (max_prepared_transactions = 0), which exactly-once needs',
          {
            operator: { name: this.ctx.sinkName },
            hint: "set max_prepared_transactions (e.g. 64, at least the sink's parallelism times 2) in postgresql.conf and restart PostgreSQL, or use setDeliveryGuarantee('at-least-once')",
          },
        );
      }
      await this.rollBackLeftovers(await this.controlClient());
    } catch (e) {
      throw this.error(e, 'recovery of prepared transactions');
    }
    this.opened = true;
  }

  protected override rowsAccepted(count: number): void {
    this.rowsSinceBarrier += count;
  }

  protected async writeChunks(chunks: readonly EncodedChunk[]): Promise<void> {
    if (!this.inTransaction) {
      await (this.client as pg.Client).query('BEGIN');
      this.inTransaction = true;
    }
    for (const chunk of chunks) await this.insertChunk(chunk);
  }

  /**
   * Seals the open transaction at the barrier (later rows go into the next one) and resolves
   * once PostgreSQL has prepared it, so a completed checkpoint never refers to a transaction
   * that lost a row.
   */
  preCommit(
    checkpointId: number,
  ): readonly PostgresCommittable[] | Promise<readonly PostgresCommittable[]> {
    this.throwFailure('write');
    if (this.rowsSinceBarrier === 0) return [];
    this.rowsSinceBarrier = 0;
    const name = transactionName(this.prefix, this.ctx.subtaskIndex, checkpointId);
    this.enqueue(async () => {
      await (this.client as pg.Client).query(`PREPARE TRANSACTION ${pg.escapeLiteral(name)}`);
      this.inTransaction = false;
      this.prepared.add(name);
    });
    const committable: PostgresCommittable = {
      transactionName: name,
      subtask: this.ctx.subtaskIndex,
      checkpointId,
    };
    return this.queue.then(() => {
      this.throwFailure(`prepare of transaction ${name}`);
      return [committable];
    });
  }

  async commit(committables: readonly PostgresCommittable[]): Promise<void> {
    const { subtaskIndex, parallelism } = this.ctx;
    for (const c of committables) {
      // After a change of parallelism every subtask sees every restored committable.
      if (c.subtask % parallelism !== subtaskIndex) continue;
      const name = c.transactionName;
      try {
        const control = await this.controlClient();
        await control.query(`COMMIT PREPARED ${pg.escapeLiteral(name)}`);
        this.metrics.commits.inc();
      } catch (e) {
        if (sqlState(e) !== UNDEFINED_OBJECT) {
          this.metrics.commitFailures.inc();
          throw this.error(e, `commit of transaction ${name}`);
        }
        if (this.prepared.has(name)) {
          // This attempt prepared it, nobody else may decide it: someone rolled it back.
          this.metrics.commitFailures.inc();
          process.emitWarning(
            `PostgresSink ${this.ctx.sinkName}: prepared transaction ${name} of a completed checkpoint was rolled back by someone else before its commit; its rows are lost`,
            'EddyPostgresDataLoss',
          );
        }
        // Otherwise committed before a restart: commits are idempotent.
      }
      this.prepared.delete(name);
      if (!this.opened) this.restored.add(name);
    }
  }

  async abort(committables: readonly PostgresCommittable[]): Promise<void> {
    for (const c of committables) {
      if (!this.prepared.delete(c.transactionName)) continue;
      try {
        const control = await this.controlClient();
        await control.query(`ROLLBACK PREPARED ${pg.escapeLiteral(c.transactionName)}`);
      } catch {
        // The next attempt's open() rolls it back.
      }
    }
  }

  override async close(): Promise<void> {
    await super.close();
    const control = this.control;
    this.control = undefined;
    await control?.then((c) => c.end()).catch(() => undefined);
  }

  /** The connection for commits and rollbacks, separate from the one that writes. */
  private controlClient(): Promise<pg.Client> {
    if (this.control === undefined) {
      const connecting = this.connect(' control');
      this.control = connecting;
      // A failed connect is retried by the next caller.
      connecting.catch(() => {
        if (this.control === connecting) this.control = undefined;
      });
    }
    return this.control;
  }

  /** Rolls back this sink's and subtask's prepared transactions that no checkpoint covers. */
  private async rollBackLeftovers(control: pg.Client): Promise<void> {
    const { subtaskIndex, parallelism } = this.ctx;
    const left = await control.query<{ gid: string }>(
      'SELECT gid FROM pg_prepared_xacts WHERE database = current_database()',
    );
    for (const { gid } of left.rows) {
      const parsed = parseTransactionName(this.prefix, gid);
      if (parsed === undefined || parsed.subtask % parallelism !== subtaskIndex) continue;
      if (this.restored.has(gid)) continue;
      try {
        await control.query(`ROLLBACK PREPARED ${pg.escapeLiteral(gid)}`);
        this.metrics.recoveryRollbacks.inc();
      } catch (e) {
        // Decided in between (by an earlier attempt's abort still finishing).
        if (sqlState(e) !== UNDEFINED_OBJECT) throw e;
      }
    }
  }
}
