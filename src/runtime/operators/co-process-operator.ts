import type { Collector } from '../../core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../core/functions/context.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator, type KeyFn } from './udf-operator.ts';

interface CoProcessObject {
  processElement1(value: unknown, ctx: Context<unknown>, out: Collector<unknown>): void;
  processElement2(value: unknown, ctx: Context<unknown>, out: Collector<unknown>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>): void;
}

/** Runs a CoProcessFunction or KeyedCoProcessFunction over two inputs. */
export class CoProcessOperator extends UdfOperator<CoProcessObject> {
  private readonly keySelector2: KeyFn | undefined;
  constructor(setup: OperatorSetup) {
    super(setup);
    this.keySelector2 = setup.binding.keySelectors?.[1] as KeyFn | undefined;
  }
  processBatch(batch: RecordBatch, input: number): void {
    const { values, timestamps, size } = batch;
    const fn = this.fn;
    const ctx = this.ctx;
    const out = this.out;
    const ks = input === 0 ? this.keySelector : this.keySelector2;
    const backend = this.backend;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (ks !== undefined) backend!.setCurrentKey(ks(v));
      ctx.currentTimestamp = t;
      out.timestamp = t;
      if (input === 0) fn.processElement1(v, ctx, out);
      else fn.processElement2(v, ctx, out);
    }
    this.flushOutputs();
  }
  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    if (this.fn.onTimer === undefined) return;
    this.ctx.currentTimestamp = timer.timestamp;
    this.ctx.currentTimeDomain = domain;
    this.out.timestamp = timer.timestamp;
    this.fn.onTimer(timer.timestamp, this.ctx, this.out);
  }
}
