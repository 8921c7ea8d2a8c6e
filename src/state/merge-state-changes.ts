/**
 * Applies a chain of incremental checkpoint files — a full base, then the changes of each later
 * checkpoint — into the keyed state they add up to, per key group (ADR 0020). The result is what a
 * full checkpoint of the same moment holds, so restoring and rescaling work on it unchanged.
 *
 * @module
 */
import type { StateKind } from '../core/state-descriptor.ts';
import { entryKeyOf } from './entry-key.ts';
import { normalizeKey } from './key-groups.ts';
import type { KeyGroupSnapshot, StateChanges, StateSnapshot } from './keyed-state-backend.ts';

interface Entry {
  readonly raw: unknown;
  readonly ns: string | number | undefined;
  readonly value: unknown;
  readonly expiresAt: number | undefined;
}

/**
 * The entries of one state saved with one schema version: after a restore that migrated values,
 * older files hold the old version and newer ones the new, and each keeps its own (a restore
 * migrates each as it was saved).
 */
interface MergedState {
  readonly name: string;
  readonly kind: StateKind;
  readonly version: number;
  readonly entries: Map<string, Entry>;
}

/** The keyed state a chain of changes (oldest first, starting with a full one) adds up to. */
export function mergeStateChanges(chain: readonly StateChanges[]): KeyGroupSnapshot[] {
  const first = chain[0];
  if (first === undefined) return [];
  if (!first.full) throw new Error('an incremental state chain must start with a full snapshot');
  if (chain.length === 1) return [...first.groups];
  // Key group → state name → its entries per schema version, by entry key.
  const groups = new Map<number, Map<string, MergedState[]>>();
  for (const changes of chain) {
    for (const g of changes.groups) {
      let states = groups.get(g.keyGroup);
      if (states === undefined) groups.set(g.keyGroup, (states = new Map()));
      for (const s of g.states) addAll(states, s);
    }
    for (const r of changes.removed) {
      const states = groups.get(r.keyGroup);
      if (states === undefined) continue;
      for (const k of r.entryKeys) {
        const name = k.slice(0, k.indexOf('\u0000'));
        for (const m of states.get(name) ?? []) m.entries.delete(k);
      }
    }
  }
  const out: KeyGroupSnapshot[] = [];
  for (const kg of [...groups.keys()].sort((a, b) => a - b)) {
    const states: StateSnapshot[] = [];
    for (const versions of (groups.get(kg) as Map<string, MergedState[]>).values()) {
      for (const s of versions) if (s.entries.size > 0) states.push(columns(s));
    }
    if (states.length > 0) out.push({ keyGroup: kg, states });
  }
  return out;
}

function addAll(states: Map<string, MergedState[]>, s: StateSnapshot): void {
  let versions = states.get(s.name);
  if (versions === undefined) states.set(s.name, (versions = []));
  let m = versions.find((v) => v.version === s.version);
  if (m === undefined) {
    m = { name: s.name, kind: s.kind, version: s.version, entries: new Map() };
    versions.push(m);
  }
  for (let i = 0; i < s.keys.length; i++) {
    const raw = s.keys[i];
    const ns = s.namespaces?.[i];
    const k = entryKeyOf(s.name, normalizeKey(raw), ns);
    for (const other of versions) if (other !== m) other.entries.delete(k);
    m.entries.set(k, {
      raw,
      ns,
      value: s.values[i],
      expiresAt: s.expiresAt?.[i],
    });
  }
}

function columns(s: MergedState): StateSnapshot {
  const keys: unknown[] = [];
  const values: unknown[] = [];
  const namespaces: (string | number | undefined)[] = [];
  const expiresAt: number[] = [];
  let hasNs = false;
  let hasTtl = false;
  for (const e of s.entries.values()) {
    keys.push(e.raw);
    values.push(e.value);
    namespaces.push(e.ns);
    expiresAt.push(e.expiresAt ?? Number.POSITIVE_INFINITY);
    if (e.ns !== undefined) hasNs = true;
    if (e.expiresAt !== undefined) hasTtl = true;
  }
  return {
    name: s.name,
    kind: s.kind,
    version: s.version,
    keys,
    values,
    ...(hasNs ? { namespaces } : {}),
    ...(hasTtl ? { expiresAt } : {}),
  };
}
