/**
 * What a running job looks like from outside: its {@link JobClient} (cancel, savepoints,
 * checkpoint statistics, metrics) and its {@link JobExecutionResult}. The API returns it from
 * `env.executeAsync()`, the runtime implements it, the CLI and the server drive it.
 *
 * @module
 */
import type { CpuProfile, CpuProfileOptions } from './cpu-profile.ts';
import type { MetricSample } from './metric-sample.ts';
import type { CheckpointStats, ExceptionRecord } from './job-status.ts';

/** Records in and out of one operator (summed over its subtasks). */
export interface OperatorSummary {
  readonly id: number;
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Milliseconds its subtasks were busy (summed). */
  readonly busyMs?: number;
  /** Milliseconds its most backpressured subtask waited for downstream capacity. */
  readonly backPressuredMs?: number;
  /** Share of the run its most backpressured subtask was blocked: OK < 10 %, LOW < 50 %, HIGH. */
  readonly backPressureLevel?: 'OK' | 'LOW' | 'HIGH';
}

/** How a job ended and what it did. */
export interface JobExecutionResult {
  readonly jobName: string;
  /** `FINISHED` when all input was processed, `CANCELED` when it was stopped. */
  readonly status: 'FINISHED' | 'CANCELED';
  readonly durationMs: number;
  readonly operators: readonly OperatorSummary[];
}

/** A handle on a running job. */
export interface JobClient {
  readonly jobName: string;
  /**
   * Resolves when every subtask is deployed and opened and the sources start (benchmarks measure
   * from here, as Flink's baseline measures from its sources' start).
   */
  readonly running?: Promise<void>;
  /** Resolves when the job ends; rejects with an EddyError when it fails. */
  readonly result: Promise<JobExecutionResult>;
  /** Stops the sources, lets in-flight records drain to the sinks, and ends the job. */
  cancel(): Promise<JobExecutionResult>;
  /** The job's metrics in Prometheus text format. */
  metricsText(): Promise<string>;
  /** The job's metrics as plain data (executors that run in this process provide it). */
  metrics?(): readonly MetricSample[];
  /**
   * Takes a savepoint into directory `dir` while the job goes on; resolves with the savepoint's
   * path (pass it to `fromSavepoint` / `--from-savepoint`).
   */
  triggerSavepoint(dir: string): Promise<string>;
  /**
   * Takes a savepoint into `dir`; the sources read nothing after its barrier and, once it is
   * complete, end the job. If the savepoint fails the promise rejects and the job runs on
   * (sources read on, periodic checkpoints resume), as Flink's does.
   */
  stopWithSavepoint(dir: string): Promise<string>;
  /** Completed and failed checkpoints, restarts. */
  checkpointStats(): CheckpointStats;
  /** Failures of this job's attempts (time, operator, subtask, stack), oldest first. */
  exceptionHistory(): readonly ExceptionRecord[];
  /**
   * Samples the V8 CPU profile of the thread that runs subtask `subtask` (subtask i of every
   * operator shares slot i's thread) for `o.durationMs`; resolves with a `.cpuprofile`
   * (executors that run in this process provide it).
   */
  profileSubtask?(subtask: number, o: CpuProfileOptions): Promise<CpuProfile>;
}
