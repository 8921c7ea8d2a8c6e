import type { Context } from '../../core/functions/context.ts';
import type { FilterFunction } from '../../core/functions/filter-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
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
  override fusionStage(): FusionStage {
    return {
      kind: 'filter',
      operator: this,
      call: this.call,
      ctx: this.ctx,
      keySelector: this.keySelector,
      backend: this.backend,
    };
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const call = this.call;
    const ctx = this.ctx;
    this.out.flush();
    // At most one output per input, and only this loop writes the main output: fill the output
    // batch directly instead of a collect() call per record.
    const ob = this.out.batch;
    const ov = ob.values;
    const ot = ob.timestamps;
    let n = 0;
    const ks = this.keySelector;
    const backend = this.backend;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (ks !== undefined) backend!.setCurrentKey(ks(v));
      ctx.currentTimestamp = t;
      if (call(v, ctx)) {
        ov[n] = v;
        ot[n] = t;
        n++;
      }
    }
    ob.size = n;
    this.flushOutputs();
  }
}
