/**
 * Channel writers for each partitioning: forward, hash (by key group), rebalance, rescale,
 * broadcast and global. Writers that split a batch copy records into one reused batch per target.
 *
 * @module
 */
import type { CustomPartitioning, PartitioningKind } from '../plan/plan.ts';
import { userError, type OperatorRef } from '../errors/eddy-error.ts';
import type { ChannelTarget, ChannelWriter } from './channel.ts';
import type { CheckpointBarrier } from './checkpoint/checkpoint-barrier.ts';
import { keyGroupOf, normalizeKey, subtaskForKeyGroup } from '../state/key-groups.ts';
import { RecordBatch } from './record-batch.ts';
import { invalidKeyError, isUnattributedInvalidKey } from './invalid-key-error.ts';

abstract class FanOutWriter implements ChannelWriter {
  constructor(protected readonly targets: readonly ChannelTarget[]) {}
  abstract writeBatch(batch: RecordBatch): void;
  writeWatermark(watermark: number): void {
    for (const t of this.targets) t.pushWatermark(watermark);
  }
  writeIdle(idle: boolean): void {
    for (const t of this.targets) t.pushIdle(idle);
  }
  // Barriers go to every target, like watermarks: each consumer must see one per channel.
  writeBarrier(barrier: CheckpointBarrier): void {
    for (const t of this.targets) t.pushBarrier(barrier);
  }
  writeEnd(): void {
    for (const t of this.targets) t.pushEnd();
  }
}

/** One target gets every batch (forward, global, and any edge into a single subtask). */
class DirectWriter extends FanOutWriter {
  private readonly target: ChannelTarget;
  constructor(target: ChannelTarget, all: readonly ChannelTarget[]) {
    super(all);
    this.target = target;
  }
  writeBatch(batch: RecordBatch): void {
    this.target.pushBatch(batch);
  }
  // Global/forward edges still deliver watermarks and end-of-input to every target they own.
}

/** Every target gets every batch. */
class BroadcastWriter extends FanOutWriter {
  writeBatch(batch: RecordBatch): void {
    for (const t of this.targets) t.pushBatch(batch);
  }
}

/** Splits a batch over targets record by record. */
abstract class SplittingWriter extends FanOutWriter {
  protected readonly buffers: RecordBatch[];
  constructor(targets: readonly ChannelTarget[]) {
    super(targets);
    this.buffers = targets.map(() => new RecordBatch());
  }
  protected flushAll(): void {
    const bs = this.buffers;
    for (let i = 0; i < bs.length; i++) {
      const b = bs[i] as RecordBatch;
      if (b.size > 0) {
        (this.targets[i] as ChannelTarget).pushBatch(b);
        b.size = 0;
      }
    }
  }
}

/** Routes each record to the subtask owning its key group. */
class HashWriter extends SplittingWriter {
  constructor(
    targets: readonly ChannelTarget[],
    private readonly keySelector: (value: unknown) => unknown,
    private readonly maxParallelism: number,
    private readonly consumer: OperatorRef | undefined,
    private readonly keyBySite: string | undefined,
  ) {
    super(targets);
  }
  writeBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const p = this.targets.length;
    const maxP = this.maxParallelism;
    const ks = this.keySelector;
    const bs = this.buffers;
    let i = 0;
    // One try per batch: a refused key is reported for the keyed operator and its keyBy, not
    // for the producer whose output is being partitioned.
    try {
      for (; i < size; i++) {
        const v = values[i];
        const target = subtaskForKeyGroup(keyGroupOf(normalizeKey(ks(v)), maxP), p, maxP);
        (bs[target] as RecordBatch).push(v, timestamps[i] as number);
      }
    } catch (e) {
      if (!isUnattributedInvalidKey(e) || this.consumer === undefined) throw e;
      throw invalidKeyError(e, this.consumer, this.keyBySite).addRecord({
        timestamp: timestamps[i] as number,
      });
    }
    this.flushAll();
  }
}

/** Round-robin, record by record. */
class RoundRobinWriter extends SplittingWriter {
  private next: number;
  constructor(targets: readonly ChannelTarget[], start: number) {
    super(targets);
    this.next = start % targets.length;
  }
  writeBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const n = this.targets.length;
    const bs = this.buffers;
    let t = this.next;
    for (let i = 0; i < size; i++) {
      (bs[t] as RecordBatch).push(values[i], timestamps[i] as number);
      t = t + 1 === n ? 0 : t + 1;
    }
    this.next = t;
    this.flushAll();
  }
}

/** A uniformly random target per record (`shuffle()`). */
class ShuffleWriter extends SplittingWriter {
  writeBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const n = this.targets.length;
    const bs = this.buffers;
    for (let i = 0; i < size; i++) {
      (bs[Math.floor(Math.random() * n)] as RecordBatch).push(values[i], timestamps[i] as number);
    }
    this.flushAll();
  }
}

/** The target the user's partitioner picks for each record's key (`partitionCustom()`). */
class CustomWriter extends SplittingWriter {
  constructor(
    targets: readonly ChannelTarget[],
    private readonly custom: CustomPartitioning,
    private readonly producer: OperatorRef | undefined,
  ) {
    super(targets);
  }
  writeBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const n = this.targets.length;
    const key = this.custom.key as (v: unknown) => unknown;
    const partition = this.custom.partition as (k: unknown, n: number) => number;
    const bs = this.buffers;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const k = key(v);
      const target = partition(k, n);
      if (!Number.isInteger(target) || target < 0 || target >= n) {
        throw userError(
          'USER_FUNCTION_FAILED',
          `partitionCustom(): the partitioner returned ${String(target)} for key ${JSON.stringify(k) ?? String(k)}; ` +
            `it must be a whole number from 0 to ${n - 1}`,
          {
            operator: this.producer,
            hint: 'return e.g. Math.abs(hash(key)) % numPartitions',
          },
        );
      }
      (bs[target] as RecordBatch).push(v, timestamps[i] as number);
    }
    this.flushAll();
  }
}

/** What a partitioner needs to know about one edge from one producer subtask. */
export interface WriterSpec {
  readonly partitioning: PartitioningKind;
  /** All subtasks of the consumer, by index. */
  readonly targets: readonly ChannelTarget[];
  readonly producerIndex: number;
  readonly producerParallelism: number;
  readonly keySelector: ((value: unknown) => unknown) | undefined;
  readonly maxParallelism: number;
  /** The user partitioner of a `custom` edge. */
  readonly custom?: CustomPartitioning | undefined;
  /** Named in the error of a partitioner that returns no valid target. */
  readonly producer?: OperatorRef | undefined;
  /** The consumer of a `hash` edge and where its key selector was given to `keyBy`. */
  readonly consumer?: OperatorRef | undefined;
  readonly keyBySite?: string | undefined;
}

/**
 * The consumer subtasks a producer subtask is connected to (Flink's pointwise patterns for
 * forward/rescale, all-to-all otherwise).
 */
export function connectedTargets(
  spec: Omit<WriterSpec, 'targets' | 'keySelector' | 'maxParallelism'> & {
    consumerParallelism: number;
  },
): number[] {
  const { partitioning, producerIndex: i, producerParallelism: p, consumerParallelism: c } = spec;
  if (partitioning === 'forward') return [i];
  if (partitioning === 'global') return [0];
  if (partitioning === 'rescale') {
    if (p >= c) return [Math.floor((i * c) / p)];
    const out: number[] = [];
    for (let j = 0; j < c; j++) if (Math.floor((j * p) / c) === i) out.push(j);
    return out;
  }
  return Array.from({ length: c }, (_, j) => j);
}

/** Creates the writer for one edge from one producer subtask. `targets` are the connected ones. */
export function createWriter(spec: WriterSpec): ChannelWriter {
  const { targets } = spec;
  if (targets.length === 1) return new DirectWriter(targets[0] as ChannelTarget, targets);
  switch (spec.partitioning) {
    case 'hash':
      if (spec.keySelector === undefined)
        throw new Error('hash partitioning without a key selector');
      return new HashWriter(
        targets,
        spec.keySelector,
        spec.maxParallelism,
        spec.consumer,
        spec.keyBySite,
      );
    case 'broadcast':
      return new BroadcastWriter(targets);
    case 'rebalance':
    case 'rescale':
      return new RoundRobinWriter(targets, spec.producerIndex);
    case 'forward':
    case 'global':
      return new DirectWriter(targets[0] as ChannelTarget, targets);
    case 'shuffle':
      return new ShuffleWriter(targets);
    case 'custom':
      if (spec.custom === undefined) throw new Error('custom partitioning without a partitioner');
      return new CustomWriter(targets, spec.custom, spec.producer);
  }
}
