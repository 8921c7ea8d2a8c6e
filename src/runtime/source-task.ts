/**
 * Drives one source reader: polls it for batches, stamps records, generates watermarks per split
 * (periodic, punctuated, idleness) and combines them by minimum, sends the batches down the
 * operator chain synchronously, yields the event loop between batches, and ends bounded input
 * with a final watermark at +∞.
 *
 * @module
 */
import { EddyError, userError, type OperatorRef } from '../errors/eddy-error.ts';
import type {
  DeadLetter,
  InputStatus,
  SourceOutput,
  SourceReader,
  SplitOutput,
} from '../core/connector-spi.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import {
  MAX_WATERMARK,
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../core/watermark.ts';
import type { CheckpointBarrier } from './checkpoint/checkpoint-barrier.ts';
import type { OperatorSetup } from './operator-setup.ts';
import type { Emitter } from './emitter.ts';
import { busyClock, TaskTimes } from './task-times.ts';
import { DEAD_LETTER_TAG_ID } from '../core/dead-letters.ts';

/** Watermark state of one split (or of the reader's direct output). */
class SplitState implements SplitOutput<unknown>, WatermarkOutput {
  watermark = Number.NEGATIVE_INFINITY;
  idle = false;
  /** Whether the split takes part in the minimum (the direct output only once used). */
  used: boolean;
  /** A record arrived since the last idleness check. */
  sawRecord = false;
  lastRecordAt: number;
  constructor(
    private readonly owner: ReaderOutput,
    readonly generator: WatermarkGenerator<unknown> | undefined,
    now: number,
    used: boolean,
  ) {
    this.lastRecordAt = now;
    this.used = used;
  }
  collect(value: unknown, timestamp?: number): void {
    const owner = this.owner;
    let t = timestamp ?? Number.NaN;
    const assigner = owner.assigner;
    if (assigner !== undefined) t = assigner(value, timestamp);
    this.sawRecord = true;
    if (this.idle || !this.used) this.activate();
    if (this.generator !== undefined) this.generator.onEvent(value, t, this);
    owner.emitter.collectWithTimestamp(value, t);
    owner.count++;
  }
  emitWatermark(timestamp: number): void {
    if (timestamp > this.watermark) this.watermark = timestamp;
    this.used = true;
    this.idle = false;
    this.owner.recompute();
  }
  markIdle(): void {
    if (this.idle) return;
    this.used = true;
    this.idle = true;
    this.owner.recompute();
  }
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.owner.recompute();
  }
  /** Makes the split take part in the watermark minimum, or leaves idleness. */
  activate(): void {
    this.used = true;
    this.idle = false;
    this.owner.recompute();
  }
}

/**
 * How long one source batch may run before the next one is made smaller (ms): short enough that
 * a barrier, a timer or a status request waits no longer, long enough that batches stay full for
 * any chain faster than ~50 µs per record.
 */
const BATCH_TIME_MS = 50;
/** Records in the first batch (see {@link SourceTask.fitBatch}). */
const FIRST_BATCH = 64;

class ReaderOutput implements Required<SourceOutput<unknown>> {
  count = 0;
  deadLetters = 0;
  /** The reader's direct output. */
  readonly main: SplitState;
  readonly splits = new Map<string, SplitState>();
  private outputIdle = false;
  private warned = false;
  constructor(
    private readonly task: SourceTask,
    readonly emitter: Emitter,
    /** Records per batch at most: {@link SourceTask} lowers it while batches run long. */
    public capacity: number,
    readonly assigner: TimestampAssigner<unknown> | undefined,
    private readonly strategy: WatermarkStrategy<unknown> | undefined,
    private readonly deadLetterOut: Emitter | undefined,
    private readonly failOnMalformed: boolean,
    private readonly now: () => number,
  ) {
    this.main = new SplitState(this, strategy?.createGenerator(), now(), false);
    this.plain = assigner === undefined && strategy === undefined;
  }

  /**
   * Whether records need no per-record bookkeeping (no strategy, so no watermarks or idleness of
   * the direct output to track).
   */
  private readonly plain: boolean;

  get remaining(): number {
    return this.capacity - this.count;
  }

  collect(value: unknown, timestamp?: number): void {
    if (this.plain) {
      // No timestamp assigner, watermark generator or idleness timeout to feed: straight to the
      // emitter. The record is never handed to a call that is not inlined (activation takes no
      // value): a record that escapes nowhere can be scalar-replaced by V8 when the chain behind
      // the emitter only reads it (measured ~4 ns/record, ADR 0006).
      const main = this.main;
      if (!main.used || main.idle) main.activate();
      this.emitter.collectWithTimestamp(value, timestamp ?? Number.NaN);
      this.count++;
      return;
    }
    this.main.collect(value, timestamp);
  }
  emitWatermark(timestamp: number): void {
    this.main.emitWatermark(timestamp);
  }
  markIdle(): void {
    this.main.markIdle();
  }
  markActive(): void {
    this.main.markActive();
  }

  createOutputForSplit(splitId: string): SplitOutput<unknown> {
    let s = this.splits.get(splitId);
    if (s === undefined) {
      s = new SplitState(this, this.strategy?.createGenerator(), this.now(), true);
      this.splits.set(splitId, s);
    }
    return s;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splits.delete(splitId)) this.recompute();
  }

  /** Emits the minimum watermark over non-idle splits, or idleness when all are idle. */
  recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    let candidates = 0;
    let active = 0;
    const main = this.main;
    if (main.used) {
      candidates++;
      if (!main.idle) {
        active++;
        min = main.watermark;
      }
    }
    for (const s of this.splits.values()) {
      candidates++;
      if (s.idle) continue;
      active++;
      if (s.watermark < min) min = s.watermark;
    }
    if (candidates === 0) return;
    const emitter = this.emitter;
    if (active === 0) {
      if (!this.outputIdle) {
        this.outputIdle = true;
        emitter.emitIdle(true);
      }
      return;
    }
    if (this.outputIdle) {
      this.outputIdle = false;
      emitter.emitIdle(false);
    }
    // The emitter keeps the output from going backwards.
    if (min > emitter.watermark) emitter.emitWatermark(min);
  }

  /** Periodic watermarks and idleness of every split. */
  periodic(now: number, idlenessMs: number | undefined): void {
    this.tick(this.main, now, idlenessMs);
    for (const s of this.splits.values()) this.tick(s, now, idlenessMs);
  }

  private tick(s: SplitState, now: number, idlenessMs: number | undefined): void {
    s.generator?.onPeriodicEmit(s);
    if (s.sawRecord) {
      s.sawRecord = false;
      s.lastRecordAt = now;
    } else if (idlenessMs !== undefined && s.used && now - s.lastRecordAt >= idlenessMs) {
      s.markIdle();
    }
  }

  /** End of input: leave idleness so the final watermark is not ignored downstream. */
  end(): void {
    if (this.outputIdle) {
      this.outputIdle = false;
      this.emitter.emitIdle(false);
    }
    this.emitter.emitWatermark(MAX_WATERMARK);
  }

  recordFailed(error: unknown, position: string): unknown {
    // Only an operator fused behind this output runs on the very record being emitted; others
    // got it in a batch, with the records before it.
    if (error instanceof EddyError && error.operator !== undefined) {
      if (this.emitter.chainOperators.includes(error.operator)) error.addRecord({ position });
    }
    return error;
  }

  deadLetter(letter: DeadLetter): void {
    this.deadLetters++;
    if (this.failOnMalformed) {
      throw userError(
        'MALFORMED_RECORD',
        `malformed record at ${letter.position}: ${letter.error}`,
        {
          operator: this.task.ref,
          hint: 'fix the input, or drop failOnMalformedInput to send such records to the dead-letter output',
        },
      );
    }
    if (this.deadLetterOut !== undefined) {
      this.deadLetterOut.collect(letter);
    } else if (!this.warned) {
      this.warned = true;
      process.emitWarning(
        `source "${this.task.ref.name}": malformed record at ${letter.position} (${letter.error}); ` +
          'such records are counted in dead_letters_total; read them with stream.getSideOutput(DEAD_LETTERS)',
        'EddyMalformedRecord',
      );
    }
  }
}

export class SourceTask {
  readonly reader: SourceReader<unknown>;
  readonly ref: OperatorRef;
  private readonly output: ReaderOutput;
  private readonly hasGenerator: boolean;
  private readonly idlenessMs: number | undefined;
  private cancelled = false;
  /**
   * Set once a stop-with-savepoint barrier went out: the source reads nothing more until the
   * savepoint is settled ({@link SourceTask.settleStop}) — then it ends, or, if the savepoint
   * failed, reads on (Flink's rule: a failed stop-with-savepoint leaves the job running).
   */
  private held = false;
  private wake: (() => void) | undefined;
  /** Busy and backpressured time of this subtask. */
  readonly times = new TaskTimes();
  private pendingBarrier: { barrier: CheckpointBarrier; stopAfter: boolean } | undefined;
  /** Snapshots the reader and sends the barrier on (set by the runtime when checkpointing). */
  onBarrier: ((barrier: CheckpointBarrier) => void) | undefined;
  /** Whether the loop has ended (no barrier will be injected any more). */
  finished = false;
  /** Records emitted. */
  get recordsOut(): number {
    return this.setup.output.recordsOut;
  }
  /** Malformed records sent to the dead-letter output. */
  get deadLetters(): number {
    return this.output.deadLetters;
  }

  constructor(
    private readonly setup: OperatorSetup<'source'>,
    private readonly waitForBlockers: () => Promise<void>,
  ) {
    const { node, binding } = setup;
    this.ref = {
      name: node.name,
      uid: node.uid,
      definedAt: node.definedAt,
      subtask: setup.subtaskIndex,
    };
    const { source, watermarkStrategy: strategy } = binding.settings;
    this.hasGenerator = strategy !== undefined;
    this.idlenessMs = strategy?.idlenessMs;
    this.reader = source.createReader({
      sourceName: node.name,
      subtaskIndex: setup.subtaskIndex,
      parallelism: setup.parallelism,
      metrics: setup.metrics,
      properties: setup.properties,
      currentTime: () => setup.clock.now(),
      signal: setup.signal,
    });
    this.output = new ReaderOutput(
      this,
      setup.output,
      // Slow start: the first batch is small, so a slow chain holds the thread briefly even
      // before its first batch was timed; fast chains reach the full size in a few batches.
      Math.min(setup.batchSize, FIRST_BATCH),
      strategy?.timestampAssigner,
      strategy,
      setup.sideOutputs.get(DEAD_LETTER_TAG_ID),
      setup.failOnMalformedInput,
      () => setup.clock.now(),
    );
  }

  /**
   * Asks for `barrier` to be injected at the next batch boundary (waking a source that waits for
   * input). With `stopAfter` the source ends right after it (stop-with-savepoint).
   */
  requestBarrier(barrier: CheckpointBarrier, stopAfter = false): void {
    this.pendingBarrier = { barrier, stopAfter };
    this.wake?.();
  }

  private injectBarrier(): void {
    const p = this.pendingBarrier;
    if (p === undefined) return;
    this.pendingBarrier = undefined;
    this.onBarrier?.(p.barrier);
    if (p.stopAfter) this.held = true;
  }

  /**
   * The stop-with-savepoint whose barrier this source sent is settled: with `stop` (the savepoint
   * is complete) the source ends; otherwise it reads on.
   */
  settleStop(stop: boolean): void {
    if (stop) this.cancelled = true;
    this.held = false;
    // A savepoint that failed before this source sent its barrier (it timed out during a long
    // batch): the barrier, if it still goes out, must not hold the source with nobody to release it.
    const p = this.pendingBarrier;
    if (!stop && p?.stopAfter === true)
      this.pendingBarrier = { barrier: p.barrier, stopAfter: false };
    this.wake?.();
  }

  /** Stops the loop at the next batch boundary. */
  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  /** Runs the reader until its input ends or the job is cancelled. */
  async run(): Promise<void> {
    const { clock, autoWatermarkInterval } = this.setup;
    try {
      await this.reader.start?.();
    } catch (e) {
      throw this.failure(e, 'could not start');
    }
    let lastPeriodic = clock.now();
    const out = this.output;
    const reader = this.reader;
    for (;;) {
      if (this.held && !this.cancelled) await this.waitReleased();
      if (this.cancelled) break;
      out.count = 0;
      let status: InputStatus;
      const stepStart = performance.now();
      busyClock.enter(this.times);
      try {
        status = this.step(out, reader);
        this.fitBatch(out, performance.now() - stepStart);
        const now = clock.now();
        if (this.hasGenerator && now - lastPeriodic >= autoWatermarkInterval) {
          lastPeriodic = now;
          out.periodic(now, this.idlenessMs);
          this.flush();
        }
        // Between two batches: the only place a barrier enters the stream (one check per batch).
        if (this.pendingBarrier !== undefined && status !== 'END_OF_INPUT') this.injectBarrier();
      } finally {
        busyClock.exit();
      }
      // Time spent waiting for downstream capacity (credits, sink flushes) is backpressure.
      const waitStart = performance.now();
      await this.waitForBlockers();
      this.times.backPressuredMs += performance.now() - waitStart;
      if (status === 'END_OF_INPUT') {
        out.end();
        for (const e of this.setup.sideOutputs.values()) e.emitWatermark(MAX_WATERMARK);
        // A barrier requested before the end still goes out, after the final watermark.
        this.injectBarrier();
        break;
      }
      if (status === 'NOTHING_AVAILABLE') {
        await this.waitAvailable(this.hasGenerator ? autoWatermarkInterval : undefined);
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.finished = true;
    for (const e of this.outputs) e.emitEnd();
  }

  /** Polls one batch from the reader and sends it downstream (synchronously). */
  private step(out: ReaderOutput, reader: SourceReader<unknown>): InputStatus {
    let status: InputStatus;
    try {
      do {
        status = reader.pollNext(out);
      } while (status === 'MORE_AVAILABLE' && out.count < out.capacity);
    } catch (e) {
      throw this.failure(e, 'failed while reading');
    }
    if (out.count > 0 || out.deadLetters > 0) this.flush();
    return status;
  }

  /**
   * Keeps one batch (the source's poll and everything chained behind it, run synchronously) near
   * {@link BATCH_TIME_MS}: a slow chain (a 2 ms enrichment × 1024 records is two seconds) would
   * otherwise hold the thread — and with it checkpoint barriers, timers, cancellation and the
   * status the server asks for — for the whole batch. Flink's mailbox gets the same between
   * records; here it costs one clock read per batch. Fast chains keep the configured size.
   */
  private fitBatch(out: ReaderOutput, elapsedMs: number): void {
    const max = this.setup.batchSize;
    if (elapsedMs > BATCH_TIME_MS && out.count > 1) {
      out.capacity = Math.max(1, Math.floor((out.count * BATCH_TIME_MS) / elapsedMs));
    } else if (out.capacity < max && elapsedMs < BATCH_TIME_MS / 2 && out.count >= out.capacity) {
      out.capacity = Math.min(max, out.capacity * 2);
    }
  }

  /** Main output and dead-letter output. */
  private get outputs(): Emitter[] {
    return [this.setup.output, ...this.setup.sideOutputs.values()];
  }

  private flush(): void {
    this.setup.output.flush();
    for (const e of this.setup.sideOutputs.values()) e.flush();
  }

  /** Waits for {@link SourceTask.settleStop} or {@link SourceTask.cancel}. */
  private waitReleased(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        if (this.held && !this.cancelled) return;
        this.wake = undefined;
        resolve();
      };
    });
  }

  private waitAvailable(maxWaitMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      if (maxWaitMs !== undefined) timer = setTimeout(done, maxWaitMs);
      this.reader
        .isAvailable()
        .then(done, (e: unknown) => reject(this.failure(e, 'failed while waiting for input')));
    });
  }

  private failure(e: unknown, what: string): EddyError {
    if (e instanceof EddyError) return e;
    return new EddyError(`source ${what}: ${e instanceof Error ? e.message : String(e)}`, {
      code: 'SOURCE_FAILED',
      domain: 'external',
      retryable: true,
      cause: e,
      operator: this.ref,
    });
  }
}
