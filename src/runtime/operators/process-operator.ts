import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { ProcessFn } from '../../core/functions/process-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator, udfCall } from './udf-operator.ts';

/** Runs a ProcessFunction (non-keyed) or KeyedProcessFunction (keyed: state and timers). */
export class ProcessOperator extends UdfOperator<'process' | 'keyed-process'> {
  private readonly call: ProcessFn<unknown, unknown>;
  constructor(setup: OperatorSetup<'process' | 'keyed-process'>) {
    super(setup);
    this.call = udfCall<ProcessFn<unknown, unknown>, 'processElement'>(this.fn, 'processElement');
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
    this.fireOnTimer(timer, domain);
  }
}
