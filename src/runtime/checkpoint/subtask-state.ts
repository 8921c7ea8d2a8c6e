/**
 * What one operator subtask contributes to a checkpoint, before serialization. One file per
 * subtask holds this object, `v8.serialize`d at the barrier.
 *
 * @module
 */
import type { KeyGroupSnapshot, StateChanges } from '../../state/keyed-state-backend.ts';
import type { SharedStateFile } from './checkpoint-metadata.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';

/** Timers of a keyed subtask. */
export interface TimersSnapshot {
  readonly eventTime: readonly TimerEntry[];
  readonly processingTime: readonly TimerEntry[];
}

/** The state of one operator subtask at a barrier. */
export interface SubtaskState {
  /** Keyed state, per key group (keyed operators). */
  readonly keyGroups?: readonly KeyGroupSnapshot[];
  /** Pending timers (keyed operators); redistributed by the key group of their key. */
  readonly timers?: TimersSnapshot;
  /** Operator (non-keyed) list state; redistributed by even split or union on rescaling. */
  readonly operatorState?: readonly unknown[];
  /** A source reader's position (`SourceReader.snapshotState`). */
  readonly source?: unknown;
  /**
   * On restore at another parallelism: the positions of every saved reader of the source, for
   * `SourceReader.restoreUnionState` (each reader keeps the splits it now owns). Never saved.
   */
  readonly sourceUnion?: readonly unknown[];
  /**
   * Set by the loader when `keyGroups` came from an incremental chain: the chain, which the
   * restored subtask continues (same parallelism, same checkpoint directory). Never saved here.
   */
  readonly keyedChain?: readonly SharedStateFile[];
  /**
   * Set by the loader instead of `keyGroups` for incremental chains (unless asked to merge them):
   * the chains, read file by file when the subtask restores, so keyed state larger than the heap
   * is never held whole. Several after a change of parallelism (each filtered by key group).
   */
  readonly keyedChains?: readonly DeferredKeyedChain[];
}

/** An incremental keyed state chain, verified but not read yet (see `checkpoint-loader.ts`). */
export interface DeferredKeyedChain {
  /** Base first. */
  readonly files: readonly SharedStateFile[];
  /** Reads one of `files` (checked against its size and sha256 again) and decodes it. */
  read(file: SharedStateFile): Promise<StateChanges>;
}
