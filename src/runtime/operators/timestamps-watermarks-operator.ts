import type { WatermarkStrategy } from '../../time/watermark-strategy.ts';
import {
  MAX_WATERMARK,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../core/watermark.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';

/**
 * `assignTimestampsAndWatermarks`: stamps records and generates watermarks from them. Upstream
 * watermarks are dropped (the strategy replaces them), except the final one at end of input.
 */
export class TimestampsWatermarksOperator
  extends AbstractStreamOperator
  implements WatermarkOutput
{
  private readonly generator: WatermarkGenerator<unknown>;
  private readonly strategy: WatermarkStrategy<unknown>;
  private cancelTick: (() => void) | undefined;
  private idle = false;
  private lastRecordAt: number;

  constructor(setup: OperatorSetup<'timestamps-watermarks'>) {
    super(setup);
    this.strategy = setup.binding.settings.strategy;
    this.generator = this.strategy.createGenerator();
    this.lastRecordAt = setup.clock.now();
  }

  override open(): void {
    this.scheduleTick();
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const assign = this.strategy.timestampAssigner;
    const gen = this.generator;
    const out = this.out;
    if (size > 0) {
      this.lastRecordAt = this.setup.clock.now();
      if (this.idle) this.markActive();
    }
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const prev = timestamps[i] as number;
      const t = assign !== undefined ? assign(v, prev === prev ? prev : undefined) : prev;
      gen.onEvent(v, t, this);
      out.collectWithTimestamp(v, t);
    }
    this.flushOutputs();
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) super.processWatermark(watermark);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp > this.currentWatermark) super.processWatermark(timestamp);
  }
  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.processIdle(true);
  }
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.processIdle(false);
  }

  private scheduleTick(): void {
    const { clock, autoWatermarkInterval } = this.setup;
    if (autoWatermarkInterval <= 0) return;
    this.cancelTick = clock.schedule(clock.now() + autoWatermarkInterval, () =>
      this.setup.runAction(() => {
        this.generator.onPeriodicEmit(this);
        const idleness = this.strategy.idlenessMs;
        if (idleness !== undefined && clock.now() - this.lastRecordAt >= idleness) this.markIdle();
        this.scheduleTick();
      }),
    );
  }

  protected override finish(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  override async close(): Promise<void> {
    this.cancelTick?.();
    await super.close();
  }
}
