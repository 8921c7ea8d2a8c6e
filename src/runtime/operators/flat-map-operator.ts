import type { FlatMapFn } from '../../core/functions/flat-map-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { UdfOperator, udfCall } from './udf-operator.ts';

/** Emits zero or more records per input through the collector. */
export class FlatMapOperator extends UdfOperator<'flat-map'> {
  private readonly call: FlatMapFn<unknown, unknown>;
  constructor(setup: OperatorSetup<'flat-map'>) {
    super(setup);
    this.call = udfCall<FlatMapFn<unknown, unknown>, 'flatMap'>(this.fn, 'flatMap');
  }
  override fusionStage(): FusionStage {
    return this.callStage('flatMap', this.call);
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
      const returned = call(v, out, ctx);
      if (returned !== undefined) for (const x of returned) out.collect(x);
    }
    this.flushOutputs();
  }
}
