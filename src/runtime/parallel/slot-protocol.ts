/**
 * Messages between the coordinator (main thread) and the slot workers of a threaded job.
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { EnvironmentOptions } from '../../api/environment-options.ts';
import type { JobExecutionResult } from '../../api/job-executor.ts';
import type { MetricSample } from '../../metrics/metric-sample.ts';
import type { WorkerError } from './worker-error.ts';

/** What a slot worker starts with (`workerData`). */
export interface SlotWorkerData {
  /** The job module to re-import. */
  readonly jobUrl: string;
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
}

/** Worker → coordinator. */
export type SlotReport =
  | { readonly type: 'ready' }
  | { readonly type: 'metrics'; readonly samples: readonly MetricSample[] }
  | {
      readonly type: 'done';
      readonly result: JobExecutionResult;
      readonly samples: readonly MetricSample[];
    }
  | { readonly type: 'failed'; readonly error: WorkerError };

/** Coordinator → worker. */
export type SlotCommand =
  { readonly type: 'start' } | { readonly type: 'cancel' } | { readonly type: 'close' };
