import type { Collector } from '../../core/functions/collector.ts';
import type { Context, OnTimerContext } from '../../core/functions/context.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator } from './udf-operator.ts';

interface ProcessObject {
  processElement(value: unknown, ctx: Context<unknown>, out: Collector<unknown>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>): void;
}
type ProcessCall = (value: unknown, ctx: Context<unknown>, out: Collector<unknown>) => void;

/** Runs a ProcessFunction (non-keyed) or KeyedProcessFunction (keyed: state and timers). */
export class ProcessOperator extends UdfOperator<ProcessCall | ProcessObject> {
  private readonly call: ProcessCall;
  constructor(setup: OperatorSetup) {
    super(setup);
    const fn = this.fn;
    this.call = typeof fn === 'function' ? fn : (v, c, o) => fn.processElement(v, c, o);
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const call = this.call;
    const ctx = this.ctx;
    const out = this.out;
    const ks = this.keySelector;
    const backend = this.backend;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (ks !== undefined) backend!.setCurrentKey(ks(v));
      ctx.currentTimestamp = t;
      out.timestamp = t;
      call(v, ctx, out);
    }
    this.flushOutputs();
  }
  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    const fn = this.fn;
    if (typeof fn === 'function' || fn.onTimer === undefined) return;
    const ctx = this.ctx;
    ctx.currentTimestamp = timer.timestamp;
    ctx.currentTimeDomain = domain;
    this.out.timestamp = timer.timestamp;
    fn.onTimer(timer.timestamp, ctx, this.out);
  }
}
