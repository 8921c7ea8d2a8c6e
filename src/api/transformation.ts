/**
 * The mutable record of an operator while a job is being built. `name()`, `uid()` and
 * `setParallelism()` change it in place (as in Flink); {@link compilePlan} freezes it.
 *
 * @module
 */
import type { ChainingStrategy, CustomPartitioning, PartitioningKind } from '../plan/plan.ts';

/** One output of an operator: its main output, or a side output by tag id. */
export interface StreamPort {
  readonly node: number;
  readonly tag: string | undefined;
}

/** One input of an operator: the ports feeding it and how records are partitioned. */
export interface TransformationInput {
  readonly ports: readonly StreamPort[];
  /** `hash` for keyed inputs; undefined means forward when parallelisms match, else rebalance. */
  readonly partitioning: PartitioningKind | undefined;
  /** Key selector for `hash` inputs. */
  readonly keySelector: ((value: never) => unknown) | undefined;
  /** The user partitioner of a `custom` input (`partitionCustom`). */
  readonly custom?: CustomPartitioning | undefined;
}

/** An operator being built. */
export interface Transformation {
  readonly id: number;
  readonly kind: string;
  name: string;
  uid: string | undefined;
  parallelism: number | undefined;
  /** The operator's own upper bound on parallelism (e.g. 1 for a collection source). */
  readonly maxParallelism: number | undefined;
  readonly keyed: boolean;
  readonly inputs: readonly TransformationInput[];
  /** Tag ids this operator can emit; `*` when a user function may emit any tag. */
  readonly sideOutputs: readonly string[];
  readonly definedAt: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  readonly fn?: unknown;
  readonly source?: unknown;
  readonly sink?: unknown;
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly isSink: boolean;
  /** Set by `startNewChain()` / `disableChaining()`; `always` when unset. */
  chaining?: ChainingStrategy;
}
