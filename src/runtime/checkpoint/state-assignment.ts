/**
 * Which part of a saved operator's state a subtask of the restored job gets. With the same
 * parallelism each subtask gets what it saved. Otherwise keyed state and timers follow their key
 * groups to the subtask that owns them now (`keyGroupRange`), operator list state is pooled and
 * either split evenly or given whole to every subtask (union), and source positions are given
 * whole to every reader (`sourceUnion`), which keeps those of the splits it now owns — readers
 * that cannot (`restoreUnionState` missing) are refused by the caller.
 *
 * @module
 */
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import type { KeyGroupSnapshot } from '../../state/keyed-state-backend.ts';
import { keyGroupOf, keyGroupRange } from '../../state/key-groups.ts';
import type { LoadedOperatorState } from './checkpoint-loader.ts';
import type { DeferredKeyedChain, SubtaskState } from './subtask-state.ts';

/** The share of `saved` that subtask `index` of `parallelism` restores. */
export function assignSubtaskState(
  saved: LoadedOperatorState,
  index: number,
  parallelism: number,
  maxParallelism: number,
): SubtaskState {
  const old = saved.subtasks;
  if (old.length === parallelism) return old[index] ?? {};
  const { start, end } = keyGroupRange(index, parallelism, maxParallelism);
  const keyGroups: KeyGroupSnapshot[] = [];
  // Deferred chains go whole: the restoring subtask keeps the key groups it owns now.
  const keyedChains: DeferredKeyedChain[] = [];
  const eventTime: TimerEntry[] = [];
  const processingTime: TimerEntry[] = [];
  let keyed = false;
  const pooled: unknown[] = [];
  let hasOperatorState = false;
  const sources: unknown[] = [];
  for (const s of old) {
    if (s === undefined) continue;
    if (s.source !== undefined) {
      sources.push(s.source);
      continue;
    }
    if (s.keyedChains !== undefined) {
      keyed = true;
      keyedChains.push(...s.keyedChains);
    }
    if (s.keyGroups !== undefined) {
      keyed = true;
      for (const g of s.keyGroups) if (g.keyGroup >= start && g.keyGroup <= end) keyGroups.push(g);
    }
    if (s.timers !== undefined) {
      keyed = true;
      const mine = (t: TimerEntry) => {
        const kg = keyGroupOf(t.key, maxParallelism);
        return kg >= start && kg <= end;
      };
      for (const t of s.timers.eventTime) if (mine(t)) eventTime.push(t);
      for (const t of s.timers.processingTime) if (mine(t)) processingTime.push(t);
    }
    if (s.operatorState !== undefined) {
      hasOperatorState = true;
      pooled.push(...s.operatorState);
    }
  }
  let operatorState: unknown[] | undefined;
  if (hasOperatorState) {
    if (saved.meta.distribution === 'union') operatorState = pooled;
    else {
      // Even split: contiguous slices, sizes differing by at most one.
      const from = Math.floor((index * pooled.length) / parallelism);
      const to = Math.floor(((index + 1) * pooled.length) / parallelism);
      operatorState = pooled.slice(from, to);
    }
  }
  return {
    ...(sources.length > 0 ? { sourceUnion: sources } : {}),
    ...(keyed ? { keyGroups, timers: { eventTime, processingTime } } : {}),
    ...(keyedChains.length > 0 ? { keyedChains } : {}),
    ...(operatorState !== undefined ? { operatorState } : {}),
  };
}
