/**
 * The inputs of one operator subtask: one channel per (edge, producer subtask). It forwards
 * batches to the operator, combines watermarks and idleness, counts ended channels and ends the
 * operator's input when all have ended.
 *
 * @module
 */
import type { ChannelTarget } from './channel.ts';
import type { RecordBatch } from './record-batch.ts';
import { busyClock, TaskTimes } from './task-times.ts';
import { WatermarkValve } from './watermark-valve.ts';

/** What the gate drives. */
export interface GateOperator {
  processBatch(batch: RecordBatch, input: number): void;
  processWatermark(watermark: number): void;
  processIdle(idle: boolean): void;
  /** All inputs ended. */
  endInput(): void;
  /** Wraps a failure with the operator's identity. */
  wrapFailure(e: unknown): Error;
}

class GateChannel implements ChannelTarget {
  constructor(
    private readonly gate: InputGate,
    private readonly index: number,
    private readonly input: number,
  ) {}
  pushBatch(batch: RecordBatch): void {
    this.gate.batch(batch, this.input);
  }
  pushWatermark(watermark: number): void {
    const gate = this.gate;
    busyClock.enter(gate.times);
    try {
      gate.valve.watermark(this.index, watermark);
    } finally {
      busyClock.exit();
    }
  }
  pushIdle(idle: boolean): void {
    this.gate.valve.setIdle(this.index, idle);
  }
  pushEnd(): void {
    this.gate.channelEnded(this.index);
  }
}

export class InputGate {
  /** @internal */
  valve!: WatermarkValve;
  private readonly channels: GateChannel[] = [];
  private ended = 0;
  private endedFlags: boolean[] = [];
  /** Records received. */
  recordsIn = 0;
  /** Whether all inputs have ended. */
  finished = false;

  /**
   * @param times where the subtask's busy time is counted (one per subtask; a fresh one when the
   *   caller does not read it)
   */
  constructor(
    private readonly operator: GateOperator,
    readonly times: TaskTimes = new TaskTimes(),
  ) {}

  /** Adds a channel for `input` (0 or 1); call before {@link InputGate.seal}. */
  addChannel(input: number): ChannelTarget {
    const ch = new GateChannel(this, this.channels.length, input);
    this.channels.push(ch);
    this.endedFlags.push(false);
    return ch;
  }

  /** Ends channel registration. */
  seal(): void {
    this.valve = new WatermarkValve(
      this.channels.length,
      (w) => this.guard(() => this.operator.processWatermark(w)),
      (idle) => this.guard(() => this.operator.processIdle(idle)),
    );
  }

  /** Whether the operator has no inputs at all (it ends as soon as it starts). */
  get channelCount(): number {
    return this.channels.length;
  }

  /** @internal */
  batch(batch: RecordBatch, input: number): void {
    this.recordsIn += batch.size;
    busyClock.enter(this.times);
    try {
      this.operator.processBatch(batch, input);
    } catch (e) {
      throw this.operator.wrapFailure(e);
    } finally {
      busyClock.exit();
    }
  }

  /** @internal */
  channelEnded(index: number): void {
    if (this.endedFlags[index] === true) return;
    this.endedFlags[index] = true;
    this.ended++;
    this.valve.end(index);
    if (this.ended === this.channels.length) this.endAll();
  }

  /** Ends the operator's input (also used for operators with no channels). */
  endAll(): void {
    if (this.finished) return;
    this.finished = true;
    this.guard(() => this.operator.endInput());
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      throw this.operator.wrapFailure(e);
    }
  }
}
