/**
 * The composite state keys of namespaced state in the heap backend: one {@link CompositeKey}
 * object per key and namespace, interned, so that a table keyed by it finds it by identity.
 *
 * Why objects and not a `key␁namespace` string (until 2026-12): building the string per access
 * (the key's `keyString` form, a concatenation), hashing it, and keeping a map from each string
 * back to its key and namespace for snapshots cost 17 % of Nexmark q8's CPU — a window coGroup
 * whose keys are mostly new in every window. An interned object costs one allocation when it is
 * new and two map lookups by primitive when it is not; a table lookup by an object uses its
 * identity hash; and a snapshot reads key and namespace off the object. The last namespace's map
 * is kept at hand: records mostly fall into the window of the record before them.
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

/** Interned composite keys, by namespace and key. */
export class CompositeKeys {
  /** Namespace → normalized key → its composite. */
  private readonly byNamespace = new Map<string | number, Map<unknown, CompositeKey>>();
  private lastNamespace: string | number | undefined = undefined;
  private lastByKey: Map<unknown, CompositeKey> | undefined = undefined;
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
    let byKey = ns === this.lastNamespace ? this.lastByKey : undefined;
    if (byKey === undefined) byKey = this.byKeyOf(ns);
    let c = byKey.get(k);
    if (c !== undefined) return c;
    if (added !== undefined) {
      added();
      byKey = this.byKeyOf(ns); // `added` may have pruned the namespace's map away
    }
    c = new CompositeKey(k, ns);
    byKey.set(k, c);
    this.count++;
    return c;
  }

  /** The composites of namespace `ns` by key, made the last namespace's. */
  private byKeyOf(ns: string | number): Map<unknown, CompositeKey> {
    let byKey = this.byNamespace.get(ns);
    if (byKey === undefined) this.byNamespace.set(ns, (byKey = new Map()));
    this.lastNamespace = ns;
    this.lastByKey = byKey;
    return byKey;
  }

  /** Every remembered composite. */
  *[Symbol.iterator](): IterableIterator<CompositeKey> {
    for (const byKey of this.byNamespace.values()) yield* byKey.values();
  }

  /** Forgets every composite for which `keep` is false (no table may hold it any more). */
  retain(keep: (composite: CompositeKey) => boolean): void {
    for (const [ns, byKey] of this.byNamespace) {
      for (const [k, c] of byKey) {
        if (keep(c)) continue;
        byKey.delete(k);
        this.count--;
      }
      if (byKey.size > 0) continue;
      this.byNamespace.delete(ns);
      if (this.lastByKey === byKey) this.lastByKey = undefined;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.byNamespace.clear();
    this.lastByKey = undefined;
    this.lastNamespace = undefined;
    this.count = 0;
  }
}
