/**
 * The `_metadata` file of a checkpoint or savepoint: what was saved, by which operator and subtask,
 * in which file, with which checksum. See `docs/adr/0005-checkpoint-format.md`.
 *
 * Encoding: a header line `EDDY-CHECKPOINT 1 sha256=<hex of the body>` followed by the JSON body,
 * so a truncated or altered `_metadata` is detected before anything is restored from it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { StateKind } from '../../core/state-descriptor.ts';

/** Format version written by this code. */
export const CHECKPOINT_FORMAT_VERSION = 1;

const MAGIC = 'EDDY-CHECKPOINT';

/** How an operator's list state is redistributed when the parallelism changes. */
export type OperatorStateDistribution = 'split' | 'union';

/** One keyed state of a subtask: what a restore checks against the declared descriptor. */
export interface StateInfo {
  readonly name: string;
  readonly kind: StateKind;
  readonly version: number;
}

/**
 * A file of a subtask's incremental keyed state, in the store's `shared/` location: a full base
 * or the changes of one checkpoint (`StateChanges`, ADR 0020).
 */
export interface SharedStateFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Part of a base (a full snapshot, possibly in several files), not changes. */
  readonly full: boolean;
  /**
   * The keyed states the file holds, with their schema versions: a restore streams a chain into
   * the backend when each state has one version over it (absent in files of older versions).
   */
  readonly states?: readonly StateInfo[];
}

/** One subtask's state file. */
export interface SubtaskMetadata {
  readonly index: number;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Key groups `[start, end]` this subtask owned (keyed operators). */
  readonly keyGroups: { readonly start: number; readonly end: number } | undefined;
  readonly states: readonly StateInfo[];
  /**
   * Incremental checkpoints: the keyed state is this chain of shared files (base first), not in
   * `file`. Absent in full checkpoints and savepoints.
   */
  readonly keyedChain?: readonly SharedStateFile[];
}

/** An operator as a checkpoint records it (what the coordinator knows before any state). */
export interface OperatorLayout {
  /** The operator's uid, or a generated key when it has none (see `operator-key.ts`). */
  readonly key: string;
  readonly uid: string | undefined;
  readonly nodeId: number;
  readonly name: string;
  readonly kind: string;
  readonly parallelism: number;
  readonly keyed: boolean;
  readonly distribution: OperatorStateDistribution;
}

/** One operator's state over its subtasks. */
export interface OperatorMetadata extends OperatorLayout {
  readonly subtasks: readonly SubtaskMetadata[];
}

/** The whole `_metadata`. */
export interface CheckpointMetadata {
  readonly format: number;
  readonly checkpointId: number;
  readonly savepoint: boolean;
  readonly jobName: string;
  /** sha256 of the plan's structure; differs when the job's topology changed. */
  readonly planFingerprint: string;
  readonly maxParallelism: number;
  readonly triggeredAt: number;
  readonly completedAt: number;
  readonly operators: readonly OperatorMetadata[];
}

/** sha256 of bytes, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Encodes metadata with its checksum header. */
export function encodeMetadata(m: CheckpointMetadata): Uint8Array {
  const body = JSON.stringify(m);
  return Buffer.from(`${MAGIC} ${CHECKPOINT_FORMAT_VERSION} sha256=${sha256(body)}\n${body}`);
}

/** Decodes metadata; throws an Error saying what is wrong when it is truncated or corrupt. */
export function decodeMetadata(data: Uint8Array): CheckpointMetadata {
  const text = Buffer.from(data).toString('utf8');
  const nl = text.indexOf('\n');
  const header = nl < 0 ? text : text.slice(0, nl);
  const m = /^EDDY-CHECKPOINT (\d+) sha256=([0-9a-f]{64})$/.exec(header);
  if (m === null) throw new Error('_metadata has no valid header (truncated or not a checkpoint)');
  if (Number(m[1]) > CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`_metadata has format ${m[1]}, newer than this Eddy reads`);
  }
  const body = text.slice(nl + 1);
  if (sha256(body) !== m[2]) throw new Error('_metadata checksum mismatch (truncated or corrupt)');
  return JSON.parse(body) as CheckpointMetadata;
}
