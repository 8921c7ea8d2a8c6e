/**
 * The plan: what a job is, as plain frozen data (Kysely's operation nodes are the model).
 * It can be printed, diffed, fingerprinted, validated and sent over the wire. User functions are
 * not part of it; the runtime receives them beside the plan as {@link PlanBindings}.
 *
 * @module
 */

/** How records travel along an edge. */
export type PartitioningKind =
  'forward' | 'hash' | 'rebalance' | 'rescale' | 'broadcast' | 'global' | 'shuffle' | 'custom';

/** A user partitioner (`partitionCustom`): the target subtask of a key, from 0 to `n - 1`. */
export interface CustomPartitioning {
  readonly key: (value: never) => unknown;
  readonly partition: (key: never, numPartitions: number) => number;
}

/** The operator kinds the runtime knows. Windows, joins and others register more. */
export type NodeKind = string;

/** One operator of the job. */
export interface PlanNode {
  readonly id: number;
  /** Operator kind, e.g. `source`, `map`, `keyed-process`, `window`, `sink`. */
  readonly kind: NodeKind;
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
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * Flink's chaining strategy: `always` (fuse with neighbours where possible), `head` (never fused
   * with its producer; `startNewChain()`), `never` (not fused at all; `disableChaining()`).
   */
  readonly chaining: ChainingStrategy;
}

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

/** The functions and connectors of one node, kept beside the plan. */
export interface NodeBinding {
  /** The user function (plain function or object), if the operator has one. */
  readonly fn?: unknown;
  /** Key selectors per input, for keyed operators and hash edges. */
  readonly keySelectors?: readonly (((value: never) => unknown) | undefined)[];
  /** Where each key selector was given to `keyBy` (`file:line:column`), for errors. */
  readonly keyBySites?: readonly (string | undefined)[];
  /** User partitioners per input, for `custom` edges (`partitionCustom`). */
  readonly customPartitioners?: readonly (CustomPartitioning | undefined)[];
  /** The source of a `source` node. */
  readonly source?: unknown;
  /** The sink of a `sink` node. */
  readonly sink?: unknown;
  /** Anything else an operator kind needs (window assigners, triggers, watermark strategies). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** User code of every node, by node id. */
export type PlanBindings = ReadonlyMap<number, NodeBinding>;

/** A plan and its bindings: everything the runtime needs to run a job. */
export interface JobGraph {
  readonly plan: Plan;
  readonly bindings: PlanBindings;
}
