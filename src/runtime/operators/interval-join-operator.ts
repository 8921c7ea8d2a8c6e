/**
 * Interval join (Flink's `IntervalJoinOperator`): both sides are buffered per key in keyed map
 * state (timestamp → records); a record joins the other side's buffered records inside its
 * interval, and an event-time timer removes a bucket once the watermark has passed every
 * interval it could still join.
 *
 * A record at or behind the watermark (`t ≤ watermark`) is late: it goes to its side's late
 * output when the user set one (`sideOutputLeftLateData` / `sideOutputRightLateData`), and is
 * dropped and counted otherwise. One deliberate difference: Flink treats only `t < watermark` as
 * late, but may already have cleaned the bucket such a record should meet, losing pairs silently;
 * treating `t = watermark` as late (as windows do) keeps the rule exact: every pair of on-time
 * records is emitted exactly once.
 *
 * @module
 */
import type { ProcessJoinContext } from '../../core/functions/process-join-function.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { OutputTag } from '../../core/output-tag.ts';
import { userError } from '../../errors/eddy-error.ts';
import type { MetricGroup } from '../../core/metric-group.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import { MapStateDescriptor } from '../../core/state-descriptor.ts';
import type { MapState } from '../../core/state.ts';
import type { Emitter } from '../emitter.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { InternalTimerService, TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator, type KeyFn } from './udf-operator.ts';

const LEFT = 'L';
const RIGHT = 'R';

export class IntervalJoinOperator
  extends UdfOperator<'interval-join'>
  implements ProcessJoinContext
{
  private readonly lower: number;
  private readonly upper: number;
  private readonly keySelector2: KeyFn;
  private readonly left: MapState<number, unknown[]>;
  private readonly right: MapState<number, unknown[]>;
  private readonly ts: InternalTimerService;
  private readonly be: HeapKeyedStateBackend;
  /** Late-record side outputs per input (left, right), when the user asked for them. */
  private readonly lateOuts: readonly (Emitter | undefined)[];
  leftTimestamp = 0;
  rightTimestamp = 0;
  timestamp = 0;
  readonly metrics: MetricGroup;

  constructor(setup: OperatorSetup<'interval-join'>) {
    super(setup);
    const config = setup.node.config;
    this.lower = config.lowerMs;
    this.upper = config.upperMs;
    this.keySelector2 = setup.binding.keySelectors?.[1] as KeyFn;
    this.be = this.backend as HeapKeyedStateBackend;
    this.ts = this.timers as InternalTimerService;
    this.left = this.be.getMapState(new MapStateDescriptor<number, unknown[]>('left-buffer'));
    this.right = this.be.getMapState(new MapStateDescriptor<number, unknown[]>('right-buffer'));
    this.metrics = this.ctx.metrics;
    const late = (tag: string | undefined): Emitter | undefined =>
      tag === undefined ? undefined : setup.sideOutputs.get(tag);
    this.lateOuts = [late(config.leftLateTag), late(config.rightLateTag)];
  }

  getCurrentKey(): unknown {
    return this.be.currentRawKey;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.ctx.currentTimestamp = this.timestamp;
    this.ctx.output(tag, value);
  }

  processBatch(batch: RecordBatch, input: number): void {
    const { values, timestamps, size } = batch;
    const isLeft = input === 0;
    const ks = isLeft ? (this.keySelector as KeyFn) : this.keySelector2;
    const ours = isLeft ? this.left : this.right;
    const other = isLeft ? this.right : this.left;
    // The other side's interval relative to ours: left t joins right in [t+lower, t+upper];
    // right t joins left in [t-upper, t-lower].
    const lo = isLeft ? this.lower : -this.upper;
    const hi = isLeft ? this.upper : -this.lower;
    const be = this.be;
    const lateOut = this.lateOuts[input];
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (t !== t) throw this.noTimestamp();
      if (t <= this.currentWatermark) {
        if (lateOut !== undefined) lateOut.collectWithTimestamp(v, t);
        else this.lateRecordsDropped++;
        continue;
      }
      be.setCurrentKey(ks(v));
      const bucket = ours.get(t);
      if (bucket === undefined) ours.put(t, [v]);
      else {
        bucket.push(v);
        ours.put(t, bucket);
      }
      for (const [ot, list] of other.entries()) {
        if (ot < t + lo || ot > t + hi) continue;
        for (const o of list) {
          if (isLeft) this.collect(v, o, t, ot);
          else this.collect(o, v, ot, t);
        }
      }
      // Once the watermark passes t + hi, no on-time record of the other side can join t.
      const cleanup = hi > 0 ? t + hi : t;
      this.ts.setNamespace(isLeft ? LEFT : RIGHT);
      this.ts.registerEventTimeTimer(cleanup);
    }
    this.flushOutputs();
  }

  private collect(l: unknown, r: unknown, lt: number, rt: number): void {
    this.leftTimestamp = lt;
    this.rightTimestamp = rt;
    const ts = lt > rt ? lt : rt;
    this.timestamp = ts;
    this.out.timestamp = ts;
    this.fn.processElement(l, r, this, this.out);
  }

  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    if (domain !== 'EVENT_TIME') return;
    // The namespace says which side; the bucket's timestamp follows from how it was registered.
    this.be.setCurrentNamespace(undefined);
    if (timer.namespace === LEFT) {
      const hi = this.upper;
      this.left.remove(hi > 0 ? timer.timestamp - hi : timer.timestamp);
    } else {
      const hi = -this.lower;
      this.right.remove(hi > 0 ? timer.timestamp - hi : timer.timestamp);
    }
  }

  private noTimestamp(): Error {
    return userError('INVALID_JOB', 'a record reached an interval join without a timestamp', {
      operator: this.ref,
      hint: 'give both sources a WatermarkStrategy with withTimestampAssigner(...)',
    });
  }
}
