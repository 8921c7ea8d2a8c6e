import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator, type KeyFn } from './udf-operator.ts';

/** Runs a CoProcessFunction or KeyedCoProcessFunction over two inputs. */
export class CoProcessOperator extends UdfOperator<'co-process' | 'keyed-co-process'> {
  private readonly keySelector2: KeyFn | undefined;
  constructor(setup: OperatorSetup<'co-process' | 'keyed-co-process'>) {
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
    this.fireOnTimer(timer, domain);
  }
}
