/**
 * Everything the executor gives an operator subtask when it creates it.
 *
 * @module
 */
import type { ProcessingTimeService } from '../core/environment-options.ts';
import type { RuntimeProperties } from '../core/runtime-properties.ts';
import type { MetricGroup } from '../core/metric-group.ts';
import type { NodeKind } from '../plan/node-kinds.ts';
import type { NodeBindingOf, PlanNodeOf } from '../plan/plan.ts';
import type { Emitter } from './emitter.ts';

export interface OperatorSetup<K extends NodeKind = NodeKind> {
  readonly jobName: string;
  readonly node: PlanNodeOf<K>;
  /** The node's functions and settings, typed by its kind. */
  readonly binding: NodeBindingOf<K>;
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
  /** Memory budget of this subtask's `lmdb` backend (the share of `stateMemory`). */
  readonly stateMemoryBytes?: number | undefined;
  /** Whether periodic checkpoints run (exactly-once sinks then commit on checkpoint completion). */
  readonly checkpointing: boolean;
  /** Runs work triggered outside a batch (timers, async results) as a task action. */
  readonly runAction: (action: () => void) => void;
  /** Makes the task wait for `promise` before the sources emit more (backpressure, async sinks). */
  readonly addBlocker: (promise: Promise<void>) => void;
  /** Aborted when the job is cancelled or fails. */
  readonly signal: AbortSignal;
}

/** Whether a setup's node and binding are both of kind `kind` (then typed by it). */
export function isSetupOf<K extends NodeKind>(
  setup: OperatorSetup,
  kind: K,
): setup is OperatorSetup<K> {
  return setup.node.kind === kind && setup.binding.kind === kind;
}
