/**
 * One attempt at running a job, as the {@link JobSupervisor} drives it: a {@link JobRun} in this
 * thread, or a threaded job whose subtasks run on worker threads. After a failure the supervisor
 * starts a new attempt from the newest completed checkpoint.
 *
 * @module
 */
import type { CpuProfile, CpuProfileOptions } from '../../core/cpu-profile.ts';
import type { JobExecutionResult } from '../../core/job-client.ts';
import type { CheckpointStats } from '../../core/job-status.ts';
import type { MetricSample } from '../../core/metric-sample.ts';
import type { CheckpointContext } from '../checkpoint/job-checkpointing.ts';

/** The checkpoint statistics an attempt's coordinator keeps. */
export type AttemptCheckpointStats = Pick<
  CheckpointStats,
  'completed' | 'failed' | 'lastCompleted' | 'history'
>;

/** A running (or finished) attempt. */
export interface JobAttempt {
  /** Resolves when every subtask is open and the sources are about to start. */
  readonly running: Promise<void>;
  /** The attempt's outcome. */
  readonly result: Promise<JobExecutionResult>;
  /** Builds and starts the attempt; the outcome arrives through `result`. */
  start(): void;
  /** Stops the sources (with `savepointOnStop`, after a savepoint); in-flight records drain. */
  cancel(): Promise<JobExecutionResult>;
  triggerSavepoint(dir: string): Promise<string>;
  stopWithSavepoint(dir: string): Promise<string>;
  /** The coordinator's statistics, once it exists. */
  checkpointStats(): AttemptCheckpointStats | undefined;
  /** Prometheus text of the attempt's metrics. */
  metricsText(): Promise<string>;
  /** The attempt's metrics as samples. */
  metrics(): readonly MetricSample[];
  /** Samples the CPU profile of the thread that runs subtask `subtask` (of every operator). */
  profileSubtask(subtask: number, o: CpuProfileOptions): Promise<CpuProfile>;
}

/** Creates attempt number `attempt` (0 first) with its checkpoint context. */
export type AttemptFactory = (context: CheckpointContext, attempt: number) => JobAttempt;
