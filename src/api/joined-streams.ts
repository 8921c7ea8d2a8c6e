/**
 * Window join and window coGroup of two streams (Flink's `JoinedStreams` / `CoGroupedStreams`):
 * both inputs are tagged, unioned, keyed and windowed together; a window's records of both sides
 * are then joined pair by pair (join) or handed over as two lists (coGroup).
 *
 * @module
 */
import type { Duration } from '../util/duration.ts';
import type { WindowAssigner } from '../time/windowing/window-assigner.ts';
import type { Trigger } from '../time/windowing/trigger.ts';
import type { TimeWindow, Window } from '../core/window.ts';
import type { Collector } from '../core/functions/collector.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { CoGroupFunction, JoinFunction } from '../core/functions/process-join-function.ts';
import type { DataStream } from './data-stream.ts';

/** A record of either side. */
interface Tagged {
  readonly side: 0 | 1;
  readonly value: unknown;
}

/** Which window operation: pairs (`join`) or both sides' lists (`coGroup`). */
export type JoinMode = 'join' | 'coGroup';

/**
 * `a.join(b)`: pick the keys with `where` / `equalTo`, then a window, then `apply`.
 *
 * @example
 * ```ts
 * orders.join(payments)
 *   .where((o) => o.id)
 *   .equalTo((p) => p.orderId)
 *   .window(TumblingEventTimeWindows.of('1m'))
 *   .apply((order, payment) => ({ ...order, paid: payment.amount }));
 * ```
 */
export class JoinedStreams<A, B, M extends JoinMode = 'join'> {
  /** @internal */
  constructor(
    private readonly first: DataStream<A>,
    private readonly second: DataStream<B>,
    private readonly mode: M,
  ) {}

  /** The key of the first stream. */
  where<K>(key: KeySelector<A, K>): {
    equalTo(key: KeySelector<B, K>): JoinWhereEqual<A, B, K, M>;
  } {
    return {
      equalTo: (key2) =>
        new JoinWhereEqual<A, B, K, M>(this.first, this.second, key, key2, this.mode),
    };
  }
}

/** Keys chosen; pick a window. */
export class JoinWhereEqual<A, B, K, M extends JoinMode = 'join'> {
  /** @internal */
  constructor(
    private readonly first: DataStream<A>,
    private readonly second: DataStream<B>,
    private readonly key1: KeySelector<A, K>,
    private readonly key2: KeySelector<B, K>,
    private readonly mode: M,
  ) {}

  /** Joins records of the same key in the same window. */
  window<W extends Window = TimeWindow>(
    assigner: WindowAssigner<unknown, W>,
  ): WindowedJoin<A, B, K, W, M> {
    return new WindowedJoin<A, B, K, W, M>(
      this.first,
      this.second,
      this.key1,
      this.key2,
      assigner,
      this.mode,
    );
  }
}

/** A window join ready to apply. */
export class WindowedJoin<A, B, K, W extends Window, M extends JoinMode = 'join'> {
  private triggerFn: Trigger<unknown, W> | undefined;
  private lateness: Duration = 0;
  /** @internal */
  constructor(
    private readonly first: DataStream<A>,
    private readonly second: DataStream<B>,
    private readonly key1: KeySelector<A, K>,
    private readonly key2: KeySelector<B, K>,
    private readonly assigner: WindowAssigner<unknown, W>,
    private readonly mode: M,
  ) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<unknown, W>): this {
    this.triggerFn = trigger;
    return this;
  }

  /** See `WindowedStream.allowedLateness`. */
  allowedLateness(lateness: Duration): this {
    this.lateness = lateness;
    return this;
  }

  /**
   * join: `fn(a, b)` for every pair of the same key and window; coGroup: `fn(as, bs, out)` once
   * per key and window.
   */
  apply<O>(fn: M extends 'join' ? JoinFunction<A, B, O> : CoGroupFunction<A, B, O>): DataStream<O> {
    const k1 = this.key1;
    const k2 = this.key2;
    const left = this.first.map((value): Tagged => ({ side: 0, value })).name('JoinTag(1)');
    const right = this.second.map((value): Tagged => ({ side: 1, value })).name('JoinTag(2)');
    let windowed = left
      .union(right)
      .keyBy((t: Tagged) => (t.side === 0 ? k1(t.value as A) : k2(t.value as B)))
      .window(this.assigner as unknown as WindowAssigner<Tagged, W>)
      .allowedLateness(this.lateness);
    if (this.triggerFn !== undefined) {
      windowed = windowed.trigger(this.triggerFn as unknown as Trigger<Tagged, W>);
    }
    const mode = this.mode;
    const name = mode === 'join' ? 'WindowJoin' : 'WindowCoGroup';
    return windowed
      .process<O>({
        process(_key: unknown, _ctx: unknown, elements: readonly Tagged[], out: Collector<O>) {
          const as: A[] = [];
          const bs: B[] = [];
          for (const e of elements) {
            if (e.side === 0) as.push(e.value as A);
            else bs.push(e.value as B);
          }
          if (mode === 'coGroup') {
            (fn as CoGroupFunction<A, B, O>)(as, bs, out);
            return;
          }
          const join = fn as JoinFunction<A, B, O>;
          for (const a of as) for (const b of bs) out.collect(join(a, b));
        },
      })
      .name(name);
  }
}
