import type { Sink, SinkWriter } from '../../connectors/spi.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';

/** Hands batches to a sink writer; async writes and flushes become task blockers (backpressure). */
export class SinkOperator extends AbstractStreamOperator {
  private readonly writer: SinkWriter<unknown>;
  constructor(setup: OperatorSetup) {
    super(setup);
    const sink = setup.binding.sink as Sink<unknown>;
    this.writer = sink.createWriter({
      sinkName: setup.node.name,
      subtaskIndex: setup.subtaskIndex,
      parallelism: setup.parallelism,
      metrics: setup.metrics,
      properties: setup.properties,
      functionContext: this.ctx,
    });
  }
  override async open(): Promise<void> {
    try {
      await this.writer.open?.();
    } catch (e) {
      throw this.wrapFailure(e);
    }
  }
  processBatch(batch: RecordBatch): void {
    const r = this.writer.write(batch.values, batch.timestamps, batch.size);
    if (r !== undefined)
      this.setup.addBlocker(r.catch((e: unknown) => Promise.reject(this.wrapFailure(e))));
  }
  protected override finish(): void {
    const r = this.writer.flush?.();
    if (r !== undefined)
      this.setup.addBlocker(r.catch((e: unknown) => Promise.reject(this.wrapFailure(e))));
  }
  override async close(): Promise<void> {
    await super.close();
    await this.writer.close?.();
  }
}
