/**
 * Tumbling and sliding event-time windows with an incremental function (reduce or aggregate),
 * computed by slices (ADR 0004): each key keeps one accumulator per slice of
 * `gcd(size, slide)`; a record updates one slice, and a firing window merges its
 * `size / gcd` slices. The per-record cost no longer grows with `size / slide`. Tumbling windows
 * that keep all their records (a ProcessWindowFunction alone, window joins) and tumbling
 * processing-time windows run here too, a window being its one slice (ADR 0030).
 *
 * Used when the default trigger and no allowed lateness are in force; everything else takes the
 * general {@link WindowOperator}. Slices live in one keyed value per key (sorted slice ends and
 * their accumulators), and the only timer per key is the end of the next window to fire, so both
 * are keyed state and covered by checkpoints.
 *
 * @module
 */
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { ValueState } from '../../core/state.ts';
import { ValueStateDescriptor } from '../../core/state-descriptor.ts';
import { gcd } from '../../time/windowing/assigners/assigner-args.ts';
import type { AlignedWindowAssigner } from '../../time/windowing/window-assigner.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import { isOwnNormalForm } from '../../state/key-groups.ts';
import type { WindowSpec } from '../../time/windowing/window-spec.ts';
import { TimeWindow, windowFromNamespace } from '../../core/window.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { AbstractWindowOperator } from './abstract-window-operator.ts';
import { CONTENTS as WINDOW_CONTENTS } from './window-operator.ts';

/** One key's slices: ends ascending, accumulators index-aligned. */
interface Slices {
  ends: number[];
  accs: unknown[];
}

const SLICES = new ValueStateDescriptor<Slices>('window-slices');

/**
 * Index of the last slice ending at or before `end` in ascending `ends` (−1: none). Records mostly
 * land in the newest slice, so the search runs backwards from it.
 */
function sliceAtOrBefore(ends: readonly number[], end: number): number {
  let j = ends.length - 1;
  while (j >= 0 && (ends[j] as number) > end) j--;
  return j;
}

/** Whether the slicing operator can run `spec`. */
export function canSlice(spec: WindowSpec): boolean {
  const a = spec.assigner as Partial<AlignedWindowAssigner> & WindowSpec['assigner'];
  const kind = a.describe()['kind'];
  return (
    (kind === 'TumblingEventTimeWindows' ||
      kind === 'SlidingEventTimeWindows' ||
      // Processing time: tumbling only, so what the general operator saved can be taken over.
      kind === 'TumblingProcessingTimeWindows') &&
    typeof a.size === 'number' &&
    !spec.customTrigger &&
    spec.evictor === undefined &&
    spec.allowedLateness === 0 &&
    (spec.contents.kind === 'reduce' ||
      (spec.contents.kind === 'aggregate' && spec.contents.aggregate.merge !== undefined) ||
      // Tumbling: a window is one slice, so neither merge order nor a list's order matters.
      (spec.contents.kind === 'aggregate' && a.size === a.slide) ||
      (spec.contents.kind === 'list' && a.size === a.slide))
  );
}

export class SlicingWindowOperator extends AbstractWindowOperator {
  private readonly slices: ValueState<Slices>;
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly pane: number;
  /** Windows of the clock (records land in the window the clock is in), not of event time. */
  private readonly processingTime: boolean;
  private readonly clock: OperatorSetup<'window'>['clock'];
  /**
   * The slices' table itself when the backend keeps one in memory (heap state without TTL): a
   * record of a key that has slices, landing in its newest slice, updates it there without
   * setting the current key (about a quarter of the per-record cost); see {@link addDirect}.
   */
  private readonly table: Map<unknown, unknown> | undefined;
  /**
   * The window fired last. Every key's timer for a window fires in one run (timers fire in time
   * order), so the keys share it: one {@link TimeWindow} and one namespace string (two
   * number-to-string conversions, a tenth of q5's time when built per key) per window, not per
   * key. Windows are immutable.
   */
  private lastFired: TimeWindow | undefined = undefined;

  constructor(setup: OperatorSetup<'window'>) {
    super(setup);
    const a = this.spec.assigner as unknown as AlignedWindowAssigner;
    this.size = a.size;
    this.slide = a.slide;
    this.offset = a.offset;
    this.pane = gcd(a.size, a.slide);
    this.slices = this.be.getValueState(SLICES);
    this.processingTime = !this.spec.assigner.isEventTime();
    this.clock = setup.clock;
    this.table = this.be.directValueTable?.(SLICES as ValueStateDescriptor<unknown>);
  }

  override open(): void | Promise<void> {
    if (this.size === this.slide) this.adoptGeneralOperatorState();
    return super.open();
  }

  /**
   * Takes over the window contents a snapshot of the general operator holds for a tumbling
   * window: before ADR 0030, windows of all records and processing-time windows ran on it, keeping
   * each key's window (its records, accumulator or reduced value) under the window's namespace
   * (as does a window that had a custom trigger or allowed lateness then). Each becomes the key's
   * slice of that window with this operator's timer, so a savepoint of an earlier Eddy restores
   * without losing an open window. The old timers, namespaced by window, find no slices there and
   * do nothing.
   */
  private adoptGeneralOperatorState(): void {
    const be = this.be;
    const isList = this.contents.isList;
    for (const snap of be.takeUnclaimedState(WINDOW_CONTENTS.name)) {
      for (let i = 0; i < snap.keys.length; i++) {
        const ns = snap.namespaces?.[i];
        const acc = snap.values[i];
        if (ns === undefined || acc === undefined || (isList && !Array.isArray(acc))) continue;
        const end = (windowFromNamespace(ns) as TimeWindow).end;
        be.setCurrentKey(snap.keys[i]);
        be.setCurrentNamespace(undefined);
        const s = this.slices.value() ?? { ends: [], accs: [] };
        const j = sliceAtOrBefore(s.ends, end);
        if (j >= 0 && s.ends[j] === end) {
          // One snapshot holds a window in one layout; two entries for it mean a broken snapshot.
          throw new EddyError(`window ${String(ns)} of a key was restored twice`, {
            code: 'RESTORE_FAILED',
            domain: 'internal',
            operator: this.ref,
          });
        }
        s.ends.splice(j + 1, 0, end);
        s.accs.splice(j + 1, 0, acc);
        this.slices.update(s);
        this.registerFirstWindow(end);
      }
    }
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const be = this.be;
    const ks = this.keySelector;
    const pane = this.pane;
    const offset = this.offset;
    if (this.processingTime) {
      // A record belongs to the window the clock is in when it arrives. Flink asks the clock per
      // record; a batch arrives at one time, so it asks once per batch.
      const sliceEnd = TimeWindow.startOf(this.clock.now(), offset, pane) + pane;
      for (let i = 0; i < size; i++) {
        const v = values[i];
        const k = ks(v);
        if (this.addDirect(k, v, sliceEnd)) continue;
        be.setCurrentKey(k);
        this.addToSlice(v, sliceEnd);
      }
      this.flushOutputs();
      return;
    }
    const wm = this.currentWatermark;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (t !== t) throw this.noTimestamp();
      // The last window holding t ends at its slide-aligned start + size; if even that one has
      // fired, the record is late for all of them.
      if (TimeWindow.startOf(t, offset, this.slide) + this.size - 1 <= wm) {
        this.dropLate(v, t);
        continue;
      }
      const k = ks(v);
      const sliceEnd = TimeWindow.startOf(t, offset, pane) + pane;
      if (this.addDirect(k, v, sliceEnd)) continue;
      be.setCurrentKey(k);
      this.addToSlice(v, sliceEnd);
    }
    this.flushOutputs();
  }

  /**
   * The common case without the backend: the key has slices and the record lands in the newest,
   * so no slice or timer is added. Only keys that are their own normalized form are looked up
   * directly; the slices object is updated in place, which is what the heap table holds. False:
   * take the backend's path.
   */
  private addDirect(k: unknown, v: unknown, sliceEnd: number): boolean {
    const table = this.table;
    if (table === undefined) return false;
    if (!isOwnNormalForm(k)) return false;
    const s = table.get(k) as Slices | undefined;
    if (s === undefined) return false;
    const last = s.ends.length - 1;
    if (s.ends[last] !== sliceEnd) return false;
    s.accs[last] = this.contents.add(v, s.accs[last]);
    return true;
  }

  /** Adds `v` to the current key's slice ending at `sliceEnd`. */
  private addToSlice(v: unknown, sliceEnd: number): void {
    const state = this.slices;
    const add = this.contents.add;
    let s = state.value();
    if (s === undefined) {
      s = { ends: [sliceEnd], accs: [add(v, undefined)] };
      state.update(s);
      this.registerFirstWindow(sliceEnd);
      return;
    }
    const ends = s.ends;
    const j = sliceAtOrBefore(ends, sliceEnd);
    if (j >= 0 && ends[j] === sliceEnd) {
      s.accs[j] = add(v, s.accs[j]);
    } else {
      ends.splice(j + 1, 0, sliceEnd);
      s.accs.splice(j + 1, 0, add(v, undefined));
      this.registerFirstWindow(sliceEnd);
    }
    state.update(s);
  }

  /** The end of the first window containing the slice that ends at `sliceEnd`. */
  private firstWindowEnd(sliceEnd: number): number {
    const slide = this.slide;
    // Window ends are ≡ offset + size (mod slide).
    const align = this.offset + this.size;
    return sliceEnd + ((((align - sliceEnd) % slide) + slide) % slide);
  }

  /**
   * As {@link firstWindowEnd}, skipping windows the watermark has already fired. (Processing
   * time: a record's window is the clock's, which has not fired; a window a restore took over
   * whose end has passed fires at once.)
   */
  private firstOpenWindowEnd(sliceEnd: number): number {
    let end = this.firstWindowEnd(sliceEnd);
    if (this.processingTime) return end;
    const wm = this.currentWatermark;
    if (end - 1 <= wm) end += Math.ceil((wm + 2 - end) / this.slide) * this.slide;
    return end;
  }

  private registerFirstWindow(sliceEnd: number): void {
    this.registerWindowTimer(this.firstOpenWindowEnd(sliceEnd));
  }

  /** The key's one timer: when the window ending at `end` fires. */
  private registerWindowTimer(end: number): void {
    this.ts.setNamespace(undefined);
    if (this.processingTime) this.ts.registerProcessingTimeTimer(end - 1);
    else this.ts.registerEventTimeTimer(end - 1);
  }

  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    if (domain !== (this.processingTime ? 'PROCESSING_TIME' : 'EVENT_TIME')) return;
    const s = this.slices.value();
    if (s === undefined) return;
    const end = timer.timestamp + 1;
    const start = end - this.size;
    const { ends, accs } = s;
    const c = this.contents;
    const merge = c.merge;
    let acc: unknown = undefined;
    let first = true;
    for (let j = 0; j < ends.length; j++) {
      const e = ends[j] as number;
      if (e <= start) continue;
      if (e > end) break;
      if (first) {
        first = false;
        // Tumbling: the window is its one slice, which is dropped after this firing.
        if (this.size === this.slide) {
          acc = accs[j];
          break;
        }
        // Never hand a slice's own accumulator to merge() as its target: the slice is reused.
        acc = c.fresh !== undefined ? merge!(c.fresh(), accs[j]) : accs[j];
      } else {
        acc = merge!(acc, accs[j]);
      }
    }
    // Each window fires once: its function state goes right after.
    if (!first) {
      let w = this.lastFired;
      if (w === undefined || w.end !== end || w.start !== start)
        w = this.lastFired = new TimeWindow(start, end);
      this.emitOutsideNamespace(w, acc, true, true);
    }
    // Drop slices no later window contains, then schedule the next window of this key.
    const keepAfter = start + this.slide;
    let drop = 0;
    while (drop < ends.length && (ends[drop] as number) <= keepAfter) drop++;
    if (drop > 0) {
      ends.splice(0, drop);
      accs.splice(0, drop);
    }
    if (ends.length === 0) {
      this.slices.clear();
      return;
    }
    this.slices.update(s);
    // Windows up to the current watermark still fire in this same watermark's timer loop.
    this.registerWindowTimer(Math.max(this.firstWindowEnd(ends[0] as number), end + this.slide));
  }
}
