/**
 * Messages between the server and an application host process over Node's IPC channel. A host
 * runs one application (or, in session mode, several); every request names the application.
 *
 * @module
 */
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { EddyErrorCode, ErrorDomain } from '../../errors/eddy-error.ts';
import type { CheckpointStats, ExceptionRecord } from '../../core/job-status.ts';
import type { MetricSample } from '../../core/metric-sample.ts';
import type { Plan } from '../../plan/plan.ts';

/**
 * The environment variable through which the server asks a host to start slot worker threads
 * before its job (`<count>`, or `<count>,ts` when the job module is TypeScript): see
 * runtime/parallel/warm-slot-workers.ts.
 */
export const HOST_WARM_SLOTS_ENV = 'EDDY_HOST_WARM_SLOTS';

/** What the server asks of a host. */
export type HostRequest =
  | {
      readonly kind: 'start';
      /** Absolute path of the job module to import (an extracted artifact's entry). */
      readonly entryPath: string;
      /** Environment defaults: checkpoint directory, restore, parallelism, properties … */
      readonly options: EnvironmentOptions;
    }
  /** Graceful stop; with `savepointDir` a stop-with-savepoint, answering the savepoint's path. */
  | { readonly kind: 'stop'; readonly savepointDir?: string | undefined }
  /** A savepoint while the job goes on; answers its path. */
  | { readonly kind: 'snapshot'; readonly dir: string }
  /** The job's plan, metrics, checkpoints and exceptions. */
  | { readonly kind: 'status' }
  /** Samples the CPU profile of the thread running subtask `subtask`; answers the profile. */
  | {
      readonly kind: 'profile';
      readonly subtask: number;
      readonly durationMs: number;
      readonly intervalUs: number;
    };

/** A request on the wire. */
export type HostRequestMessage = HostRequest & { readonly id: number; readonly app: string };

/** What a host reports about a job. */
export interface HostJobStatus {
  readonly status: 'STARTING' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';
  readonly plan: Plan | undefined;
  readonly metrics: readonly MetricSample[];
  readonly checkpoints: CheckpointStats | undefined;
  readonly exceptions: readonly ExceptionRecord[];
  readonly heapUsedBytes: number;
}

/** A host's messages to the server. */
export type HostMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly value: unknown }
  /**
   * A request failed: the error's fields cross the channel so the server answers with the
   * host's code (a savepoint that cannot be written is IO_ERROR, not INTERNAL).
   */
  | {
      readonly kind: 'reply-error';
      readonly id: number;
      /** The message without its hint. */
      readonly message: string;
      readonly code: EddyErrorCode;
      readonly domain: ErrorDomain;
      readonly retryable: boolean;
      readonly hint?: string | undefined;
    }
  /** A job ended by itself (bounded input finished, or failed past its restart strategy). */
  | {
      readonly kind: 'job-ended';
      readonly app: string;
      readonly status: 'FINISHED' | 'CANCELED' | 'FAILED';
      readonly error?: string | undefined;
    }
  /** The job is deployed and its sources run. */
  | { readonly kind: 'job-running'; readonly app: string }
  | { readonly kind: 'ready' };
