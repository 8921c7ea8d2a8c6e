/**
 * The keyed state of the {@link SessionWindowOperator}, and the conversion of what the general
 * {@link WindowOperator} saved for session windows (checkpoints and savepoints taken before
 * sessions had their own operator) into it, so such a savepoint restores without losing sessions.
 *
 * @module
 */
import { keyString, normalizeKey } from '../../state/key-groups.ts';
import type { KeyGroupSnapshot, StateSnapshot } from '../../state/keyed-state-backend.ts';
import { ValueStateDescriptor } from '../../core/state-descriptor.ts';
import { TimeWindow, windowFromNamespace } from '../../core/window.ts';
import type { SubtaskState } from '../checkpoint/subtask-state.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { CONTENTS, WINDOW_SET } from './window-operator.ts';

/**
 * One key's open sessions. `w` holds `[start, end, due]` per session, ascending by start; sessions
 * neither overlap nor touch (they would have merged), so their ends ascend too. `due` is when the
 * session next needs the operator: `end - 1` while a firing is pending, `end - 1 + lateness` (its
 * cleanup) once it has fired with its current contents — the two differ whenever a session can
 * outlive its firing, so `due === end - 1` tells whether a firing is pending.
 */
export interface Sessions {
  w: number[];
  /** Accumulator (or element list) of each session, index-aligned with the triples of `w`. */
  accs: unknown[];
  /**
   * The key's one registered timer: never later than the earliest `due`, possibly earlier (a
   * session that grew does not move it; it is re-registered when it fires).
   */
  timer: number;
}

/** Per key: its {@link Sessions}. */
export const SESSIONS = new ValueStateDescriptor<Sessions>('session-windows');

/**
 * `state` with the general window operator's session layout (a window set per key, contents per
 * window namespace, timers per window) turned into {@link Sessions} and one timer per key;
 * anything else is returned as it is. A window whose trigger timer (at its end − 1) is still
 * pending has not fired; one with only its cleanup timer left has.
 */
export function fromWindowOperatorState(
  state: SubtaskState,
  eventTime: boolean,
  lateness: number,
): SubtaskState {
  const groups = state.keyGroups;
  if (groups?.some((g) => g.states.some((s) => s.name === WINDOW_SET.name)) !== true) return state;
  const timers = state.timers ?? { eventTime: [], processingTime: [] };
  const unfired = new Set<string>();
  for (const t of eventTime ? timers.eventTime : timers.processingTime) {
    if (t.namespace === undefined) continue;
    const w = windowFromNamespace(t.namespace);
    if (t.timestamp === w.maxTimestamp()) unfired.add(id(t.key, w.namespace));
  }
  const perKey: TimerEntry[] = [];
  const keyGroups = groups.map((g) => convertGroup(g, unfired, lateness, perKey));
  // Window timers are replaced by the one timer per key; others (none today) are kept.
  const plain = (list: readonly TimerEntry[]) => list.filter((t) => t.namespace === undefined);
  return {
    ...state,
    keyGroups,
    timers: {
      eventTime: eventTime ? [...plain(timers.eventTime), ...perKey] : plain(timers.eventTime),
      processingTime: eventTime
        ? plain(timers.processingTime)
        : [...plain(timers.processingTime), ...perKey],
    },
  };
}

function convertGroup(
  g: KeyGroupSnapshot,
  unfired: ReadonlySet<string>,
  lateness: number,
  timers: TimerEntry[],
): KeyGroupSnapshot {
  const set = g.states.find((s) => s.name === WINDOW_SET.name);
  const contents = g.states.find((s) => s.name === CONTENTS.name);
  const states = g.states.filter((s) => s !== set && s !== contents);
  if (set === undefined) return { keyGroup: g.keyGroup, states };
  const accOf = new Map<string, unknown>();
  if (contents !== undefined) {
    for (let i = 0; i < contents.keys.length; i++) {
      const ns = contents.namespaces?.[i];
      if (ns !== undefined)
        accOf.set(id(normalizeKey(contents.keys[i]), String(ns)), contents.values[i]);
    }
  }
  const keys: unknown[] = [];
  const values: Sessions[] = [];
  for (let i = 0; i < set.keys.length; i++) {
    const rawKey = set.keys[i];
    const key = normalizeKey(rawKey);
    const flat = set.values[i] as number[];
    const windows: TimeWindow[] = [];
    for (let k = 0; k < flat.length; k += 2) {
      windows.push(new TimeWindow(flat[k] as number, flat[k + 1] as number));
    }
    windows.sort((a, b) => a.start - b.start);
    const s: Sessions = { w: [], accs: [], timer: Number.POSITIVE_INFINITY };
    for (const win of windows) {
      const acc = accOf.get(id(key, win.namespace));
      if (acc === undefined) continue;
      const due = unfired.has(id(key, win.namespace)) ? win.end - 1 : win.end - 1 + lateness;
      s.w.push(win.start, win.end, due);
      s.accs.push(acc);
      s.timer = Math.min(s.timer, due);
    }
    if (s.accs.length === 0) continue;
    keys.push(rawKey);
    values.push(s);
    timers.push({ key, rawKey, namespace: undefined, timestamp: s.timer });
  }
  if (keys.length > 0) {
    const sessions: StateSnapshot = {
      name: SESSIONS.name,
      kind: 'value',
      version: 1,
      keys,
      values,
    };
    states.push(sessions);
  }
  return { keyGroup: g.keyGroup, states };
}

/** Identifies a key's window across the saved states and timers. */
function id(key: unknown, namespace: string): string {
  return `${keyString(key)}\u0001${namespace}`;
}
