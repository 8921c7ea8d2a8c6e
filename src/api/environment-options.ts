import type { Duration } from '../util/duration.ts';

/** A clock the runtime reads and schedules processing-time work on (virtual in tests). */
export interface ProcessingTimeService {
  now(): number;
  /** Calls `callback` once the clock reaches `time`; returns a cancel function. */
  schedule(time: number, callback: () => void): () => void;
}

/** Settings of a {@link StreamEnvironment}. Every one can also come from the CLI. */
export interface EnvironmentOptions {
  /** Default parallelism of operators (default 1). */
  readonly parallelism?: number;
  /** Number of key groups; fixed for the life of a job's state (default 128). */
  readonly maxParallelism?: number;
  /** Job name (default `eddy-job`). */
  readonly jobName?: string;
  /** Runtime properties (`group.key → value`). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Records per batch on the record path (default 1024). */
  readonly batchSize?: number;
  /** Serve Prometheus metrics on this port while the job runs. */
  readonly metricsPort?: number;
  /** Host to bind the metrics server to (default 127.0.0.1). */
  readonly metricsHost?: string;
  /** How often periodic watermarks are emitted (default 200 ms). */
  readonly autoWatermarkInterval?: Duration;
  /** Fail the job on a malformed input record instead of sending it to the dead-letter output. */
  readonly failOnMalformedInput?: boolean;
  /** Stop gracefully on SIGINT/SIGTERM while the job runs (default true). */
  readonly handleSignals?: boolean;
  /**
   * Where parallel subtasks run. `threads` (the default for a job file run by the CLI with
   * parallelism > 1): one worker thread per slot, each running one subtask of every operator.
   * `in-process`: every subtask in the calling thread (always the case for parallelism 1 and for
   * jobs executed from code that is not a job file, such as tests).
   */
  readonly runtimeMode?: 'threads' | 'in-process';
  /** The processing-time clock (default: the wall clock). */
  readonly processingTimeService?: ProcessingTimeService;
}
