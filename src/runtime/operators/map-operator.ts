import type { MapFn } from '../../core/functions/map-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { UdfOperator, udfCall } from './udf-operator.ts';

/** Applies a map function to each record (keyed: with the record's key set for state). */
export class MapOperator extends UdfOperator<'map'> {
  private readonly call: MapFn<unknown, unknown>;
  constructor(setup: OperatorSetup<'map'>) {
    super(setup);
    this.call = udfCall<MapFn<unknown, unknown>, 'map'>(this.fn, 'map');
  }
  override fusionStage(): FusionStage {
    return this.callStage('map', this.call);
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const call = this.call;
    const ctx = this.ctx;
    this.out.flush();
    // One output per input, and only this loop writes the main output: fill the output batch
    // directly (measured ~3 ns/record less than a collect() call per record).
    const ob = this.out.batch;
    const ov = ob.values;
    const ot = ob.timestamps;
    const ks = this.keySelector;
    if (ks === undefined) {
      for (let i = 0; i < size; i++) {
        const t = timestamps[i] as number;
        ctx.currentTimestamp = t;
        ov[i] = call(values[i], ctx);
        ot[i] = t;
      }
    } else {
      const backend = this.backend!;
      for (let i = 0; i < size; i++) {
        const v = values[i];
        const t = timestamps[i] as number;
        backend.setCurrentKey(ks(v));
        ctx.currentTimestamp = t;
        ov[i] = call(v, ctx);
        ot[i] = t;
      }
    }
    ob.size = size;
    this.flushOutputs();
  }
}
