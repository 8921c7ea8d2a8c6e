/**
 * Interval join: `a.keyBy(k).intervalJoin(b.keyBy(k)).between(lower, upper).process(fn)` joins a
 * left record at `t` with every right record of the same key at `t + lower ≤ t' ≤ t + upper`.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import { toMillis, type Duration } from '../util/duration.ts';
import type {
  ProcessJoinFn,
  ProcessJoinFunction,
} from '../core/functions/process-join-function.ts';
import { DataStream, functionName } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { IntervalJoinConfig, NodeSettings } from '../plan/node-kinds.ts';

/** A signed duration: ms (may be negative) or a string such as `'-5s'`. */
export type SignedDuration = Duration | `-${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

function signedMillis(d: SignedDuration, what: string): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d)) throw userError('INVALID_ARGUMENT', `${what} must be finite`);
    return d;
  }
  return d.startsWith('-')
    ? -toMillis(d.slice(1) as Duration, what)
    : toMillis(d as Duration, what);
}

/**
 * Two keyed streams to join by time interval; call {@link IntervalJoin.between}.
 *
 * @example
 * ```ts
 * clicks.keyBy((c) => c.user).intervalJoin(views.keyBy((v) => v.user))
 *   .between('-1m', '0s')
 *   .process((click, view, ctx, out) => out.collect({ click, view }));
 * ```
 */
export class IntervalJoin<L, R, K> {
  /** @internal */
  constructor(
    private readonly left: KeyedStream<K, L>,
    private readonly right: KeyedStream<K, R>,
  ) {}

  /** Joins left records at t with right records at `t + lower ≤ t' ≤ t + upper`. */
  between(lower: SignedDuration, upper: SignedDuration): IntervalJoined<L, R, K> {
    const lo = signedMillis(lower, 'lower bound');
    const hi = signedMillis(upper, 'upper bound');
    if (lo > hi) {
      throw userError(
        'INVALID_ARGUMENT',
        `between(${lo}, ${hi}): the lower bound is above the upper bound`,
        {
          hint: 'swap the bounds: between(lower, upper) with lower ≤ upper',
        },
      );
    }
    return new IntervalJoined(this.left, this.right, lo, hi);
  }
}

/** An interval join with bounds; call {@link IntervalJoined.process}. */
export class IntervalJoined<L, R, K> {
  private lowerExclusive = false;
  private upperExclusive = false;
  private leftLate: OutputTag<L> | undefined;
  private rightLate: OutputTag<R> | undefined;
  /** @internal */
  constructor(
    private readonly left: KeyedStream<K, L>,
    private readonly right: KeyedStream<K, R>,
    private readonly lower: number,
    private readonly upper: number,
  ) {}

  /** Leaves out right records exactly at `t + lower`. */
  lowerBoundExclusive(): this {
    this.lowerExclusive = true;
    return this;
  }

  /** Leaves out right records exactly at `t + upper`. */
  upperBoundExclusive(): this {
    this.upperExclusive = true;
    return this;
  }

  /**
   * Sends left records that arrive late (at or behind the watermark) to a side output instead of
   * dropping them (Flink's `sideOutputLeftLateData`); read it with `getSideOutput(tag)` on the
   * joined stream.
   */
  sideOutputLeftLateData(tag: OutputTag<L>): this {
    this.leftLate = tag;
    return this;
  }

  /** Sends late right records to a side output instead of dropping them (`sideOutputRightLateData`). */
  sideOutputRightLateData(tag: OutputTag<R>): this {
    this.rightLate = tag;
    return this;
  }

  /**
   * Calls `fn` for every joined pair; results carry the larger of the two timestamps. Records
   * that arrive at or behind the watermark are late: sent to the side outputs set with
   * {@link IntervalJoined.sideOutputLeftLateData} / {@link IntervalJoined.sideOutputRightLateData},
   * or dropped and counted in `late_records_dropped`. Buffered records are removed once the
   * watermark passes the interval.
   */
  process<O>(fn: ProcessJoinFunction<L, R, O, K> | ProcessJoinFn<L, R, O, K>): DataStream<O> {
    const f =
      typeof fn === 'function' ? ({ processElement: fn } as ProcessJoinFunction<L, R, O, K>) : fn;
    if (typeof f?.processElement !== 'function') {
      throw userError(
        'INVALID_JOB',
        'intervalJoin().process() needs processElement(left, right, ctx, out)',
        {
          hint: 'pass a function (left, right, ctx, out) => … or an object with processElement()',
        },
      );
    }
    const config: IntervalJoinConfig = {
      lowerMs: this.lowerExclusive ? this.lower + 1 : this.lower,
      upperMs: this.upperExclusive ? this.upper - 1 : this.upper,
      ...(this.leftLate !== undefined ? { leftLateTag: this.leftLate.id } : {}),
      ...(this.rightLate !== undefined ? { rightLateTag: this.rightLate.id } : {}),
    };
    const env = this.left.env;
    const t = env._addTransformation({
      kind: 'interval-join',
      name: `IntervalJoin(${functionName(fn, 'ProcessJoin')})`,
      keyed: true,
      inputs: [
        {
          ports: this.left.ports,
          partitioning: 'hash',
          keySelector: this.left.keySelector as (v: never) => unknown,
        },
        {
          ports: this.right.ports,
          partitioning: 'hash',
          keySelector: this.right.keySelector as (v: never) => unknown,
        },
      ],
      settings: { fn: f as NodeSettings<'interval-join'>['fn'] },
      config,
      sideOutputs: ['*'],
    });
    return new DataStream<O>(env, [{ node: t.id, tag: undefined }], t);
  }
}
