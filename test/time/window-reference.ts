/**
 * Brute-force references for the window and join property tests: they compute the expected
 * output directly from the definitions (which windows contain a timestamp, when a window is late,
 * when the watermark passes its end), over an explicit sequence of records and watermarks.
 *
 * @module
 */

/** A test record. */
export interface Rec {
  readonly id: number;
  readonly key: string;
  readonly v: number;
  readonly ts: number;
  readonly split: string;
}

/** What the operator sees: a record at the current watermark, or the watermark advancing. */
export type OpEvent =
  { readonly kind: 'rec'; readonly rec: Rec } | { readonly kind: 'wm'; readonly w: number };

/** Window definitions the reference knows. */
export type WindowDef =
  | { readonly kind: 'aligned'; readonly size: number; readonly slide: number }
  | { readonly kind: 'session'; readonly gapOf: (r: Rec) => number }
  | { readonly kind: 'count'; readonly n: number; readonly purge: boolean };

/** One firing: key, window bounds and the records in it. */
export interface Firing {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly recs: readonly Rec[];
}

/** Expected firings and late records of a window operator. */
export function referenceWindows(
  events: readonly OpEvent[],
  def: WindowDef,
  lateness: number,
): { firings: Firing[]; late: Rec[] } {
  const firings: Firing[] = [];
  const late: Rec[] = [];
  let W = Number.NEGATIVE_INFINITY;
  type Win = { key: string; start: number; end: number; recs: Rec[] };
  let live: Win[] = [];
  const fire = (w: Win) =>
    firings.push({ key: w.key, start: w.start, end: w.end, recs: [...w.recs] });
  const counts = new Map<string, Win>();
  const countSeen = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'wm') {
      if (def.kind !== 'count') {
        for (const w of live) if (w.end - 1 > W && w.end - 1 <= e.w) fire(w);
        live = live.filter((w) => w.end - 1 + lateness > e.w);
      }
      W = Math.max(W, e.w);
      continue;
    }
    const r = e.rec;
    if (def.kind === 'count') {
      let w = counts.get(r.key);
      if (w === undefined) counts.set(r.key, (w = { key: r.key, start: 0, end: 0, recs: [] }));
      w.recs.push(r);
      const n = (countSeen.get(r.key) ?? 0) + 1;
      countSeen.set(r.key, n % def.n);
      if (n === def.n) {
        fire(w);
        if (def.purge) w.recs = [];
      }
      continue;
    }
    if (def.kind === 'aligned') {
      let added = false;
      // Every window [k·slide, k·slide + size) that contains ts.
      const kMax = Math.floor(r.ts / def.slide);
      for (let k = kMax; k * def.slide + def.size > r.ts; k--) {
        const start = k * def.slide;
        const end = start + def.size;
        if (end - 1 + lateness <= W) continue;
        added = true;
        let w = live.find((x) => x.key === r.key && x.start === start && x.end === end);
        if (w === undefined) live.push((w = { key: r.key, start, end, recs: [] }));
        w.recs.push(r);
        if (end - 1 <= W) fire(w);
      }
      if (!added && r.ts + lateness <= W) late.push(r);
      continue;
    }
    const g = def.gapOf(r);
    const start = r.ts;
    const end = r.ts + g;
    const touching = live.filter((x) => x.key === r.key && x.start <= end && x.end >= start);
    if (touching.length === 0 && end - 1 + lateness <= W) {
      if (r.ts + lateness <= W) late.push(r);
      continue;
    }
    const merged: Win = {
      key: r.key,
      start: Math.min(start, ...touching.map((x) => x.start)),
      end: Math.max(end, ...touching.map((x) => x.end)),
      recs: [...touching.flatMap((x) => x.recs), r],
    };
    live = live.filter((x) => !touching.includes(x));
    live.push(merged);
    if (merged.end - 1 <= W) fire(merged);
  }
  return { firings, late };
}

/** Expected pairs of an interval join (`lower ≤ right.ts − left.ts ≤ upper`, late: ts ≤ watermark). */
export function referenceIntervalJoin(
  events: readonly OpEvent[],
  isLeft: (r: Rec) => boolean,
  lower: number,
  upper: number,
): string[] {
  let W = Number.NEGATIVE_INFINITY;
  const left: Rec[] = [];
  const right: Rec[] = [];
  for (const e of events) {
    if (e.kind === 'wm') W = Math.max(W, e.w);
    else if (e.rec.ts > W) (isLeft(e.rec) ? left : right).push(e.rec);
  }
  const out: string[] = [];
  for (const l of left) {
    for (const r of right) {
      if (l.key === r.key && r.ts - l.ts >= lower && r.ts - l.ts <= upper)
        out.push(`${l.id}-${r.id}`);
    }
  }
  return out.sort();
}

/** The records an interval join finds late (at or behind the watermark), ids by side, sorted. */
export function referenceIntervalJoinLate(
  events: readonly OpEvent[],
  isLeft: (r: Rec) => boolean,
): { left: number[]; right: number[] } {
  let W = Number.NEGATIVE_INFINITY;
  const left: number[] = [];
  const right: number[] = [];
  for (const e of events) {
    if (e.kind === 'wm') W = Math.max(W, e.w);
    else if (e.rec.ts <= W) (isLeft(e.rec) ? left : right).push(e.rec.id);
  }
  return { left: left.sort((a, b) => a - b), right: right.sort((a, b) => a - b) };
}

/** The source's watermark as the operator sees it: min over non-idle splits, never backwards. */
export class SplitWatermarkModel {
  private readonly splits = new Map<string, { w: number; idle: boolean }>();
  /** The last watermark the source emitted. */
  out = Number.NEGATIVE_INFINITY;
  private split(id: string) {
    let s = this.splits.get(id);
    if (s === undefined) this.splits.set(id, (s = { w: Number.NEGATIVE_INFINITY, idle: false }));
    return s;
  }
  /** Applies a step; returns the new operator watermark if it advanced. */
  record(split: string): number | undefined {
    this.split(split).idle = false;
    return this.recompute();
  }
  watermark(split: string, w: number): number | undefined {
    const s = this.split(split);
    s.w = Math.max(s.w, w);
    s.idle = false;
    return this.recompute();
  }
  setIdle(split: string, idle: boolean): number | undefined {
    this.split(split).idle = idle;
    return this.recompute();
  }
  private recompute(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const s of this.splits.values()) {
      if (s.idle) continue;
      active++;
      min = Math.min(min, s.w);
    }
    if (active === 0 || !(min > this.out)) return undefined;
    this.out = min;
    return min;
  }
}
