/**
 * The mutable record of an operator while a job is being built. `name()`, `uid()` and
 * `setParallelism()` change it in place (as in Flink); {@link compilePlan} freezes it.
 *
 * @module
 */
import type { NodeConfig, NodeKind, NodeSettings } from '../plan/node-kinds.ts';
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

/**
 * An operator of kind `K` being built.
 *
 * @typeParam K - the node kind
 */
export interface TransformationOf<K extends NodeKind> {
  readonly id: number;
  readonly kind: K;
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
  /** Plain settings, frozen into the plan node. */
  readonly config: NodeConfig<K>;
  /** User functions and other objects, kept beside the plan in the node's binding. */
  readonly settings: NodeSettings<K>;
  /** Set by `startNewChain()` / `disableChaining()`; `always` when unset. */
  chaining?: ChainingStrategy;
}

/** An operator being built: a union over the node kinds, told apart by `kind`. */
export type Transformation = { [K in NodeKind]: TransformationOf<K> }[NodeKind];
