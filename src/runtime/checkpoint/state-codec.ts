/**
 * Serialization of a subtask's state for checkpoint files: `v8.serialize` of plain data. Keyed
 * state is already columnar (`StateSnapshot` keeps keys, values and namespaces in three arrays),
 * which halves the bytes and the time of serializing large keyed state compared with one object
 * per entry; the time is spent at the barrier, on the record path.
 *
 * @module
 */
import { deserialize, serialize } from 'node:v8';
import type {
  KeyGroupSnapshot,
  StateChanges,
  StateSnapshot,
  StoredValues,
} from '../../state/keyed-state-backend.ts';
import { StateValueCodec, type DecodedEntry } from '../../state/lmdb/state-value-codec.ts';
import type { SubtaskState } from './subtask-state.ts';
import { fromTimerColumns, toTimerColumns, type TimerColumns } from './timer-columns.ts';

/**
 * Serializes a subtask's state (throws when a value cannot be cloned, e.g. a function). Timers
 * are written as columns (`timer-columns.ts`).
 */
export function encodeSubtaskState(state: SubtaskState): Uint8Array {
  const timers = state.timers;
  if (timers === undefined) return serialize(state);
  return serialize({
    ...state,
    timers: {
      eventTime: toTimerColumns(timers.eventTime),
      processingTime: toTimerColumns(timers.processingTime),
    },
  });
}

/**
 * Reads what {@link encodeSubtaskState} wrote. The shape is checked (not each entry): a file
 * whose checksum matches can still have been written by another version or by hand, and a
 * missing `values` column must be a clear error here, not a TypeError in a restore or in
 * `eddy state` (found by fuzzing, issue #17).
 */
export function decodeSubtaskState(data: Uint8Array): SubtaskState {
  const state: unknown = deserialize(data);
  if (!isObject(state)) throw malformed(`a ${describe(state)}, not an object`);
  if (state['keyGroups'] !== undefined) checkKeyGroups(state['keyGroups'], 'keyGroups');
  const timers = state['timers'];
  if (timers !== undefined) {
    if (!isObject(timers)) throw malformed(`timers is a ${describe(timers)}`);
    state['timers'] = {
      eventTime: readTimers(timers['eventTime'], 'timers.eventTime'),
      processingTime: readTimers(timers['processingTime'], 'timers.processingTime'),
    };
  }
  const operatorState = state['operatorState'];
  if (operatorState !== undefined && !Array.isArray(operatorState))
    throw malformed(`operatorState is a ${describe(operatorState)}`);
  return state as SubtaskState;
}

/** Serializes one file of an incremental keyed state chain. */
export function encodeStateChanges(changes: StateChanges): Uint8Array {
  return serialize(changes);
}

/**
 * Reads what {@link encodeStateChanges} wrote, its shape checked as {@link decodeSubtaskState}'s.
 * Values the LMDB backend wrote in their stored form are decoded here, so no restore sees them.
 */
export function decodeStateChanges(data: Uint8Array): StateChanges {
  const changes: unknown = deserialize(data);
  if (!isObject(changes)) throw malformed(`a ${describe(changes)}, not an object`);
  if (typeof changes['full'] !== 'boolean') throw malformed('full is not a boolean');
  checkKeyGroups(changes['groups'], 'groups');
  const removed = changes['removed'];
  if (!Array.isArray(removed)) throw malformed(`removed is a ${describe(removed)}`);
  for (const [i, r] of removed.entries()) {
    if (!isObject(r) || !Number.isInteger(r['keyGroup']))
      throw malformed(`removed[${i}] has no key group`);
    const keys = r['entryKeys'];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
      throw malformed(`removed[${i}].entryKeys is not a list of strings`);
  }
  const c = changes as unknown as StateChanges;
  return { ...c, groups: c.groups.map(decodeStoredGroup) };
}

/** A key group whose states hold their values decoded. */
function decodeStoredGroup(g: KeyGroupSnapshot): KeyGroupSnapshot {
  if (!g.states.some((st) => st.stored !== undefined)) return g;
  return { keyGroup: g.keyGroup, states: g.states.map(decodeStoredState) };
}

/** Codecs by the structures they decode with (one per file part, shared by its states). */
const codecs = new WeakMap<object, StateValueCodec>();

function decodeStoredState(st: StateSnapshot): StateSnapshot {
  const stored = st.stored;
  if (stored === undefined) return st;
  let codec = codecs.get(stored.structures);
  if (codec === undefined)
    codecs.set(stored.structures, (codec = new StateValueCodec(stored.structures)));
  const d: DecodedEntry = {
    value: undefined,
    expiresAt: Number.NaN,
    withKey: false,
    raw: undefined,
    ns: undefined,
  };
  const values = new Array<unknown>(stored.ends.length);
  let from = 0;
  for (let i = 0; i < stored.ends.length; i++) {
    const to = stored.ends[i] as number;
    codec.decode(stored.bytes.subarray(from, to), d);
    // A map state's snapshot holds its entries as a list, as the backends' snapshots do.
    values[i] = d.value instanceof Map ? [...(d.value as Map<unknown, unknown>)] : d.value;
    from = to;
  }
  const { stored: _, ...rest } = st;
  return { ...rest, values };
}

type Fields = Record<string, unknown>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}

function malformed(what: string): Error {
  return new Error(`malformed state: ${what}`);
}

/** Key groups of columnar keyed state: each column as long as `keys`. */
function checkKeyGroups(groups: unknown, where: string): void {
  if (!Array.isArray(groups)) throw malformed(`${where} is a ${describe(groups)}`);
  for (const [g, group] of groups.entries()) {
    const at = `${where}[${g}]`;
    if (!isObject(group) || !Number.isInteger(group['keyGroup']))
      throw malformed(`${at} has no key group`);
    const states = group['states'];
    if (!Array.isArray(states)) throw malformed(`${at}.states is a ${describe(states)}`);
    for (const [i, s] of states.entries()) {
      const sat = `${at}.states[${i}]`;
      if (!isObject(s) || typeof s['name'] !== 'string' || typeof s['kind'] !== 'string')
        throw malformed(`${sat} has no name or kind`);
      if (typeof s['version'] !== 'number') throw malformed(`${sat} has no version`);
      const keys = s['keys'];
      if (!Array.isArray(keys)) throw malformed(`${sat}.keys is a ${describe(keys)}`);
      const stored = s['stored'];
      if (stored !== undefined) checkStored(stored, keys.length, sat);
      for (const column of ['values', 'namespaces', 'expiresAt'] as const) {
        const c = s[column];
        if (c === undefined && column !== 'values') continue;
        // Values in stored form leave the column empty.
        const length = column === 'values' && stored !== undefined ? 0 : keys.length;
        if (!Array.isArray(c) || c.length !== length)
          throw malformed(`${sat}.${column} does not match its ${keys.length} keys`);
      }
    }
  }
}

/** Values in stored form: bytes, one end offset per key within them, and record structures. */
function checkStored(stored: unknown, keys: number, where: string): void {
  const at = `${where}.stored`;
  if (!isObject(stored)) throw malformed(`${at} is a ${describe(stored)}`);
  const { bytes, ends, structures } = stored as Partial<Record<keyof StoredValues, unknown>>;
  if (!(bytes instanceof Uint8Array)) throw malformed(`${at}.bytes is not bytes`);
  if (!Array.isArray(ends) || ends.length !== keys)
    throw malformed(`${at}.ends does not match its ${keys} keys`);
  let last = 0;
  for (const e of ends) {
    if (typeof e !== 'number' || e < last || e > bytes.byteLength)
      throw malformed(`${at}.ends are not offsets into its ${bytes.byteLength} bytes`);
    last = e;
  }
  if (
    !Array.isArray(structures) ||
    !structures.every((st) => Array.isArray(st) && st.every((k) => typeof k === 'string'))
  )
    throw malformed(`${at}.structures is not a list of field-name lists`);
}

/** Timers as columns, or as a list of objects (files written before the columns). */
function readTimers(timers: unknown, where: string): unknown[] {
  if (isObject(timers) && !Array.isArray(timers)) {
    for (const column of ['times', 'runs', 'keys', 'rawKeys'])
      if (!Array.isArray(timers[column])) throw malformed(`${where}.${column} is not a list`);
    const namespaces = timers['namespaces'];
    if (namespaces !== undefined && !Array.isArray(namespaces))
      throw malformed(`${where}.namespaces is a ${describe(namespaces)}`);
    try {
      return fromTimerColumns(timers as unknown as TimerColumns);
    } catch (e) {
      throw malformed(`${where}: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(timers)) throw malformed(`${where} is a ${describe(timers)}`);
  for (const [i, t] of timers.entries())
    if (!isObject(t) || typeof t['timestamp'] !== 'number')
      throw malformed(`${where}[${i}] has no timestamp`);
  return timers;
}
