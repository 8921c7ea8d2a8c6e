/**
 * Serialization of a subtask's state for checkpoint files: `v8.serialize` of plain data. Keyed
 * state is already columnar (`StateSnapshot` keeps keys, values and namespaces in three arrays),
 * which halves the bytes and the time of serializing large keyed state compared with one object
 * per entry; the time is spent at the barrier, on the record path.
 *
 * @module
 */
import { deserialize, serialize } from 'node:v8';
import type { StateChanges } from '../../state/keyed-state-backend.ts';
import type { SubtaskState } from './subtask-state.ts';

/** Serializes a subtask's state (throws when a value cannot be cloned, e.g. a function). */
export function encodeSubtaskState(state: SubtaskState): Uint8Array {
  return serialize(state);
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
    checkTimers(timers['eventTime'], 'timers.eventTime');
    checkTimers(timers['processingTime'], 'timers.processingTime');
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

/** Reads what {@link encodeStateChanges} wrote, its shape checked as {@link decodeSubtaskState}'s. */
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
  return changes as unknown as StateChanges;
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
      for (const column of ['values', 'namespaces', 'expiresAt'] as const) {
        const c = s[column];
        if (c === undefined && column !== 'values') continue;
        if (!Array.isArray(c) || c.length !== keys.length)
          throw malformed(`${sat}.${column} does not match its ${keys.length} keys`);
      }
    }
  }
}

function checkTimers(timers: unknown, where: string): void {
  if (!Array.isArray(timers)) throw malformed(`${where} is a ${describe(timers)}`);
  for (const [i, t] of timers.entries())
    if (!isObject(t) || typeof t['timestamp'] !== 'number')
      throw malformed(`${where}[${i}] has no timestamp`);
}
