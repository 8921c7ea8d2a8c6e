/**
 * Reading a checkpoint or savepoint back: `_metadata` first (its header checksum), then every
 * state file against the sha256 recorded in `_metadata`. Any mismatch, missing file or truncation
 * makes the whole checkpoint unusable; {@link findLatestCheckpoint} then falls back to the previous
 * one and says why.
 *
 * @module
 */
import { CHECKPOINT_PREFIX } from './checkpoint-coordinator.ts';
import {
  decodeMetadata,
  sha256,
  type CheckpointMetadata,
  type OperatorMetadata,
  type SharedStateFile,
} from './checkpoint-metadata.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';
import { mergeStateChanges } from '../../state/merge-state-changes.ts';
import type { StateChanges } from '../../state/keyed-state-backend.ts';
import { SHARED_LOCATION } from './shared-state-registry.ts';
import { decodeStateChanges, decodeSubtaskState } from './state-codec.ts';
import type { DeferredKeyedChain, SubtaskState } from './subtask-state.ts';

/** The state of one operator in a loaded checkpoint. */
export interface LoadedOperatorState {
  readonly meta: OperatorMetadata;
  /** Subtask states by the index they had when saved. */
  readonly subtasks: readonly SubtaskState[];
}

/** A verified, deserialized checkpoint. */
export interface LoadedCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** Where it was read from. */
  readonly path: string;
  /** By operator key (see `operator-key.ts`). */
  readonly operators: ReadonlyMap<string, LoadedOperatorState>;
}

/** How {@link loadCheckpoint} reads incremental chains. */
export interface LoadOptions {
  /**
   * Merge each chain into `keyGroups` now (tools that show the state). By default a chain is
   * verified file by file and handed over as `keyedChains`, to be read while restoring.
   */
  readonly mergeChains?: boolean;
}

/**
 * Reads and verifies one checkpoint; throws an Error naming what is wrong. The `store` must stay
 * open while deferred chains (see {@link LoadOptions}) are read.
 */
export async function loadCheckpoint(
  store: CheckpointStore,
  location: string,
  options: LoadOptions = {},
): Promise<LoadedCheckpoint> {
  let raw: Uint8Array;
  try {
    raw = await store.read(location, METADATA_FILE);
  } catch (e) {
    throw new Error(`no readable _metadata (${(e as Error).message})`, { cause: e });
  }
  const metadata = decodeMetadata(raw);
  const operators = new Map<string, LoadedOperatorState>();
  for (const op of metadata.operators) {
    const subtasks: SubtaskState[] = [];
    for (const st of op.subtasks) {
      let data: Uint8Array;
      try {
        data = await store.read(location, st.file);
      } catch (e) {
        throw new Error(`state file ${st.file} is missing (${(e as Error).message})`, {
          cause: e,
        });
      }
      if (data.byteLength !== st.bytes) {
        throw new Error(`state file ${st.file} has ${data.byteLength} bytes, expected ${st.bytes}`);
      }
      if (sha256(data) !== st.sha256) throw new Error(`state file ${st.file} checksum mismatch`);
      const state = decodeAs(st.file, () => decodeSubtaskState(data));
      const chain = st.keyedChain;
      if (chain === undefined) subtasks[st.index] = state;
      else if (options.mergeChains === true) {
        subtasks[st.index] = {
          ...state,
          keyGroups: mergeStateChanges(await readChain(store, chain)),
          keyedChain: chain,
        };
      } else {
        // Verified now (a damaged chain makes the checkpoint unusable, as any damaged file),
        // one file at a time; read again while restoring.
        for (const f of chain) await readShared(store, f);
        const deferred: DeferredKeyedChain = {
          files: chain,
          read: async (f) => {
            const data = await readShared(store, f);
            return decodeAs(f.file, () => decodeStateChanges(data));
          },
        };
        subtasks[st.index] = { ...state, keyedChain: chain, keyedChains: [deferred] };
      }
    }
    operators.set(op.key, { meta: op, subtasks });
  }
  return { metadata, path: store.pathOf(location), operators };
}

/** Whether `cp` holds chains still to be read from its store (which must then stay open). */
export function hasDeferredChains(cp: LoadedCheckpoint): boolean {
  for (const op of cp.operators.values())
    for (const st of op.subtasks) if (st?.keyedChains !== undefined) return true;
  return false;
}

/** Ids of `chk-<id>` locations in the store, ascending (complete or not). */
export async function listCheckpointIds(store: CheckpointStore): Promise<number[]> {
  const ids: number[] = [];
  for (const loc of await store.list(CHECKPOINT_PREFIX)) {
    const n = Number(loc.slice(CHECKPOINT_PREFIX.length));
    if (Number.isInteger(n) && n > 0) ids.push(n);
  }
  return ids.sort((a, b) => a - b);
}

/**
 * The newest checkpoint in the store that reads back intact, skipping (and reporting through
 * `log`) incomplete, truncated or corrupt ones.
 */
export async function findLatestCheckpoint(
  store: CheckpointStore,
  log: (message: string) => void,
  options: LoadOptions = {},
): Promise<LoadedCheckpoint | undefined> {
  const ids = await listCheckpointIds(store);
  for (let i = ids.length - 1; i >= 0; i--) {
    const location = `${CHECKPOINT_PREFIX}${ids[i]}`;
    try {
      return await loadCheckpoint(store, location, options);
    } catch (e) {
      log(`skipping checkpoint ${store.pathOf(location)}: ${(e as Error).message}`);
    }
  }
  return undefined;
}

/** Decodes a state file, naming it in the error (its checksum matched, its content did not). */
function decodeAs<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw new Error(`state file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and verifies the files of an incremental keyed state chain. */
async function readChain(
  store: CheckpointStore,
  chain: readonly SharedStateFile[],
): Promise<StateChanges[]> {
  const out: StateChanges[] = [];
  for (const f of chain) {
    const data = await readShared(store, f);
    out.push(decodeAs(f.file, () => decodeStateChanges(data)));
  }
  return out;
}

/** Reads one shared file and checks its size and sha256. */
async function readShared(store: CheckpointStore, f: SharedStateFile): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = await store.read(SHARED_LOCATION, f.file);
  } catch (e) {
    throw new Error(`shared state file ${f.file} is missing (${(e as Error).message})`, {
      cause: e,
    });
  }
  if (data.byteLength !== f.bytes) {
    throw new Error(
      `shared state file ${f.file} has ${data.byteLength} bytes, expected ${f.bytes}`,
    );
  }
  if (sha256(data) !== f.sha256) throw new Error(`shared state file ${f.file} checksum mismatch`);
  return data;
}
