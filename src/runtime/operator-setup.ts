/**
 * Everything the executor gives an operator subtask when it creates it.
 *
 * @module
 */
import type { ProcessingTimeService } from '../core/environment-options.ts';
import type { RuntimeProperties } from '../core/runtime-properties.ts';
import type { MetricGroup } from '../core/metric-group.ts';
import type { NodeBinding, PlanNode } from '../plan/plan.ts';
import type { Emitter } from './emitter.ts';

export interface OperatorSetup {
  readonly jobName: string;
  readonly node: PlanNode;
  readonly binding: NodeBinding;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attempt: number;
  /** Main output. */
  readonly output: Emitter;
  /** Side outputs that something reads, by tag id. */
  readonly sideOutputs: ReadonlyMap<string, Emitter>;
  readonly metrics: MetricGroup;
  readonly properties: RuntimeProperties;
  readonly clock: ProcessingTimeService;
  readonly batchSize: number;
  readonly autoWatermarkInterval: number;
  readonly failOnMalformedInput: boolean;
  /** Keyed state backend kind and its working directory. */
  readonly stateBackend: 'heap' | 'lmdb';
  readonly stateDir: string | undefined;
  /** Whether periodic checkpoints run (exactly-once sinks then commit on checkpoint completion). */
  readonly checkpointing: boolean;
  /** Runs work triggered outside a batch (timers, async results) as a task action. */
  readonly runAction: (action: () => void) => void;
  /** Makes the task wait for `promise` before the sources emit more (backpressure, async sinks). */
  readonly addBlocker: (promise: Promise<void>) => void;
  /** Aborted when the job is cancelled or fails. */
  readonly signal: AbortSignal;
}
