/**
 * `eddy/postgres`: a PostgreSQL sink — at-least-once batched inserts or upserts, or exactly-once
 * with a prepared transaction per checkpoint — and a lookup source for `LookupJoin`, on the
 * `pg` client.
 *
 * @example
 * ```ts
 * import { StreamEnvironment } from 'eddy';
 * import { PostgresSink } from 'eddy/postgres';
 *
 * const env = StreamEnvironment.create({ checkpointInterval: '10s', checkpointDir: 'chk' });
 * env
 *   .fromCollection([{ user: 'ana', clicks: 3 }])
 *   .sinkTo(
 *     PostgresSink.builder<{ user: string; clicks: number }>()
 *       .setConnection('postgres://eddy@localhost:5432/analytics')
 *       .setTable('user_clicks')
 *       .setColumns(['user', 'clicks'])
 *       .setKeyColumns(['user'])
 *       .setDeliveryGuarantee('exactly-once')
 *       .build(),
 *   );
 * await env.execute('clicks-to-postgres');
 * ```
 *
 * @module
 */
export { PostgresSink } from './postgres-sink.ts';
export { PostgresSinkBuilder } from './postgres-sink-builder.ts';
export type { PostgresSinkOptions, PostgresDeliveryGuarantee } from './postgres-sink-options.ts';
export type { PostgresCommittable } from './postgres-sink-writer.ts';
export type { PostgresConnectionOptions } from './postgres-connection.ts';
export { transactionName, parseTransactionName } from './transaction-name.ts';
export { PostgresLookupSource, type PostgresLookupOptions } from './postgres-lookup-source.ts';
