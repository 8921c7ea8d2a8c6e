/**
 * Drives one source reader: polls it for batches, stamps records, generates watermarks (periodic,
 * punctuated, idleness), sends the batches down the operator chain synchronously, yields the event
 * loop between batches, and ends bounded input with a final watermark at +∞.
 *
 * @module
 */
import { EddyError, userError } from '../errors/eddy-error.ts';
import type {
  DeadLetter,
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
} from '../connectors/spi.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import {
  MAX_WATERMARK,
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../time/watermark.ts';
import type { OperatorSetup } from './operator-setup.ts';
import type { Emitter } from './emitter.ts';
import { busyClock, TaskTimes } from './task-times.ts';

/** Tag id of the dead-letter side output of sources. */
export const DEAD_LETTER_TAG_ID = 'dead-letters';

class ReaderOutput implements SourceOutput<unknown>, WatermarkOutput {
  count = 0;
  idle = false;
  deadLetters = 0;
  private warned = false;
  constructor(
    private readonly task: SourceTask,
    private readonly emitter: Emitter,
    private readonly capacity: number,
    private readonly assigner: TimestampAssigner<unknown> | undefined,
    private readonly generator: WatermarkGenerator<unknown> | undefined,
    private readonly deadLetterOut: Emitter | undefined,
    private readonly failOnMalformed: boolean,
  ) {}

  get remaining(): number {
    return this.capacity - this.count;
  }

  collect(value: unknown, timestamp?: number): void {
    let t = timestamp ?? Number.NaN;
    if (this.assigner !== undefined) t = this.assigner(value, timestamp);
    if (this.generator !== undefined) this.generator.onEvent(value, t, this);
    this.emitter.collectWithTimestamp(value, t);
    this.count++;
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

  emitWatermark(timestamp: number): void {
    if (this.idle) this.markActive();
    this.emitter.emitWatermark(timestamp);
  }
  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.emitter.emitIdle(true);
  }
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.emitter.emitIdle(false);
  }
}

export class SourceTask {
  readonly reader: SourceReader<unknown>;
  readonly ref: { name: string; uid: string | undefined; definedAt: string | undefined };
  private readonly output: ReaderOutput;
  private readonly generator: WatermarkGenerator<unknown> | undefined;
  private readonly idlenessMs: number | undefined;
  private cancelled = false;
  private wake: (() => void) | undefined;
  /** Busy and backpressured time of this subtask. */
  readonly times = new TaskTimes();
  /** Records emitted. */
  get recordsOut(): number {
    return this.setup.output.recordsOut;
  }
  /** Malformed records sent to the dead-letter output. */
  get deadLetters(): number {
    return this.output.deadLetters;
  }

  constructor(
    private readonly setup: OperatorSetup,
    private readonly waitForBlockers: () => Promise<void>,
  ) {
    const { node, binding } = setup;
    this.ref = { name: node.name, uid: node.uid, definedAt: node.definedAt };
    const source = binding.source as Source<unknown>;
    const strategy = binding.extra?.['watermarkStrategy'] as WatermarkStrategy<unknown> | undefined;
    this.generator = strategy?.createGenerator();
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
      setup.batchSize,
      strategy?.timestampAssigner,
      this.generator,
      setup.sideOutputs.get(DEAD_LETTER_TAG_ID),
      setup.failOnMalformedInput,
    );
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
    let lastRecordAt = lastPeriodic;
    const out = this.output;
    const reader = this.reader;
    for (;;) {
      if (this.cancelled) break;
      out.count = 0;
      let status: InputStatus;
      busyClock.enter(this.times);
      try {
        status = this.step(out, reader);
      } finally {
        busyClock.exit();
      }
      const now = clock.now();
      if (out.count > 0) lastRecordAt = now;
      if (this.generator !== undefined && now - lastPeriodic >= autoWatermarkInterval) {
        lastPeriodic = now;
        busyClock.enter(this.times);
        try {
          this.generator.onPeriodicEmit(out);
          this.flush();
        } finally {
          busyClock.exit();
        }
      }
      if (this.idlenessMs !== undefined && now - lastRecordAt >= this.idlenessMs) out.markIdle();
      // Time spent waiting for downstream capacity (credits, sink flushes) is backpressure.
      const waitStart = performance.now();
      await this.waitForBlockers();
      this.times.backPressuredMs += performance.now() - waitStart;
      if (status === 'END_OF_INPUT') {
        for (const e of this.outputs) e.emitWatermark(MAX_WATERMARK);
        break;
      }
      if (status === 'NOTHING_AVAILABLE') {
        await this.waitAvailable(
          this.generator !== undefined || this.idlenessMs !== undefined
            ? autoWatermarkInterval
            : undefined,
        );
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    for (const e of this.outputs) e.emitEnd();
  }

  /** Polls one batch from the reader and sends it downstream (synchronously). */
  private step(out: ReaderOutput, reader: SourceReader<unknown>): InputStatus {
    let status: InputStatus;
    try {
      do {
        status = reader.pollNext(out);
      } while (status === 'MORE_AVAILABLE' && out.count < this.setup.batchSize);
    } catch (e) {
      throw this.failure(e, 'failed while reading');
    }
    if (out.count > 0 || out.deadLetters > 0) {
      if (out.idle && out.count > 0) out.markActive();
      this.flush();
    }
    return status;
  }

  /** Main output and dead-letter output. */
  private get outputs(): Emitter[] {
    return [this.setup.output, ...this.setup.sideOutputs.values()];
  }

  private flush(): void {
    this.setup.output.flush();
    for (const e of this.setup.sideOutputs.values()) e.flush();
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
