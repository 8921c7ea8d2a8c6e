/**
 * The table of a heap state with a time-to-live: a Map that stores each value with its expiry
 * time and never hands out an expired one. Expired entries are removed when they are read, skipped
 * (and removed) when the table is iterated for a snapshot, and cleaned up incrementally: every
 * write also inspects the next two entries of a cursor that walks the table.
 *
 * @module
 */

interface Timed {
  v: unknown;
  exp: number;
}

export class TtlMap extends Map<unknown, unknown> {
  private cursor: Iterator<[unknown, unknown]> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly refreshOnRead: boolean,
    private readonly clock: () => number,
  ) {
    super();
  }

  override get(key: unknown): unknown {
    const r = super.get(key) as Timed | undefined;
    if (r === undefined) return undefined;
    const now = this.clock();
    if (r.exp <= now) {
      super.delete(key);
      return undefined;
    }
    if (this.refreshOnRead) r.exp = now + this.ttlMs;
    return r.v;
  }

  override has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }

  override set(key: unknown, value: unknown): this {
    super.set(key, { v: value, exp: this.clock() + this.ttlMs });
    this.cleanupStep();
    return this;
  }

  /** Sets a value with a given expiry time (restore); an already expired one is dropped. */
  setExpiring(key: unknown, value: unknown, expiresAt: number): void {
    if (expiresAt > this.clock()) super.set(key, { v: value, exp: expiresAt });
  }

  /** Live entries with their expiry times (snapshots). */
  *timedEntries(): Generator<[unknown, unknown, number]> {
    const now = this.clock();
    for (const [k, r] of super.entries() as MapIterator<[unknown, Timed]>) {
      if (r.exp <= now) super.delete(k);
      else yield [k, r.v, r.exp];
    }
  }

  override *entries(): MapIterator<[unknown, unknown]> {
    const now = this.clock();
    for (const [k, r] of super.entries() as MapIterator<[unknown, Timed]>) {
      if (r.exp <= now) super.delete(k);
      else yield [k, r.v];
    }
  }

  override [Symbol.iterator](): MapIterator<[unknown, unknown]> {
    return this.entries();
  }

  override *values(): MapIterator<unknown> {
    for (const [, v] of this.entries()) yield v;
  }

  override *keys(): MapIterator<unknown> {
    for (const [k] of this.entries()) yield k;
  }

  private cleanupStep(): void {
    const now = this.clock();
    for (let i = 0; i < 2; i++) {
      this.cursor ??= super.entries();
      const n = this.cursor.next();
      if (n.done === true) {
        this.cursor = undefined;
        return;
      }
      const [k, r] = n.value as [unknown, Timed];
      if (r.exp <= now) super.delete(k);
    }
  }
}
