import { ValueStateDescriptor } from '../../core/state-descriptor.ts';
import type { ValueState } from '../../core/state.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { UdfOperator } from './udf-operator.ts';

/** Keyed rolling reduce: emits the updated reduction of the key for every record. */
export class ReduceOperator extends UdfOperator<'reduce'> {
  private readonly state: ValueState<unknown>;
  private readonly descriptor = new ValueStateDescriptor<unknown>('_reduce');
  constructor(setup: OperatorSetup<'reduce'>) {
    super(setup);
    this.state = this.backend!.getValueState(this.descriptor);
  }
  override fusionStage(): FusionStage {
    return {
      kind: 'reduce',
      operator: this,
      reduce: this.fn,
      keySelector: this.keySelector!,
      backend: this.backend!,
      state: this.state,
      table: this.backend!.directValueTable?.(this.descriptor),
    };
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const reduce = this.fn;
    const ks = this.keySelector!;
    const backend = this.backend!;
    const state = this.state;
    const out = this.out;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      backend.setCurrentKey(ks(v));
      const cur = state.value();
      const next = cur === undefined ? v : reduce(cur, v);
      state.update(next);
      out.collectWithTimestamp(next, timestamps[i] as number);
    }
    this.flushOutputs();
  }
}
