/**
 * Messages between the coordinator (main thread) and the slot workers of a threaded job.
 *
 * @module
 */
import type { SharedStateWrite } from '../checkpoint/checkpoint-coordinator.ts';
import type { MessagePort } from 'node:worker_threads';
import type { CpuProfile } from '../../core/cpu-profile.ts';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobExecutionResult } from '../../core/job-client.ts';
import type { MetricLabels, MetricSample } from '../../core/metric-sample.ts';
import type { ObjectStorageOptions } from '../../core/object-storage-options.ts';
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.ts';
import type { OperatorStateDistribution, StateInfo } from '../checkpoint/checkpoint-metadata.ts';
import type { WorkerError } from './worker-error.ts';

/** What a slot worker starts with (`workerData`). */
export interface SlotWorkerData {
  /**
   * Shared with the coordinator: `[0]` is when the slot's running call started (epoch ms, 0 when
   * none runs), `[1]` the number of the subtask running now (-1: none; see {@link SlotTask}),
   * written by the slot's busy clock (see `task-times.ts`).
   */
  readonly heartbeat: Float64Array;
  /** The job module to re-import. */
  readonly jobUrl: string;
  /** The module that rebuilds the job from it (`LaunchContext.jobModuleRunner`). */
  readonly jobModuleRunner: string;
  /** Which `execute()` call of the module is this job (0 = the first). */
  readonly jobIndex: number;
  readonly slot: number;
  readonly slots: number;
  /** The coordinator's plan fingerprint; the worker's plan must match. */
  readonly fingerprint: string;
  /** The launcher's environment defaults (plain data). */
  readonly defaults: EnvironmentOptions;
  /** A port to each other slot, by slot index. */
  readonly ports: readonly (MessagePort | undefined)[];
  /** The checkpoint or savepoint directory to restore this slot's subtasks from. */
  readonly restorePath: string | undefined;
  /** How `s3://` paths are reached (the restore path may be one). */
  readonly objectStorage: ObjectStorageOptions | undefined;
  /** Restart attempt of the job (0 for the first). */
  readonly attempt: number;
}

/**
 * What a warm slot worker starts with: it loads Eddy's modules (and `preload`) before its job
 * exists, then waits for an `assign` command with its {@link SlotWorkerData}.
 */
export interface WarmSlotWorkerData {
  readonly warm: {
    /** Module URLs to import while it waits (those the job module imports: `eddy`'s entry). */
    readonly preload: readonly string[];
    /** Whether to register tsx: the job module to come is TypeScript. */
    readonly typescript: boolean;
  };
}

/** Worker → coordinator. */
export type SlotReport =
  | {
      readonly type: 'ready';
      /** How each node's operator state is spread on rescaling, for this slot's subtasks. */
      readonly distributions: Readonly<Record<number, OperatorStateDistribution>>;
      /** The slot's subtasks by the number its heartbeat names them with. */
      readonly tasks: readonly SlotTask[];
    }
  | ({ readonly type: 'ack'; readonly checkpointId: number } & EncodedAck)
  | {
      readonly type: 'decline';
      readonly checkpointId: number;
      readonly reason: string;
      /** False: the subtask only could not take it now (see `CHECKPOINT_DECLINED`). */
      readonly counts: boolean;
    }
  /** Every subtask of the slot finished its input; it waits for the final checkpoint. */
  | { readonly type: 'input-finished' }
  | { readonly type: 'metrics'; readonly samples: readonly MetricSample[] }
  | {
      readonly type: 'done';
      readonly result: JobExecutionResult;
      readonly samples: readonly MetricSample[];
    }
  | { readonly type: 'failed'; readonly error: WorkerError }
  /** The answer to `release`: the job is gone from the thread, which waits for another. */
  | { readonly type: 'released' }
  /** The answer to a `profile` command: the thread's CPU profile, or why there is none. */
  | {
      readonly type: 'profile';
      readonly id: number;
      readonly profile?: CpuProfile | undefined;
      /** With its code: a profile already being taken is a CONFLICT, not an internal error. */
      readonly error?: WorkerError | undefined;
    };

/** Coordinator → worker. */
export type SlotCommand =
  /** A warm worker's slot (the first command it gets; its ports travel in the transfer list). */
  | { readonly type: 'assign'; readonly data: SlotWorkerData }
  | { readonly type: 'start' }
  | { readonly type: 'cancel' }
  | { readonly type: 'close' }
  /**
   * The job finished: drop it and wait for the next `assign` (the thread stays warm for another
   * job of the process, see `keepFinishedSlotWorkers`); answered by a `released` report.
   */
  | { readonly type: 'release' }
  /** Inject a checkpoint barrier at the sources (finished subtasks acknowledge at once). */
  | {
      readonly type: 'inject-barrier';
      readonly barrier: CheckpointBarrier;
      /** The sources read nothing after it until `settle-stop` (stop-with-savepoint). */
      readonly stopAfter: boolean;
    }
  /** The stop-with-savepoint is settled: the held sources end (`stop`) or read on. */
  | { readonly type: 'settle-stop'; readonly stop: boolean }
  | { readonly type: 'checkpoint-complete'; readonly checkpointId: number }
  /** The final checkpoint is complete (or not taken): the slot may end. */
  | { readonly type: 'final-checkpoint-done' }
  /** Sample the slot's thread's CPU profile (for a flame graph); answered by a `profile` report. */
  | {
      readonly type: 'profile';
      readonly id: number;
      readonly durationMs: number;
      readonly intervalUs: number;
    };

/** A subtask's acknowledgement with its serialized state, as it crosses threads. */
export interface EncodedAck {
  readonly nodeId: number;
  readonly index: number;
  readonly data: Uint8Array;
  readonly states: readonly StateInfo[];
  /** Incremental checkpoints: the new file of the subtask's keyed state chain. */
  readonly shared?: SharedStateWrite | undefined;
  readonly syncMs?: number | undefined;
  readonly keyGroups: { readonly start: number; readonly end: number } | undefined;
  readonly alignmentMs: number;
}

/** A subtask of a slot, as the coordinator names it when the slot is stuck in one of its calls. */
export interface SlotTask {
  /** Its number in the slot's heartbeat. */
  readonly id: number;
  /** Its operator chain and index, e.g. `"gen -> spin" (subtask 2 of 2)`. */
  readonly description: string;
  /** The labels of its time gauges (`busyTimeMsPerSecond`, …), as the slot registers them. */
  readonly labels: MetricLabels;
}
