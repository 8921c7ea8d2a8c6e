/**
 * An in-memory source that plays a script of records, watermarks and processing-time moves, in
 * order — the input side of `runPipeline`.
 *
 * @module
 */
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from '../core/connector-spi.ts';
import { userError } from '../errors/eddy-error.ts';
import type { ManualClock } from './manual-clock.ts';

/**
 * One step of a {@link TestSource} script:
 * - `{ records }`: emit records (with `timestamps`, index-aligned, or one `timestamp` for all);
 * - `{ record, timestamp }`: emit one record;
 * - `{ watermark }`: emit a watermark (after the records before it);
 * - `{ processingTime }`: move the job's virtual clock, firing processing-time timers and
 *   periodic watermark generation due up to it, before the next step.
 */
export type TestStep<T> =
  | {
      readonly records: readonly T[];
      readonly timestamps?: readonly number[];
      readonly timestamp?: number;
    }
  | { readonly record: T; readonly timestamp?: number }
  | { readonly watermark: number }
  | { readonly processingTime: number };

/** What `runPipeline` binds a test source to. */
export interface TestSourceRun {
  /** The job's virtual clock, moved by `processingTime` steps. */
  readonly clock: ManualClock | undefined;
  /** Whether the source ends (final watermark +∞) after its script, or just goes quiet. */
  readonly bounded: boolean;
  /** Called once the script of every subtask has been played. */
  readonly onExhausted: () => void;
}

/**
 * A scripted in-memory source. Give it to `runPipeline` in place of a named source (it is
 * created for you from a plain array), or use it directly with `env.fromSource(...)`.
 *
 * All records enter through the first subtask; other subtasks of a parallel source stay empty.
 * The steps of one source are played in order, each flushed through the job before the next.
 *
 * @example
 * ```ts
 * const clicks = TestSource.steps<Click>([
 *   { records: [{ user: 'a', ts: 1_000 }], timestamps: [1_000] },
 *   { watermark: 5_000 },
 *   { processingTime: 60_000 },
 *   { record: { user: 'a', ts: 2_000 }, timestamp: 2_000 }, // late: behind the watermark
 * ]);
 * await runPipeline(buildJob, { sources: { clicks } });
 * ```
 */
export class TestSource<T> implements Source<T> {
  readonly name = 'TestSource';
  readonly boundedness = 'bounded' as const;

  private constructor(
    /** The script. */
    readonly script: readonly TestStep<T>[],
    private readonly run: TestSourceRun | undefined,
  ) {}

  /** A source that emits `records` (without timestamps, unless its watermark strategy assigns them). */
  static of<T>(records: Iterable<T>): TestSource<T> {
    return new TestSource<T>([{ records: [...records] }], undefined);
  }

  /** A source that plays `steps` in order. */
  static steps<T>(steps: readonly TestStep<T>[]): TestSource<T> {
    return new TestSource<T>([...steps], undefined);
  }

  /** @internal A copy bound to a pipeline run (its clock, boundedness and completion callback). */
  bind(run: TestSourceRun): TestSource<T> {
    return new TestSource<T>(this.script, run);
  }

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'test', steps: this.script.length };
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    // Parallel instances: the script plays on subtask 0 only.
    const script = ctx.subtaskIndex === 0 ? this.script : [];
    return new ScriptReader<T>(script, this.run, ctx.sourceName);
  }
}

class ScriptReader<T> implements SourceReader<T> {
  private step = 0;
  /** Position inside a `records` step that did not fit in one batch. */
  private offset = 0;
  private exhausted = false;

  constructor(
    private readonly script: readonly TestStep<T>[],
    private readonly run: TestSourceRun | undefined,
    private readonly sourceName: string,
  ) {}

  pollNext(output: SourceOutput<T>): InputStatus {
    const step = this.script[this.step];
    if (step === undefined) return this.end();
    if ('records' in step) {
      const { records, timestamps, timestamp } = step;
      const end = Math.min(records.length, this.offset + output.remaining);
      for (let i = this.offset; i < end; i++)
        output.collect(records[i] as T, timestamps?.[i] ?? timestamp);
      if (end < records.length) {
        this.offset = end;
        return 'MORE_AVAILABLE';
      }
      this.offset = 0;
    } else if ('record' in step) {
      output.collect(step.record, step.timestamp);
    } else if ('watermark' in step) {
      if (output.emitWatermark === undefined) {
        throw userError('INVALID_ARGUMENT', 'this runtime cannot emit watermarks from a source', {
          hint: 'use a WatermarkStrategy on the source instead of watermark steps',
        });
      }
      output.emitWatermark(step.watermark);
    } else {
      const clock = this.run?.clock;
      if (clock === undefined) {
        throw userError(
          'INVALID_ARGUMENT',
          `source "${this.sourceName}" has a processingTime step but no virtual clock`,
          {
            hint: 'run the job with runPipeline(), or remove processingTime steps',
          },
        );
      }
      clock.advanceTo(step.processingTime);
    }
    this.step++;
    if (this.step >= this.script.length && (this.run?.bounded ?? true)) return this.end();
    // One step per poll: the runtime flushes the records of a step through the job before the
    // next step moves time, so timers see the records that preceded them.
    return 'NOTHING_AVAILABLE';
  }

  private end(): InputStatus {
    if (!this.exhausted) {
      this.exhausted = true;
      this.run?.onExhausted();
    }
    return this.run?.bounded === false ? 'NOTHING_AVAILABLE' : 'END_OF_INPUT';
  }

  isAvailable(): Promise<void> {
    // A quiet unbounded source is polled once per event-loop turn (never a microtask spin,
    // which would starve the other sources) until runPipeline cancels the job.
    if (this.exhausted) return new Promise<void>((resolve) => setImmediate(resolve));
    return Promise.resolve();
  }

  snapshotState(): unknown {
    return { step: this.step, offset: this.offset };
  }

  restoreState(state: unknown): void {
    const s = state as { step: number; offset: number };
    this.step = s.step;
    this.offset = s.offset;
  }
}
