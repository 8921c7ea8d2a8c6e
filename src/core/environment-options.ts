import type { MemorySize } from '../util/memory-size.ts';
import type { Duration } from '../util/duration.ts';
import type { ObjectStorageOptions } from './object-storage-options.ts';

/** A clock the runtime reads and schedules processing-time work on (virtual in tests). */
export interface ProcessingTimeService {
  now(): number;
  /** Calls `callback` once the clock reaches `time`; returns a cancel function. */
  schedule(time: number, callback: () => void): () => void;
}

/**
 * How a failed job is restarted in-process from its latest checkpoint.
 *
 * - `none`: fail the job on the first failure.
 * - `fixed-delay`: up to `attempts` restarts, `delay` apart.
 * - `failure-rate`: restart after `delay` unless more than `maxFailures` failures happened within
 *   `interval`.
 * - `exponential-backoff` (the default when checkpointing is on): delays grow from `initialDelay`
 *   (default 1 s) by `multiplier` (default 1.5) up to `maxDelay` (default 5 min), with ±`jitter`
 *   (default 0.1) and reset after `resetAfter` (default 1 h) without failures; `attempts`
 *   (default unlimited) bounds the restarts.
 */
export type RestartStrategyOptions =
  | { readonly type: 'none' }
  | { readonly type: 'fixed-delay'; readonly attempts: number; readonly delay?: Duration }
  | {
      readonly type: 'failure-rate';
      readonly maxFailures: number;
      readonly interval: Duration;
      readonly delay?: Duration;
    }
  | {
      readonly type: 'exponential-backoff';
      readonly initialDelay?: Duration;
      readonly maxDelay?: Duration;
      readonly multiplier?: number;
      readonly jitter?: number;
      readonly resetAfter?: Duration;
      readonly attempts?: number;
    };

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
  /**
   * Fuse chains of record-at-a-time operators (map, filter, keyed reduce) connected one-to-one in
   * the same thread into one generated loop (default true). Like Flink's
   * `disableOperatorChaining()` when false: every operator then processes its own batches, which
   * can help when profiling a single operator.
   */
  readonly operatorChaining?: boolean;
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
  /** Take a checkpoint this often (requires {@link EnvironmentOptions.checkpointDir}); off by default. */
  readonly checkpointInterval?: Duration;
  /**
   * How long a cancelled job (Ctrl-C, SIGTERM, stop with savepoint) may take to stop before its
   * worker threads are terminated and it fails naming the stuck work — Flink's task cancellation
   * watchdog (default 30 s). Only jobs on worker threads (`eddy run`) can be interrupted: code
   * running in the caller's thread cannot be stopped from inside it.
   */
  readonly taskCancellationTimeout?: Duration;
  /** A checkpoint not complete after this long is discarded (default 10 min). */
  readonly checkpointTimeout?: Duration;
  /** Least time between the end of one checkpoint and the start of the next (default 0). */
  readonly minPauseBetweenCheckpoints?: Duration;
  /**
   * Checkpoint failures in a row the job rides out (default 0, as in Flink): one more fails the
   * job, which then restarts from its newest completed checkpoint as the restart strategy
   * allows. A checkpoint that completes resets the count; savepoints do not count. A failed
   * final checkpoint of a bounded job is taken again while within the tolerance.
   */
  readonly tolerableCheckpointFailures?: number;
  /** Completed checkpoints kept in the checkpoint directory (default 1). */
  readonly checkpointsRetained?: number;
  /**
   * `exactly-once` (default) aligns barriers, so state reflects each record once; `at-least-once`
   * does not block channels during alignment (lower latency; records may be replayed twice).
   */
  readonly checkpointingMode?: 'exactly-once' | 'at-least-once';
  /**
   * Directory of checkpoints (`chk-<id>/`): a local path or `s3://bucket/prefix` (see
   * {@link EnvironmentOptions.objectStorage}). A job started with a directory that holds completed
   * checkpoints resumes from the newest intact one, unless `resumeFromCheckpoint` is false.
   */
  readonly checkpointDir?: string;
  /** How `s3://` checkpoint and savepoint paths are reached (endpoint, region, retries, parts). */
  readonly objectStorage?: ObjectStorageOptions;
  /** Resume from the newest checkpoint in {@link EnvironmentOptions.checkpointDir} (default true). */
  readonly resumeFromCheckpoint?: boolean;
  /** How failures are retried (default: exponential backoff with checkpointing, else none). */
  readonly restartStrategy?: RestartStrategyOptions;
  /** Start from this savepoint (or checkpoint), local or `s3://…` (CLI `--from-savepoint PATH`). */
  readonly fromSavepoint?: string;
  /**
   * Skip state in the savepoint that belongs to no operator of this job instead of refusing it
   * (CLI `--allow-non-restored-state`).
   */
  readonly allowNonRestoredState?: boolean;
  /** Take a savepoint into this directory (or `s3://…`) when the job stops (`--savepoint-on-stop`). */
  readonly savepointOnStop?: string;
  /**
   * Where keyed state lives: `heap` (default; JavaScript Maps) or `lmdb` (on disk, for state
   * larger than memory; durability still comes from checkpoints).
   */
  readonly stateBackend?: 'heap' | 'lmdb';
  /** Working directory of the `lmdb` state backend (default `<tmpdir>/eddy-state`). */
  readonly stateDir?: string;
  /**
   * Memory the `lmdb` state backend may use for its cache and write buffer, per process (or, on
   * worker threads, per slot), shared evenly by the keyed operator subtasks there (Flink's
   * managed memory, made explicit): bytes or `'256mb'`, `'2gb'` (default 64 MiB per keyed
   * subtask; CLI `--state-memory`). State beyond it stays on disk, read through the OS page cache.
   * Pending timers are not in it: they stay on the heap, as with Flink's `HEAP` timer service
   * (about 85–130 bytes each; ADR 0026).
   */
  readonly stateMemory?: MemorySize;
  /**
   * Checkpoints of the `lmdb` backend write only what changed since the previous one (a chain of
   * change files in `<checkpointDir>/shared/`, rebased by a full one now and then; ADR 0020).
   * Savepoints stay full. Default false (CLI `--incremental-checkpoints`).
   */
  readonly incrementalCheckpoints?: boolean;
}
