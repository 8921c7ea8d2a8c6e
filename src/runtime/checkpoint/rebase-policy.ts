/**
 * When an incremental checkpoint starts a new base instead of adding a file of changes to its
 * chain (ADR 0020). A restore reads the whole chain, so the chain is bounded — by file count and
 * by bytes of changes against bytes of base — while a base rewrites the whole state, which is the
 * most expensive thing a checkpoint does.
 *
 * The bytes bound is twice the base: a restore reads at most three times the base. At once the
 * base (the rule until 2026-12-07), a job whose state grows rebased at every doubling of the
 * changes — at 10 M keys and 20 M records a base of 0.5, 1.5, 3.5, 7.5 M entries and then every
 * 12 checkpoints, about twice the entries of all its change files — and the
 * checkpoints' serialization was the largest part of its CPU after LMDB (bench/README.md, issue
 * 19). Flink's RocksDB backend never rewrites the state for a checkpoint (compaction does, in
 * the background, on bytes).
 *
 * @module
 */
import type { SharedStateFile } from './checkpoint-metadata.ts';

/** Files in a chain (base included) after which the next checkpoint is a new base. */
export const MAX_CHAIN_FILES = 24;
/** Bytes of changes, as a multiple of the base's, after which the next checkpoint is a new base. */
export const MAX_CHANGES_PER_BASE = 2;

/**
 * Whether the next checkpoint of a subtask whose confirmed chain is `chain` (base files first,
 * marked `full`) is a new base: it has no chain, its chain is long, or its changes outweigh twice
 * the base.
 *
 * @example
 * ```ts
 * const full = needsNewBase(chain.confirmed);
 * await backend.snapshotChanges(checkpointId, full, parts);
 * ```
 */
export function needsNewBase(chain: readonly SharedStateFile[] | undefined): boolean {
  if (chain === undefined) return true;
  // A base may be in several files (parts): the leading ones marked full.
  let baseFiles = 0;
  while (baseFiles < chain.length && chain[baseFiles]?.full === true) baseFiles++;
  let baseBytes = 0;
  let changeBytes = 0;
  for (let i = 0; i < chain.length; i++) {
    if (i < baseFiles) baseBytes += (chain[i] as SharedStateFile).bytes;
    else changeBytes += (chain[i] as SharedStateFile).bytes;
  }
  return (
    chain.length - baseFiles + 1 >= MAX_CHAIN_FILES ||
    changeBytes > MAX_CHANGES_PER_BASE * baseBytes
  );
}
