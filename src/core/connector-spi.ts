/**
 * The connector SPI: what a source or a sink implements to plug into Eddy.
 *
 * A source creates one {@link SourceReader} per parallel subtask (Flink's FLIP-27 shape, with the
 * split assignment done by the reader from its subtask index, so no coordinator round trip is
 * needed); a sink creates one {@link SinkWriter} per subtask. Record hand-off is synchronous and
 * batched; anything slow (I/O) happens behind promises that the runtime awaits between batches.
 *
 * @module
 */
import type { MetricGroup } from './metric-group.ts';
import type { RuntimeProperties } from './runtime-properties.ts';
import type { Context } from './functions/context.ts';
import type { WatermarkOutput } from './watermark.ts';

/** Whether a source ends. */
export type Boundedness = 'bounded' | 'unbounded';

/** What {@link SourceReader.pollNext} reports. */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

/** A record that could not be decoded, kept with where it came from and why it failed. */
export interface DeadLetter {
  /** The source's name. */
  readonly source: string;
  /** Where the record was: `file:line`, `topic-partition@offset`, a collection index, … */
  readonly position: string;
  /** The raw record as it was read. */
  readonly raw: string | Uint8Array;
  /** Why it could not be decoded. */
  readonly error: string;
}

/**
 * The output of one split (a Kafka partition, a file): records collected here feed the split's
 * own watermark generator and idleness, and the source's watermark is the minimum over its
 * non-idle splits (Flink's `SourceOutput` from `ReaderOutput.createOutputForSplit`).
 */
export interface SplitOutput<T> extends WatermarkOutput {
  /** Emits a record of this split, with its event timestamp when the source knows one. */
  collect(value: T, timestamp?: number): void;
}

/**
 * Where a reader emits records. A reader with one logical input uses it directly; a reader of
 * several splits emits through {@link SourceOutput.createOutputForSplit} so that each split has
 * its own watermarks. The runtime's output always has the optional members; they are optional
 * only so that hand-made outputs (in tests of a reader) need not implement them.
 */
export interface SourceOutput<T> {
  /** Emits a record, with its event timestamp when the source knows one. */
  collect(value: T, timestamp?: number): void;
  /**
   * Reports a malformed record: it goes to the dead-letter side output and is counted, and the
   * job goes on — or, when the user asked for fail-on-error, the job fails with it.
   */
  deadLetter(letter: DeadLetter): void;
  /**
   * The operators behind this output failed (threw from `collect`) while the reader emitted the
   * record at `position` (`file:line`, `topic-partition@offset`): returns what to throw, the
   * error with the position attached when the failing record is known to be that one. A reader
   * must rethrow such failures, never treat them as malformed input.
   */
  recordFailed?(error: unknown, position: string): unknown;
  /** How many more records fit in the current batch; stop emitting at 0 and return. */
  readonly remaining: number;
  /**
   * Reports event-time progress directly, for sources that know it themselves (test sources,
   * sources with watermarks in their data). Records collected before it are sent before it.
   */
  emitWatermark?(timestamp: number): void;
  /** Reports that the reader's direct output is idle (it stops holding back the watermark). */
  markIdle?(): void;
  /** Reports that the reader's direct output is active again. */
  markActive?(): void;
  /**
   * The output of split `splitId` (created on first use, then the same object): its own watermark
   * generator and idleness timer; the source's watermark is the minimum over split outputs.
   */
  createOutputForSplit?(splitId: string): SplitOutput<T>;
  /** The split is finished or was reassigned: it no longer holds back the watermark. */
  releaseOutputForSplit?(splitId: string): void;
}

/** What a reader knows about where it runs. */
export interface SourceReaderContext {
  readonly sourceName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly metrics: MetricGroup;
  readonly properties: RuntimeProperties;
  /** Wall-clock (or virtual, in tests) milliseconds. */
  currentTime(): number;
  /** Aborted when the job is cancelled; pass it to I/O you start. */
  readonly signal: AbortSignal;
}

/** Reads one subtask's share of a source. */
export interface SourceReader<T> {
  /** Opens connections or files. */
  start?(): void | Promise<void>;
  /**
   * Emits available records (up to `output.remaining`) synchronously and says whether more are
   * available right away, none for now, or none ever again.
   */
  pollNext(output: SourceOutput<T>): InputStatus;
  /** Resolves when `pollNext` may have records again after it returned `NOTHING_AVAILABLE`. */
  isAvailable(): Promise<void>;
  /** The reader's position, for checkpoints (collection index, file offset, sequence, offsets). */
  snapshotState?(checkpointId: number): unknown;
  /** Rewinds to a position taken by `snapshotState`. Called before `start`. */
  restoreState?(state: unknown): void;
  /**
   * Restores from the positions of every reader of the saved job (`states[i]` is what reader `i`
   * saved, `undefined` if nothing); this reader keeps those of the splits it owns now (e.g. Kafka
   * partitions by the new assignment). When a reader has it, it is called instead of
   * `restoreState` at any parallelism, since which splits a reader owns may change for other
   * reasons too (files added to a directory). Sources without it can only restore at the
   * parallelism they were saved with. Called before `start`.
   */
  restoreUnionState?(states: readonly unknown[]): void;
  /** The checkpoint that included `snapshotState(checkpointId)` is complete. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * A source of records.
 *
 * @example
 * ```ts
 * const source: Source<number> = {
 *   name: 'numbers',
 *   boundedness: 'bounded',
 *   describe: () => ({ kind: 'numbers' }),
 *   createReader: () => new MyReader(),
 * };
 * env.fromSource(source);
 * ```
 */
export interface Source<T> {
  /** Default operator name. */
  readonly name: string;
  readonly boundedness: Boundedness;
  /** The largest parallelism the source supports (1 for non-parallel sources). */
  readonly maxParallelism?: number;
  /** The source's settings as plain data, shown in the plan. */
  describe(): Readonly<Record<string, unknown>>;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
}

/** What a sink writer knows about where it runs. */
export interface SinkWriterContext {
  readonly sinkName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly metrics: MetricGroup;
  readonly properties: RuntimeProperties;
  /** The function context, for sinks that call user functions. */
  readonly functionContext: Context<unknown>;
  /**
   * Whether periodic checkpoints run: sinks that can commit in two phases should then implement
   * `preCommit`/`commit` (exactly-once); otherwise they are committed at the end of input.
   */
  readonly checkpointing?: boolean;
}

/**
 * Writes one subtask's records.
 *
 * Exactly-once sinks implement two-phase commit: at each checkpoint barrier `preCommit` seals what
 * was written since the previous barrier and returns *committables* (e.g. pending file names);
 * the runtime stores them in the checkpoint and calls `commit` once the checkpoint is complete —
 * and again after a restore from that checkpoint, so `commit` must be idempotent. Committables of
 * a checkpoint that failed are committed with the next one that completes. Without checkpointing,
 * the runtime pre-commits and commits once at the end of input.
 */
export interface SinkWriter<T, C = unknown> {
  open?(): void | Promise<void>;
  /**
   * Writes a batch. Synchronous hand-off; a returned promise makes the runtime wait before it
   * sends more records (backpressure).
   */
  write(values: readonly T[], timestamps: readonly number[], count: number): void | Promise<void>;
  /**
   * Takes one record, synchronously, for writers that hand each record on at once and never wait
   * (a blackhole, a counter). When the sink's input comes from operators in the same thread, the
   * runtime then chains the sink — calls `invoke` from the producer's loop, record by record, as
   * Flink chains a `SinkFunction` — instead of collecting a batch for {@link SinkWriter.write};
   * `write` still takes batches whenever the sink is not chained, so both must do the same thing.
   * A record that only reaches `invoke` need never be materialized: V8 can drop the allocation of
   * a record that nothing keeps.
   */
  invoke?(value: T, timestamp: number): void;
  /** Makes everything written so far durable or visible (at the end and at checkpoints). */
  flush?(): void | Promise<void>;
  /**
   * Seals what was written since the previous checkpoint and returns what {@link SinkWriter.commit}
   * must make visible. Synchronous: it runs at the barrier, before the next record.
   */
  preCommit?(checkpointId: number): readonly C[] | Promise<readonly C[]>;
  /** Makes committables visible. Idempotent: it is called again for them after a restore. */
  commit?(committables: readonly C[]): void | Promise<void>;
  /** Discards work that will never be committed (the job failed or was cancelled). */
  abort?(committables: readonly C[]): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** A destination of records. */
export interface Sink<T> {
  readonly name: string;
  /**
   * True when the sink hands records to memory of the caller's thread (as `CollectSink` does):
   * a job with such a sink runs every subtask in the calling thread, never on worker threads.
   */
  readonly inCallerThread?: boolean;
  /**
   * How the committables of a restored checkpoint are spread over the writers when the sink's
   * parallelism changed: `split` (default) gives each writer a share; `union` gives every writer
   * all of them, for sinks whose writers must know every restored committable (each then
   * commits only its own). With an unchanged parallelism each writer gets what it saved.
   */
  readonly committableDistribution?: 'split' | 'union';
  describe(): Readonly<Record<string, unknown>>;
  createWriter(ctx: SinkWriterContext): SinkWriter<T>;
}
