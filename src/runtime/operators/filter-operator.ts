import type { FilterFn } from '../../core/functions/filter-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { UdfOperator, udfCall } from './udf-operator.ts';

/** Keeps the records for which the predicate returns true. */
export class FilterOperator extends UdfOperator<'filter'> {
  private readonly call: FilterFn<unknown>;
  constructor(setup: OperatorSetup<'filter'>) {
    super(setup);
    this.call = udfCall<FilterFn<unknown>, 'filter'>(this.fn, 'filter');
  }
  override fusionStage(): FusionStage {
    return this.callStage('filter', this.call);
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
