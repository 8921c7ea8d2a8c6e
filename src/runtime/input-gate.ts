/**
 * The inputs of one operator subtask: one channel per (edge, producer subtask). It forwards
 * batches to the operator, combines watermarks and idleness, aligns checkpoint barriers, counts
 * ended channels and ends the operator's input when all have ended.
 *
 * Barrier alignment (exactly-once): once a channel has delivered the barrier of checkpoint n, what
 * it sends next belongs to checkpoint n+1 and must not reach the operator before the operator has
 * taken its snapshot for n. So the channel is blocked and its events are queued (batches copied,
 * since producers reuse them) until every channel that has not ended has delivered the barrier;
 * then the gate calls the barrier handler (the operator snapshots and forwards the barrier) and
 * replays the queues in order. At-least-once mode counts barriers without blocking: records that
 * overtake the barrier on a fast channel are in the snapshot and may be replayed after a restore.
 * A gate with one channel never blocks: the barrier is aligned the moment it arrives.
 *
 * @module
 */
import type { ChannelTarget } from './channel.ts';
import type { CheckpointBarrier } from './checkpoint/checkpoint-barrier.ts';
import { RecordBatch } from './record-batch.ts';
import { busyClock, TaskTimes } from './task-times.ts';
import { WatermarkValve } from './watermark-valve.ts';

/** What the gate drives. */
export interface GateOperator {
  processBatch(batch: RecordBatch, input: number): void;
  processWatermark(watermark: number): void;
  processIdle(idle: boolean): void;
  /** All inputs ended. */
  endInput(): void;
  /**
   * Wraps a failure with the operator's identity; `inRecord`: it happened while a batch of
   * records was processed (the error then names the record being processed).
   */
  wrapFailure(e: unknown, inRecord?: boolean): Error;
}

/** Called when every live channel has delivered a barrier; `alignmentMs` is the time blocked. */
export type BarrierHandler = (barrier: CheckpointBarrier, alignmentMs: number) => void;

/** How barriers of several channels are combined. */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

type QueuedEvent =
  | { readonly type: 'batch'; readonly batch: RecordBatch }
  | { readonly type: 'watermark'; readonly watermark: number }
  | { readonly type: 'idle'; readonly idle: boolean }
  | { readonly type: 'barrier'; readonly barrier: CheckpointBarrier }
  | { readonly type: 'end' };

class GateChannel implements ChannelTarget {
  /** Set while the channel has delivered the barrier being aligned (exactly-once only). */
  blocked = false;
  queue: QueuedEvent[] = [];
  constructor(
    private readonly gate: InputGate,
    readonly index: number,
    private readonly input: number,
  ) {}
  pushBatch(batch: RecordBatch): void {
    if (this.blocked) {
      const copy = new RecordBatch();
      for (let i = 0; i < batch.size; i++)
        copy.push(batch.values[i], batch.timestamps[i] as number);
      this.queue.push({ type: 'batch', batch: copy });
      return;
    }
    this.gate.batch(batch, this.input);
  }
  pushWatermark(watermark: number): void {
    if (this.blocked) {
      this.queue.push({ type: 'watermark', watermark });
      return;
    }
    const gate = this.gate;
    busyClock.enter(gate.times);
    try {
      gate.valve.watermark(this.index, watermark);
    } finally {
      busyClock.exit();
    }
  }
  pushIdle(idle: boolean): void {
    if (this.blocked) this.queue.push({ type: 'idle', idle });
    else this.gate.valve.setIdle(this.index, idle);
  }
  pushBarrier(barrier: CheckpointBarrier): void {
    if (this.blocked) this.queue.push({ type: 'barrier', barrier });
    else this.gate.barrier(this.index, barrier);
  }
  pushEnd(): void {
    if (this.blocked) this.queue.push({ type: 'end' });
    else this.gate.channelEnded(this.index);
  }
  replay(e: QueuedEvent): void {
    switch (e.type) {
      case 'batch':
        return this.pushBatch(e.batch);
      case 'watermark':
        return this.pushWatermark(e.watermark);
      case 'idle':
        return this.pushIdle(e.idle);
      case 'barrier':
        return this.pushBarrier(e.barrier);
      case 'end':
        return this.pushEnd();
    }
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
  /** How barriers are aligned (set by the runtime before the job starts). */
  mode: CheckpointingMode = 'exactly-once';
  /** Receives aligned barriers (set by the runtime when checkpointing is on). */
  onBarrier: BarrierHandler | undefined;
  private aligning: CheckpointBarrier | undefined;
  private barrierSeen: boolean[] = [];
  private alignStart = 0;

  /**
   * @param times where the subtask's busy time is counted (one per subtask; a fresh one when the
   *   caller does not read it)
   */
  constructor(
    private operator: GateOperator,
    readonly times: TaskTimes = new TaskTimes(),
  ) {}

  /** Hands everything the gate delivers to `operator` instead (operator fusion; before start). */
  useOperator(operator: GateOperator): void {
    this.operator = operator;
  }

  /** Adds a channel for `input` (0 or 1); call before {@link InputGate.seal}. */
  addChannel(input: number): ChannelTarget {
    const ch = new GateChannel(this, this.channels.length, input);
    this.channels.push(ch);
    this.endedFlags.push(false);
    this.barrierSeen.push(false);
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
      throw this.operator.wrapFailure(e, true);
    } finally {
      busyClock.exit();
    }
  }

  /** @internal A barrier arrived on an unblocked channel. */
  barrier(index: number, barrier: CheckpointBarrier): void {
    const current = this.aligning;
    if (current !== undefined && barrier.id < current.id) return; // stale (an aborted checkpoint)
    if (current === undefined || barrier.id > current.id) {
      // A newer checkpoint overtakes one that never aligned (it was aborted): give up the old one.
      if (current !== undefined) this.release();
      this.aligning = barrier;
      this.alignStart = performance.now();
      this.barrierSeen.fill(false);
    }
    this.barrierSeen[index] = true;
    if (this.mode === 'exactly-once' && this.channels.length > 1) {
      (this.channels[index] as GateChannel).blocked = true;
    }
    this.checkAligned();
  }

  private checkAligned(): void {
    const b = this.aligning;
    if (b === undefined) return;
    for (let i = 0; i < this.channels.length; i++) {
      if (this.barrierSeen[i] !== true && this.endedFlags[i] !== true) return;
    }
    this.aligning = undefined;
    const ms = performance.now() - this.alignStart;
    try {
      this.onBarrier?.(b, ms);
    } finally {
      this.release();
    }
  }

  /** Unblocks every channel and replays what it queued, in order. */
  private release(): void {
    for (const ch of this.channels) ch.blocked = false;
    for (const ch of this.channels) {
      const q = ch.queue;
      if (q.length === 0) continue;
      ch.queue = [];
      for (let i = 0; i < q.length; i++) {
        if (ch.blocked) {
          // A queued barrier of the next checkpoint blocked the channel again: keep the rest.
          ch.queue.push(...q.slice(i));
          break;
        }
        ch.replay(q[i] as QueuedEvent);
      }
    }
  }

  /** @internal */
  channelEnded(index: number): void {
    if (this.endedFlags[index] === true) return;
    this.endedFlags[index] = true;
    this.ended++;
    this.valve.end(index);
    // An ended channel sends no barrier: it may complete an alignment the others were waiting on.
    this.checkAligned();
    if (this.ended === this.channels.length) this.endAll();
  }

  /** Ends the operator's input (also used for operators with no channels). */
  endAll(): void {
    if (this.finished) return;
    this.finished = true;
    this.guard(() => this.operator.endInput());
    this.onFinished?.();
  }

  /** Called once every input has ended and the operator has finished (set by checkpointing). */
  onFinished: (() => void) | undefined;

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      throw this.operator.wrapFailure(e);
    }
  }
}
