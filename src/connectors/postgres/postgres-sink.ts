/**
 * `PostgresSink`: rows into a PostgreSQL table, at-least-once (batched inserts or upserts by key)
 * or exactly-once (one prepared transaction per checkpoint, committed when the checkpoint
 * completes); writers in postgres-sink-writer.ts.
 *
 * @module
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/connector-spi.ts';
import { describeConnection } from './postgres-connection.ts';
import { PostgresSinkBuilder } from './postgres-sink-builder.ts';
import type { PostgresDeliveryGuarantee, PostgresSinkOptions } from './postgres-sink-options.ts';
import { AtLeastOncePostgresWriter, ExactlyOncePostgresWriter } from './postgres-sink-writer.ts';

/**
 * Writes records to a PostgreSQL table. Build one with {@link PostgresSink.builder}.
 *
 * @example
 * ```ts
 * const sink = PostgresSink.builder<{ user: string; clicks: number }>()
 *   .setConnection('postgres://eddy@localhost:5432/analytics')
 *   .setTable('user_clicks')
 *   .setColumns(['user', 'clicks'])
 *   .setKeyColumns(['user'])
 *   .setDeliveryGuarantee('exactly-once')
 *   .build();
 * counts.sinkTo(sink).uid('clicks-to-postgres');
 * ```
 */
export class PostgresSink<T> implements Sink<T> {
  readonly name: string;
  /**
   * Every subtask of a restored job gets every restored committable when the parallelism
   * changed: each commits those it owns and rolls back the leftovers it owns, and must know the
   * full set not to roll back one another subtask is committing.
   */
  readonly committableDistribution = 'union' as const;

  /** @internal Use {@link PostgresSink.builder}. */
  constructor(readonly options: PostgresSinkOptions<T>) {
    this.name = options.name;
  }

  /** A builder. */
  static builder<T>(): PostgresSinkBuilder<T> {
    return new PostgresSinkBuilder<T>((options) => new PostgresSink<T>(options));
  }

  /** At-least-once or exactly-once. */
  get deliveryGuarantee(): PostgresDeliveryGuarantee {
    return this.options.deliveryGuarantee;
  }

  describe(): Readonly<Record<string, unknown>> {
    const o = this.options;
    return {
      kind: 'postgres',
      connection: describeConnection(o.connection),
      table: o.table,
      columns: o.columns.join(','),
      ...(o.keyColumns.length > 0 ? { upsertBy: o.keyColumns.join(',') } : {}),
      deliveryGuarantee: o.deliveryGuarantee,
      ...(o.deadLetterTable !== undefined ? { deadLetterTable: o.deadLetterTable } : {}),
    };
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return this.options.deliveryGuarantee === 'exactly-once'
      ? (new ExactlyOncePostgresWriter<T>(this.options, ctx) as SinkWriter<T>)
      : new AtLeastOncePostgresWriter<T>(this.options, ctx);
  }
}
