/**
 * Which part of a saved operator's state a subtask of the restored job gets. With the same
 * parallelism each subtask gets what it saved. Otherwise keyed state and timers follow their key
 * groups to the subtask that owns them now (`keyGroupRange`), operator list state is pooled and
 * either split evenly or given whole to every subtask (union), and source positions, which cannot
 * be split generically, are refused.
 *
 * @module
 */
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import type { KeyGroupSnapshot } from '../../state/keyed-state-backend.ts';
import { keyGroupOf, keyGroupRange } from '../../state/key-groups.ts';
import type { LoadedOperatorState } from './checkpoint-loader.ts';
import type { SubtaskState } from './subtask-state.ts';

/** Thrown (as a message) when a source's positions cannot be redistributed. */
export class SourceRescaleError extends Error {}

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
  const eventTime: TimerEntry[] = [];
  const processingTime: TimerEntry[] = [];
  let keyed = false;
  const pooled: unknown[] = [];
  let hasOperatorState = false;
  for (const s of old) {
    if (s === undefined) continue;
    if (s.source !== undefined) {
      throw new SourceRescaleError(
        `the source was saved with parallelism ${old.length} and cannot be restored with parallelism ${parallelism}`,
      );
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
    ...(keyed ? { keyGroups, timers: { eventTime, processingTime } } : {}),
    ...(operatorState !== undefined ? { operatorState } : {}),
  };
}
