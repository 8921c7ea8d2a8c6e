/**
 * What a {@link JobRun} needs to run only one slot's share of a job (the parallel runtime): which
 * slot it is, and the cross-thread ends of channels whose producer or consumer lives in another
 * slot. Subtask `i` of every operator runs in slot `i` (slot sharing, as in Flink).
 *
 * @module
 */
import type { OperatorRef } from '../../errors/eddy-error.ts';
import type { ChannelTarget } from '../channel.ts';
import type { TaskTimes } from '../task-times.ts';

/** Hooks of the job run that the cross-thread exchange uses while delivering. */
export interface SlotRunHooks {
  /** Registers work the slot's sources must wait for (a producer out of credits). */
  addBlocker(promise: Promise<void>): void;
  /** Fails the job. */
  fail(e: unknown): void;
}

/** One slot's view of the job's channels. */
export interface SlotPlacement {
  /** This slot's index (= the subtask index it runs). */
  readonly slot: number;
  /** The sending end of channel `channel` to consumer subtask `consumerSlot` in another slot. */
  outbound(channel: number, consumerSlot: number, producer: OperatorRef): ChannelTarget;
  /** The receiving end of channel `channel`, from the producer subtask in `producerSlot`. */
  inbound(channel: number, producerSlot: number, target: ChannelTarget, times: TaskTimes): void;
  /** Starts delivering inbound messages; resolves when every inbound channel has ended. */
  start(hooks: SlotRunHooks): Promise<void>;
}
