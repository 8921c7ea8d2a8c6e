/**
 * What travels between two slots (one message port per pair of slots): the channel events of
 * `ChannelTarget` tagged with the channel number, in the order they were sent, plus credits
 * flowing back. New event kinds (checkpoint barriers) are added here as new `k` values.
 *
 * @module
 */
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.ts';
import type { ColumnarBatch } from './columnar-batch-codec.ts';

/**
 * A batch of `n` records of channel `c` and their event timestamps (NaN = none): the values
 * themselves (`v`, structured-cloned), or in columns (`cols`) when they are uniform plain data.
 */
export interface BatchMessage {
  readonly k: 'batch';
  readonly c: number;
  readonly n: number;
  readonly v: unknown[] | undefined;
  readonly cols: ColumnarBatch | undefined;
  readonly t: Float64Array;
}

/** A watermark of channel `c`. */
export interface WatermarkMessage {
  readonly k: 'watermark';
  readonly c: number;
  readonly w: number;
}

/** Channel `c` became idle or active. */
export interface IdleMessage {
  readonly k: 'idle';
  readonly c: number;
  readonly idle: boolean;
}

/** A checkpoint barrier on channel `c` (plain data: id, timestamp, savepoint flag). */
export interface BarrierMessage {
  readonly k: 'barrier';
  readonly c: number;
  readonly b: CheckpointBarrier;
}

/** Channel `c` ended. */
export interface EndMessage {
  readonly k: 'end';
  readonly c: number;
}

/** The receiver processed `n` batches: the sender may send `n` more. */
export interface CreditMessage {
  readonly k: 'credit';
  readonly n: number;
}

/** Any message between slots. */
export type ChannelMessage =
  BatchMessage | WatermarkMessage | IdleMessage | BarrierMessage | EndMessage | CreditMessage;
