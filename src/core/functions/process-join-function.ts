import type { MetricGroup } from '../metric-group.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { RichFunction } from './rich-function.ts';

/** What a {@link ProcessJoinFunction} knows about the pair being joined. */
export interface ProcessJoinContext<K = unknown> {
  /** Event timestamp of the left record. */
  readonly leftTimestamp: number;
  /** Event timestamp of the right record. */
  readonly rightTimestamp: number;
  /** Timestamp of the joined result: the larger of the two. */
  readonly timestamp: number;
  /** Metrics of the operator. */
  readonly metrics: MetricGroup;
  /** The key of both records. */
  getCurrentKey(): K;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The plain-function form of a {@link ProcessJoinFunction}. */
export type ProcessJoinFn<L, R, O, K = unknown> = (
  left: L,
  right: R,
  ctx: ProcessJoinContext<K>,
  out: Collector<O>,
) => void;

/**
 * Called for every pair of an interval join.
 *
 * @example
 * ```ts
 * orders.keyBy((o) => o.id).intervalJoin(payments.keyBy((p) => p.orderId))
 *   .between('0s', '1h')
 *   .process((order, payment, ctx, out) => out.collect({ ...order, paidAt: ctx.rightTimestamp }));
 * ```
 */
export interface ProcessJoinFunction<L, R, O, K = unknown> extends RichFunction<K> {
  processElement(left: L, right: R, ctx: ProcessJoinContext<K>, out: Collector<O>): void;
}

/** Joins one pair of a window join into one result. */
export type JoinFunction<A, B, O> = (first: A, second: B) => O;

/** Receives all records of both sides of one key and window (a window coGroup). */
export type CoGroupFunction<A, B, O> = (
  first: readonly A[],
  second: readonly B[],
  out: Collector<O>,
) => void;
