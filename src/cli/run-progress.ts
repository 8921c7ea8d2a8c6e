/**
 * `eddy run`'s progress: once a second, the records the sources have emitted, their rate, the time
 * elapsed and the sources' watermark — as one line rewritten in place on a terminal, or as JSON
 * lines with `--json` (then the final summary is JSON too). Read from the job's metrics, so the
 * record path pays nothing for it.
 *
 * @module
 */
import type { JobClient, JobExecutionResult } from '../core/job-client.ts';
import type { MetricSample } from '../core/metric-sample.ts';

/** One progress reading. */
export interface ProgressReading {
  readonly type: 'progress';
  readonly job: string;
  readonly elapsedMs: number;
  /** Records emitted by the sources so far. */
  readonly records: number;
  /** Records per second since the previous reading. */
  readonly recordsPerSecond: number;
  /** The smallest output watermark of the sources (ms), or null before the first one. */
  readonly watermark: number | null;
}

/** Sums the sources' records out and takes their smallest watermark from metric samples. */
export function readSources(samples: readonly MetricSample[]): {
  readonly records: number;
  readonly watermark: number | null;
} {
  // Sources are the operators with no input: records_out but no records_in.
  const withInput = new Set<string>();
  for (const s of samples) if (s.name === 'records_in') withInput.add(operatorOf(s));
  let records = 0;
  let watermark = Number.POSITIVE_INFINITY;
  for (const s of samples) {
    if (withInput.has(operatorOf(s)) || typeof s.value !== 'number') continue;
    if (s.name === 'records_out') records += s.value;
    else if (s.name === 'current_output_watermark') watermark = Math.min(watermark, s.value);
  }
  return {
    records,
    watermark: Number.isFinite(watermark) && watermark > Number.MIN_SAFE_INTEGER ? watermark : null,
  };
}

function operatorOf(s: MetricSample): string {
  return s.labels['operator_id'] ?? s.labels['operator'] ?? '';
}

/** Where progress goes: a terminal line, JSON lines, or nowhere. */
export type ProgressMode = 'tty' | 'json' | 'off';

/** Reports a running job's progress until {@link RunProgress.stop}. */
export class RunProgress {
  private readonly started = Date.now();
  private lastRecords = 0;
  private lastAt = this.started;
  private readonly timer: NodeJS.Timeout | undefined;
  private shown = false;
  /** `process.stdout.write` before {@link RunProgress} wrapped it (tty mode only). */
  private readonly stdoutWrite: typeof process.stdout.write | undefined;

  constructor(
    private readonly job: JobClient,
    private readonly mode: ProgressMode,
    private readonly out: NodeJS.WriteStream = process.stderr,
    intervalMs = 1000,
  ) {
    if (mode !== 'off' && job.metrics !== undefined) {
      this.timer = setInterval(() => this.tick(), intervalMs);
      this.timer.unref();
    }
    if (this.timer !== undefined && mode === 'tty' && process.stdout.isTTY === true) {
      // The job's print() output shares the terminal: clear the progress line before it writes,
      // so records never land after the progress text; the next tick draws the line again.
      const write = process.stdout.write.bind(process.stdout);
      this.stdoutWrite = process.stdout.write;
      process.stdout.write = ((...args: Parameters<typeof write>) => {
        if (this.shown) this.clearLine();
        return write(...args);
      }) as typeof process.stdout.write;
    }
  }

  private clearLine(): void {
    this.out.write('\r\x1b[K');
    this.shown = false;
  }

  /** Takes a reading now and reports it. */
  tick(): ProgressReading | undefined {
    const samples = this.job.metrics?.();
    if (samples === undefined) return undefined;
    const now = Date.now();
    const { records, watermark } = readSources(samples);
    const seconds = (now - this.lastAt) / 1000;
    const reading: ProgressReading = {
      type: 'progress',
      job: this.job.jobName,
      elapsedMs: now - this.started,
      records,
      recordsPerSecond: seconds > 0 ? Math.round((records - this.lastRecords) / seconds) : 0,
      watermark,
    };
    this.lastRecords = records;
    this.lastAt = now;
    if (this.mode === 'json') this.out.write(`${JSON.stringify(reading)}\n`);
    else if (this.mode === 'tty') {
      this.out.write(`\r\x1b[K${formatReading(reading)}`);
      this.shown = true;
    }
    return reading;
  }

  /** Stops reporting and clears the terminal line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.stdoutWrite !== undefined) process.stdout.write = this.stdoutWrite;
    if (this.shown) this.clearLine();
  }
}

/** `eddy: 12,345 records  4,321/s  0:03  watermark 2026-01-01T00:00:00.000Z`. */
export function formatReading(r: ProgressReading): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  const s = Math.floor(r.elapsedMs / 1000);
  const elapsed = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const watermark = r.watermark === null ? '' : `  watermark ${formatWatermark(r.watermark)}`;
  return `eddy: ${r.job}  ${n(r.records)} records  ${n(r.recordsPerSecond)}/s  ${elapsed}${watermark}`;
}

function formatWatermark(ms: number): string {
  if (ms >= Number.MAX_SAFE_INTEGER) return 'end of input';
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** The final summary as one JSON line. */
export function summaryJson(r: JobExecutionResult): string {
  return `${JSON.stringify({ type: 'summary', ...r })}\n`;
}
