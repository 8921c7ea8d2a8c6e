/**
 * An application's effective settings: its configuration over the documented defaults, and what
 * that means for the job (environment options) and the machine (resources).
 *
 * @module
 */
import type { EnvironmentOptions, RestartStrategyOptions } from '../../core/environment-options.ts';
import type { ApplicationConfig, RestartStrategy } from '../../protocol/application.ts';

/**
 * The defaults of every setting (docs/guides/platform.md lists them). The ones that decide how
 * an application is run and supervised:
 *
 * - **Resource units** (the managed service's KPU): `resources.units` (default
 *   `ceil(parallelism / parallelismPerUnit)`) — one unit is one core and the server's unit memory
 *   (`eddy server --unit-memory-mb`, default 4096 MiB). The application's process may hold
 *   `units × unit memory` of resident memory (an RSS watchdog kills it past that; the application
 *   is then FAILED with kind OUT_OF_MEMORY and not restarted), of which `resources.heapShare`
 *   (0.75) is its V8 heap limit. `parallelismPerUnit` (the service's ParallelismPerKPU, default 1)
 *   says how many subtasks one unit runs. A start or update that would hold more units than the
 *   server offers (`--capacity-units`, default: its cores, or fewer if its memory holds fewer
 *   units) is refused with 409 OVERCOMMITTED.
 * - **restartStrategy**: how the engine restarts a failed job in-process, and how the server
 *   restarts a process that died (from the latest checkpoint); past its budget the application
 *   is FAILED with the reason.
 * - **systemRollback** (the service's system rollback): `enabled` (true) — an update whose new
 *   version does not reach RUNNING within `startTimeoutMs` (120 s), or fails `maxFailures` (3)
 *   times (process deaths and in-process job restarts) within `windowMs` (10 min) of reaching it,
 *   is rolled back by the server to the version it ran before, from the update's snapshot, and a
 *   SYSTEM_ROLLBACK operation by `system` records it. Output the failed version committed after
 *   that snapshot is produced again by the previous version.
 * - **stateBackend**: `type` (`heap`); for `lmdb`, `memoryMb` is the state memory of the whole
 *   application (Flink's managed memory, explicit): its cache and write buffer, shared evenly by
 *   its slots (default: 64 MiB per keyed subtask). It lives outside the V8 heap, so it must fit in
 *   the application's memory beside the heap (`units × unit memory × (1 − heapShare)`), which the
 *   RSS watchdog counts. `incrementalCheckpoints` (false) makes checkpoints write only what
 *   changed (ADR 0020).
 * - **session**: run in a shared process with the other applications naming the same session
 *   (its memory is the sum of theirs; parallelism 1 runs on the process's own thread).
 */
export const APPLICATION_DEFAULTS = {
  parallelism: 1,
  parallelismPerUnit: 1,
  maxParallelism: 128,
  heapShare: 0.75,
  checkpoints: {
    enabled: true,
    intervalMs: 10_000,
    timeoutMs: 600_000,
    minPauseMs: 0,
    retained: 2,
    mode: 'exactly-once' as const,
  },
  restartStrategy: {
    type: 'exponential-backoff' as const,
    initialDelayMs: 1_000,
    maxDelayMs: 60_000,
    attempts: 10,
  },
  stateBackend: { type: 'heap' as const, incrementalCheckpoints: false },
  batchSize: 1024,
  autoWatermarkIntervalMs: 200,
  failOnMalformedInput: false,
  systemRollback: { enabled: true, startTimeoutMs: 120_000, maxFailures: 3, windowMs: 600_000 },
};

const MIB = 1024 * 1024;

/** The settings an application runs with, every default filled in. */
export interface EffectiveSettings {
  readonly parallelism: number;
  readonly parallelismPerUnit: number;
  readonly maxParallelism: number;
  readonly units: number;
  readonly heapShare: number;
  readonly session: string | undefined;
  readonly properties: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly checkpoints: Required<NonNullable<ApplicationConfig['checkpoints']>>;
  readonly restartStrategy: RestartStrategy;
  readonly stateBackend: 'heap' | 'lmdb';
  /** MiB of state memory of the whole application (lmdb); undefined: the engine's default. */
  readonly stateMemoryMb: number | undefined;
  readonly incrementalCheckpoints: boolean;
  readonly batchSize: number;
  readonly autoWatermarkIntervalMs: number;
  readonly failOnMalformedInput: boolean;
  readonly systemRollback: Required<NonNullable<ApplicationConfig['systemRollback']>>;
}

/** Fills in the defaults. */
export function effectiveSettings(config: ApplicationConfig): EffectiveSettings {
  const d = APPLICATION_DEFAULTS;
  const parallelism = config.parallelism ?? d.parallelism;
  const parallelismPerUnit = config.parallelismPerUnit ?? d.parallelismPerUnit;
  return {
    parallelism,
    parallelismPerUnit,
    maxParallelism: config.maxParallelism ?? d.maxParallelism,
    units: config.resources?.units ?? Math.ceil(parallelism / parallelismPerUnit),
    heapShare: config.resources?.heapShare ?? d.heapShare,
    session: config.session,
    properties: config.properties ?? {},
    checkpoints: { tolerableFailures: 0, ...d.checkpoints, ...config.checkpoints },
    restartStrategy: config.restartStrategy ?? d.restartStrategy,
    stateBackend: config.stateBackend?.type ?? d.stateBackend.type,
    stateMemoryMb: config.stateBackend?.memoryMb,
    incrementalCheckpoints:
      config.stateBackend?.incrementalCheckpoints ?? d.stateBackend.incrementalCheckpoints,
    batchSize: config.batchSize ?? d.batchSize,
    autoWatermarkIntervalMs: config.autoWatermarkIntervalMs ?? d.autoWatermarkIntervalMs,
    failOnMalformedInput: config.failOnMalformedInput ?? d.failOnMalformedInput,
    systemRollback: { ...d.systemRollback, ...config.systemRollback },
  };
}

/** The memory an application gets. */
export interface MemoryBudget {
  readonly memoryMb: number;
  readonly heapMb: number;
}

/** Memory for `units` units of `unitMemoryMb` each. */
export function memoryOf(units: number, heapShare: number, unitMemoryMb: number): MemoryBudget {
  const memoryMb = Math.max(64, Math.round(units * unitMemoryMb));
  return { memoryMb, heapMb: Math.max(32, Math.round(memoryMb * heapShare)) };
}

/** How restarts of crashed processes are paced and bounded (the same budget as the job's). */
export interface RestartBudget {
  readonly attempts: number;
  readonly windowMs: number;
  delayMs(attempt: number): number;
}

/** The process-restart budget of a restart strategy. */
export function restartBudget(s: RestartStrategy): RestartBudget {
  switch (s.type) {
    case 'none':
      return { attempts: 0, windowMs: Infinity, delayMs: () => 0 };
    case 'failure-rate':
      return {
        attempts: s.maxFailures,
        windowMs: s.intervalMs,
        delayMs: () => s.delayMs ?? 1_000,
      };
    case 'exponential-backoff': {
      const first = s.initialDelayMs ?? 1_000;
      const max = s.maxDelayMs ?? 60_000;
      return {
        attempts: s.attempts ?? 10,
        windowMs: Infinity,
        delayMs: (attempt) => Math.min(max, first * 2 ** attempt),
      };
    }
  }
}

function engineRestartStrategy(s: RestartStrategy): RestartStrategyOptions {
  switch (s.type) {
    case 'none':
      return { type: 'none' } as RestartStrategyOptions;
    case 'failure-rate':
      return {
        type: 'failure-rate',
        maxFailures: s.maxFailures,
        interval: s.intervalMs,
        ...(s.delayMs !== undefined && { delay: s.delayMs }),
      };
    case 'exponential-backoff':
      return {
        type: 'exponential-backoff',
        ...(s.initialDelayMs !== undefined && { initialDelay: s.initialDelayMs }),
        ...(s.maxDelayMs !== undefined && { maxDelay: s.maxDelayMs }),
        ...(s.attempts !== undefined && { attempts: s.attempts }),
      };
  }
}

/** Where a run keeps its files and where it starts from. */
export interface RunLocation {
  readonly checkpointDir: string;
  readonly stateDir: string;
  /** A savepoint to start from, when the checkpoint directory holds none to resume from. */
  readonly fromSavepoint: string | undefined;
  readonly allowNonRestoredState: boolean;
}

/** The environment defaults the application's job runs with. */
export function environmentOptionsOf(s: EffectiveSettings, at: RunLocation): EnvironmentOptions {
  const properties: Record<string, string> = {};
  for (const [group, entries] of Object.entries(s.properties))
    for (const [key, value] of Object.entries(entries)) properties[`${group}.${key}`] = value;
  const options: Record<string, unknown> = {
    parallelism: s.parallelism,
    maxParallelism: s.maxParallelism,
    properties,
    batchSize: s.batchSize,
    autoWatermarkInterval: s.autoWatermarkIntervalMs,
    failOnMalformedInput: s.failOnMalformedInput,
    restartStrategy: engineRestartStrategy(s.restartStrategy),
    stateBackend: s.stateBackend,
    stateDir: at.stateDir,
    checkpointDir: at.checkpointDir,
    resumeFromCheckpoint: true,
    allowNonRestoredState: at.allowNonRestoredState,
  };
  // A job of parallelism 1 runs on its host's thread, not on a worker thread of its own (ADR
  // 0021): no second V8 isolate (~30 MB), no second import of Eddy and the job before it runs
  // (most of an update's start), no copy of its checkpoint state between threads. The process
  // is the unit of isolation (memory limit, force stop); the price is that a function stuck in
  // the job cannot be interrupted by the cancellation watchdog — a stop then times out and a
  // force stop ends the process — and, in a session, holds up the session's other jobs.
  if (s.parallelism === 1) options['runtimeMode'] = 'in-process';
  // The option is per slot (or per process when in-process); the setting is per application.
  if (s.stateMemoryMb !== undefined)
    options['stateMemory'] = Math.max(1, Math.floor((s.stateMemoryMb * MIB) / s.parallelism));
  if (s.incrementalCheckpoints) options['incrementalCheckpoints'] = true;
  if (s.checkpoints.enabled) {
    options['checkpointInterval'] = s.checkpoints.intervalMs;
    options['checkpointTimeout'] = s.checkpoints.timeoutMs;
    options['minPauseBetweenCheckpoints'] = s.checkpoints.minPauseMs;
    options['checkpointsRetained'] = s.checkpoints.retained;
    options['checkpointingMode'] = s.checkpoints.mode;
    // Read by engines that support it (Flink's execution.checkpointing.tolerable-failed-checkpoints).
    options['tolerableCheckpointFailures'] = s.checkpoints.tolerableFailures;
  }
  if (at.fromSavepoint !== undefined) options['fromSavepoint'] = at.fromSavepoint;
  return options as EnvironmentOptions;
}
