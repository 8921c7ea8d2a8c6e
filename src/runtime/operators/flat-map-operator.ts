import type { Collector } from '../../core/functions/collector.ts';
import type { Context } from '../../core/functions/context.ts';
import type { FlatMapFunction } from '../../core/functions/flat-map-function.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { FusionStage } from './fusion-stage.ts';
import { UdfOperator } from './udf-operator.ts';

type FlatMapCall = (
  value: unknown,
  out: Collector<unknown>,
  ctx: Context<unknown>,
) => void | Iterable<unknown>;

/** Emits zero or more records per input through the collector. */
export class FlatMapOperator extends UdfOperator<FlatMapCall | FlatMapFunction<unknown, unknown>> {
  private readonly call: FlatMapCall;
  constructor(setup: OperatorSetup) {
    super(setup);
    const fn = this.fn;
    this.call = typeof fn === 'function' ? fn : (v, o, c) => fn.flatMap(v, o, c);
  }
  override fusionStage(): FusionStage {
    return {
      kind: 'flatMap',
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
