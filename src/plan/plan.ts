/**
 * The plan: what a job is, as plain frozen data (Kysely's operation nodes are the model).
 * It can be printed, diffed, fingerprinted, validated and sent over the wire. User functions are
 * not part of it; the runtime receives them beside the plan as {@link PlanBindings}.
 *
 * @module
 */
import type { NodeConfig, NodeKind, NodeSettings } from './node-kinds.ts';

export type { NodeKind } from './node-kinds.ts';

/** How records travel along an edge. */
export type PartitioningKind =
  'forward' | 'hash' | 'rebalance' | 'rescale' | 'broadcast' | 'global' | 'shuffle' | 'custom';

/** A user partitioner (`partitionCustom`): the target subtask of a key, from 0 to `n - 1`. */
export interface CustomPartitioning {
  readonly key: (value: never) => unknown;
  readonly partition: (key: never, numPartitions: number) => number;
}

/**
 * One operator of the job, of kind `K` (the kinds are in `node-kinds.ts`): its `kind` and `config` go
 * together. Code that handles any node takes {@link PlanNode}.
 *
 * @typeParam K - the node kind
 */
export interface PlanNodeOf<K extends NodeKind> {
  readonly id: number;
  /** Operator kind, e.g. `source`, `map`, `keyed-process`, `window`, `sink`. */
  readonly kind: K;
  readonly name: string;
  readonly uid: string | undefined;
  /** Parallelism set on the operator, or the job's default. */
  readonly parallelism: number;
  /** Whether the operator runs on a keyed stream (keyed state and timers available). */
  readonly keyed: boolean;
  /** Number of inputs (0 for sources, 2 for connected streams). */
  readonly inputs: number;
  /** Side-output tags this operator may emit (declared by built-in operators); `*` = any. */
  readonly sideOutputs: readonly string[];
  /** `file:line:column` of the user's call that created it. */
  readonly definedAt: string | undefined;
  /** Operator settings as plain data (source/sink descriptions, window sizes, …). */
  readonly config: NodeConfig<K>;
  /**
   * Flink's chaining strategy: `always` (fuse with neighbours where possible), `head` (never fused
   * with its producer; `startNewChain()`), `never` (not fused at all; `disableChaining()`).
   */
  readonly chaining: ChainingStrategy;
}

/** One operator of the job: a union over the node kinds, told apart by `kind`. */
export type PlanNode = { [K in NodeKind]: PlanNodeOf<K> }[NodeKind];

/** Whether an operator may be fused with its neighbours (see {@link PlanNode.chaining}). */
export type ChainingStrategy = 'always' | 'head' | 'never';

/** A connection between two operators. */
export interface PlanEdge {
  readonly source: number;
  readonly target: number;
  /** Which input of the target (0 or 1). */
  readonly input: number;
  readonly partitioning: PartitioningKind;
  /** Present when the edge carries a side output of the source rather than its main output. */
  readonly sideOutput: string | undefined;
}

/** A whole job. */
export interface Plan {
  readonly jobName: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly nodes: readonly PlanNode[];
  readonly edges: readonly PlanEdge[];
}

/**
 * The functions and connectors of one node of kind `K`, kept beside the plan.
 *
 * @typeParam K - the node kind (the same as its plan node's)
 */
export interface NodeBindingOf<K extends NodeKind> {
  readonly kind: K;
  /** What the operator needs that is not plain data (user functions, source, sink, assigners). */
  readonly settings: NodeSettings<K>;
  /** Key selectors per input, for keyed operators and hash edges. */
  readonly keySelectors?: readonly (((value: never) => unknown) | undefined)[];
  /** Where each key selector was given to `keyBy` (`file:line:column`), for errors. */
  readonly keyBySites?: readonly (string | undefined)[];
  /** User partitioners per input, for `custom` edges (`partitionCustom`). */
  readonly customPartitioners?: readonly (CustomPartitioning | undefined)[];
}

/** The binding of any node: a union over the node kinds, told apart by `kind`. */
export type NodeBinding = { [K in NodeKind]: NodeBindingOf<K> }[NodeKind];

/** User code of every node, by node id. */
export type PlanBindings = ReadonlyMap<number, NodeBinding>;

/** A plan and its bindings: everything the runtime needs to run a job. */
export interface JobGraph {
  readonly plan: Plan;
  readonly bindings: PlanBindings;
}
