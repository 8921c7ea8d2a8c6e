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

/** Reads what {@link encodeSubtaskState} wrote. */
export function decodeSubtaskState(data: Uint8Array): SubtaskState {
  return deserialize(data) as SubtaskState;
}

/** Serializes one file of an incremental keyed state chain. */
export function encodeStateChanges(changes: StateChanges): Uint8Array {
  return serialize(changes);
}

/** Reads what {@link encodeStateChanges} wrote. */
export function decodeStateChanges(data: Uint8Array): StateChanges {
  return deserialize(data) as StateChanges;
}
