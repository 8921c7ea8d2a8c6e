import type { Context } from '../../api/functions/context.ts';
import type { FilterFunction } from '../../api/functions/filter-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import { UdfOperator } from './udf-operator.ts';

type FilterCall = (value: unknown, ctx: Context<unknown>) => boolean;

/** Keeps the records for which the predicate returns true. */
export class FilterOperator extends UdfOperator<FilterCall | FilterFunction<unknown>> {
  private readonly call: FilterCall;
  constructor(setup: OperatorSetup) {
    super(setup);
    const fn = this.fn;
    this.call = typeof fn === 'function' ? fn : (v, c) => fn.filter(v, c);
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
      if (call(v, ctx)) out.collectWithTimestamp(v, t);
    }
    this.flushOutputs();
  }
}
