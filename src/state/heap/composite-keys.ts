/**
 * The composite state keys of namespaced state in the heap backend: one {@link CompositeKey}
 * object per key and namespace, interned, so that a table keyed by it finds it by identity.
 *
 * Why objects and not a `key␁namespace` string (until 2026-12): building the string per access
 * (the key's `keyString` form, a concatenation), hashing it, and keeping a map from each string
 * back to its key and namespace for snapshots cost 17 % of Nexmark q8's CPU — a window coGroup
 * whose keys are mostly new in every window. An interned object costs one allocation when it is
 * new and one map lookup by the key (and a namespace comparison or a few) when it is not; a table
 * lookup by an object uses its identity hash; and a snapshot reads key and namespace off it.
 *
 * The interning is what makes identity work: every composite a table holds was made here, and a
 * composite is forgotten only when no table holds it (see {@link CompositeKeys.retain}), so the
 * same key and namespace always find the same object.
 *
 * @module
 */

/** A normalized key under a namespace: the state key of namespaced state. */
export class CompositeKey {
  constructor(
    readonly key: unknown,
    readonly namespace: string | number,
  ) {}
}

/** A key's composites: one, a few (scanned), or many (by namespace). */
type Composites = CompositeKey | CompositeKey[] | Map<string | number, CompositeKey>;

/**
 * A key's composites are scanned up to this many; more go into a map by namespace (a long sliding
 * window puts every record into size / slide windows, each of which would scan them all).
 */
const SCAN_LIMIT = 8;

/** Interned composite keys, by key. */
export class CompositeKeys {
  /**
   * Normalized key → its composite(s). A key is usually in one or a few windows at a time: a
   * short scan beats a map per key, or one per namespace (which a session window's fresh
   * namespaces would each have needed).
   */
  private readonly byKey = new Map<unknown, Composites>();
  private count = 0;

  /** How many composites are remembered. */
  get size(): number {
    return this.count;
  }

  /**
   * The composite of normalized key `k` and namespace `ns`; `added` is called when it is new
   * (before it is remembered, so a pruning it triggers cannot drop it).
   */
  of(k: unknown, ns: string | number, added?: () => void): CompositeKey {
    const found = this.byKey.get(k);
    if (found !== undefined) {
      if (found instanceof CompositeKey) {
        if (found.namespace === ns) return found;
      } else if (Array.isArray(found)) {
        for (let i = 0; i < found.length; i++) {
          const c = found[i] as CompositeKey;
          if (c.namespace === ns) return c;
        }
      } else {
        const c = found.get(ns);
        if (c !== undefined) return c;
      }
    }
    added?.();
    const c = new CompositeKey(k, ns);
    // Looked up again: `added` may have pruned the key's composites.
    this.byKey.set(k, withComposite(this.byKey.get(k), c));
    this.count++;
    return c;
  }

  /** Every remembered composite. */
  *[Symbol.iterator](): IterableIterator<CompositeKey> {
    for (const found of this.byKey.values()) {
      if (found instanceof CompositeKey) yield found;
      else yield* found.values();
    }
  }

  /** Forgets every composite for which `keep` is false (no table may hold it any more). */
  retain(keep: (composite: CompositeKey) => boolean): void {
    for (const [k, found] of this.byKey) {
      if (found instanceof CompositeKey) {
        if (keep(found)) continue;
        this.byKey.delete(k);
        this.count--;
        continue;
      }
      const all = [...found.values()];
      const kept = all.filter(keep);
      if (kept.length === all.length) continue;
      this.count -= all.length - kept.length;
      let rebuilt: Composites | undefined = undefined;
      for (const c of kept) rebuilt = withComposite(rebuilt, c);
      if (rebuilt === undefined) this.byKey.delete(k);
      else this.byKey.set(k, rebuilt);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.byKey.clear();
    this.count = 0;
  }
}

/** `found` with `c` added (`c` is not in it). */
function withComposite(found: Composites | undefined, c: CompositeKey): Composites {
  if (found === undefined) return c;
  if (found instanceof CompositeKey) return [found, c];
  if (Array.isArray(found)) {
    if (found.length < SCAN_LIMIT) {
      found.push(c);
      return found;
    }
    const byNamespace = new Map<string | number, CompositeKey>();
    for (const f of found) byNamespace.set(f.namespace, f);
    found = byNamespace;
  }
  found.set(c.namespace, c);
  return found;
}
