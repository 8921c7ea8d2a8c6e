/**
 * The general window operator (Flink's `WindowOperator`): assigner → per-window contents in keyed
 * state (namespace = window) → trigger (timers in the keyed timer service, namespaced by window)
 * → window function. Handles merging (session) windows, allowed lateness with re-firing, the late
 * side output and the count of dropped late records. Aligned event-time windows with an
 * incremental function take the {@link SlicingWindowOperator} instead.
 *
 * With an evictor (Flink's `EvictingWindowOperator`) a window's contents are every record with
 * its timestamp; when it fires, the evictor's `evictBefore` picks the records the function sees,
 * the function (reduce / aggregate / process) runs over them, and `evictAfter` picks what stays.
 *
 * @module
 */
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { ValueState } from '../../core/state.ts';
import { ValueStateDescriptor } from '../../core/state-descriptor.ts';
import type { Evictor, EvictorContext, TimestampedValue } from '../../time/windowing/evictor.ts';
import type { OnMergeContext, Trigger, TriggerResult } from '../../time/windowing/trigger.ts';
import {
  isMergingAssigner,
  type MergingWindowAssigner,
  type WindowAssigner,
  type WindowAssignerContext,
} from '../../time/windowing/window-assigner.ts';
import { TimeWindow, windowFromNamespace, type Window } from '../../core/window.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { AbstractWindowOperator } from './abstract-window-operator.ts';

/** Per key and window (namespace): the window's contents. */
export const CONTENTS = new ValueStateDescriptor<unknown>('window-contents');
/** Per key: the live windows of a merging assigner, as a flat [start, end, start, end, …]. */
export const WINDOW_SET = new ValueStateDescriptor<number[]>('window-set');

export class WindowOperator extends AbstractWindowOperator implements OnMergeContext {
  private readonly state: ValueState<unknown>;
  private readonly windowSet: ValueState<number[]>;
  private readonly assigner: WindowAssigner<unknown, Window>;
  private readonly merging: MergingWindowAssigner<unknown> | undefined;
  private readonly trigger: Trigger<unknown, Window>;
  private readonly eventTime: boolean;
  private readonly triggerStates = new Map<string, ValueState<unknown>>();
  private readonly assignerCtx: WindowAssignerContext;
  private readonly evictor: Evictor<unknown, Window> | undefined;
  private readonly evictorCtx: EvictorContext;
  /** The window the trigger context and process context act on. */
  private win: Window = undefined as unknown as Window;
  mergedWindows: readonly Window[] = [];

  constructor(setup: OperatorSetup<'window'>) {
    super(setup);
    this.state = this.be.getValueState(CONTENTS);
    this.windowSet = this.be.getValueState(WINDOW_SET);
    this.assigner = this.spec.assigner;
    this.merging = isMergingAssigner(this.assigner) ? this.assigner : undefined;
    this.trigger = this.spec.trigger;
    this.eventTime = this.assigner.isEventTime();
    this.assignerCtx = { getCurrentProcessingTime: () => setup.clock.now() };
    this.evictor = this.spec.evictor;
    this.evictorCtx = {
      currentProcessingTime: () => setup.clock.now(),
      currentWatermark: () => this.currentWatermark,
    };
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const be = this.be;
    const ks = this.keySelector;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (this.eventTime && t !== t) throw this.noTimestamp();
      be.setCurrentKey(ks(v));
      this.ctx.currentTimestamp = t;
      if (this.merging !== undefined) this.processMerging(v, t);
      else this.processElement(v, t);
    }
    be.setCurrentNamespace(undefined);
    this.flushOutputs();
  }

  private processElement(v: unknown, t: number): void {
    const windows = this.assigner.assignWindows(v, t, this.assignerCtx);
    let skipped = true;
    for (let j = 0; j < windows.length; j++) {
      const w = windows[j] as Window;
      if (this.isWindowLate(w)) continue;
      skipped = false;
      this.addAndTrigger(w, v, t);
    }
    if (skipped) this.onSkipped(v, t);
  }

  private processMerging(v: unknown, t: number): void {
    const merging = this.merging as MergingWindowAssigner<unknown>;
    const windows = merging.assignWindows(v, t, this.assignerCtx);
    let skipped = true;
    for (let j = 0; j < windows.length; j++) {
      const w = windows[j] as TimeWindow;
      this.be.setCurrentNamespace(undefined);
      const flat = this.windowSet.value() ?? [];
      const existing: TimeWindow[] = [];
      for (let k = 0; k < flat.length; k += 2) {
        existing.push(new TimeWindow(flat[k] as number, flat[k + 1] as number));
      }
      existing.push(w);
      let actual = w;
      let mergedExisting: TimeWindow[] = [];
      for (const [result, covered] of merging.mergeWindows(existing)) {
        if (covered.includes(w)) {
          actual = result;
          mergedExisting = covered.filter((c) => c !== w);
          break;
        }
      }
      const next: number[] = [];
      for (const e of existing) {
        if (e === w || mergedExisting.includes(e)) continue;
        next.push(e.start, e.end);
      }
      const late = this.isWindowLate(actual);
      if (!late) next.push(actual.start, actual.end);
      const same =
        mergedExisting.length === 1 &&
        (mergedExisting[0] as TimeWindow).start === actual.start &&
        (mergedExisting[0] as TimeWindow).end === actual.end;
      if (mergedExisting.length > 0 && !same) this.mergeInto(actual, mergedExisting);
      this.be.setCurrentNamespace(undefined);
      if (next.length > 0) this.windowSet.update(next);
      else this.windowSet.clear();
      if (late) continue;
      skipped = false;
      this.addAndTrigger(actual, v, t);
    }
    if (skipped) this.onSkipped(v, t);
  }

  /** Moves the contents and trigger state of `merged` windows into `target`. */
  private mergeInto(target: TimeWindow, merged: TimeWindow[]): void {
    const be = this.be;
    this.win = target;
    this.mergedWindows = merged;
    be.setCurrentNamespace(target.namespace);
    this.trigger.onMerge?.(target, this);
    let acc: unknown = undefined;
    const merge = this.evictor !== undefined ? concatRecords : this.contents.merge;
    for (const m of merged) {
      be.setCurrentNamespace(m.namespace);
      const c = this.state.value();
      this.win = m;
      this.trigger.clear(m, this);
      this.deleteCleanupTimer(m);
      this.state.clear();
      if (c === undefined) continue;
      if (acc === undefined) acc = c;
      else if (merge !== undefined) acc = merge(acc, c);
    }
    this.win = target;
    be.setCurrentNamespace(target.namespace);
    if (acc !== undefined) {
      const cur = this.state.value();
      this.state.update(cur === undefined || merge === undefined ? acc : merge(cur, acc));
    }
    this.mergedWindows = [];
  }

  private addAndTrigger(w: Window, v: unknown, t: number): void {
    const be = this.be;
    const state = this.state;
    be.setCurrentNamespace(w.namespace);
    if (this.evictor !== undefined) {
      const records = (state.value() ?? []) as TimestampedValue<unknown>[];
      records.push({ value: v, timestamp: t });
      state.update(records);
    } else state.update(this.contents.add(v, state.value()));
    this.win = w;
    const r = this.trigger.onElement(v, t, w, this);
    if (r !== 'CONTINUE') this.act(r, w);
    this.registerCleanupTimer(w);
  }

  private act(r: TriggerResult, w: Window): void {
    if (r === 'FIRE' || r === 'FIRE_AND_PURGE') {
      const acc = this.state.value();
      if (acc !== undefined) {
        if (this.evictor !== undefined) this.fireEvicting(w, acc as TimestampedValue<unknown>[]);
        else this.emit(w, acc);
      }
    }
    if (r === 'PURGE' || r === 'FIRE_AND_PURGE') this.state.clear();
  }

  /** Fires a window of an evicting operator and keeps what `evictAfter` leaves. */
  private fireEvicting(w: Window, records: readonly TimestampedValue<unknown>[]): void {
    const evictor = this.evictor as Evictor<unknown, Window>;
    const seen = evictor.evictBefore?.(records, w, this.evictorCtx) ?? records;
    // The function's input is computed now, from what the evictor kept.
    let acc: unknown = undefined;
    for (const r of seen) acc = this.contents.add(r.value, acc);
    if (acc !== undefined) this.emit(w, acc);
    const kept = evictor.evictAfter?.(seen, w, this.evictorCtx) ?? seen;
    if (kept.length === 0) this.state.clear();
    else this.state.update(kept.slice());
  }

  private onSkipped(v: unknown, t: number): void {
    // Flink: a record whose windows are all late is late data if it is behind the watermark.
    if (!this.eventTime || t + this.spec.allowedLateness > this.currentWatermark) return;
    this.dropLate(v, t);
  }

  private cleanupTime(w: Window): number {
    const max = w.maxTimestamp();
    return this.eventTime ? max + this.spec.allowedLateness : max;
  }

  private isWindowLate(w: Window): boolean {
    return this.eventTime && this.cleanupTime(w) <= this.currentWatermark;
  }

  private registerCleanupTimer(w: Window): void {
    const t = this.cleanupTime(w);
    if (t === Number.POSITIVE_INFINITY) return;
    this.ts.setNamespace(w.namespace);
    if (this.eventTime) this.ts.registerEventTimeTimer(t);
    else this.ts.registerProcessingTimeTimer(t);
  }

  private deleteCleanupTimer(w: Window): void {
    const t = this.cleanupTime(w);
    if (t === Number.POSITIVE_INFINITY) return;
    this.ts.setNamespace(w.namespace);
    if (this.eventTime) this.ts.deleteEventTimeTimer(t);
    else this.ts.deleteProcessingTimeTimer(t);
  }

  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    const w = windowFromNamespace(timer.namespace);
    const be = this.be;
    if (this.merging !== undefined) {
      be.setCurrentNamespace(undefined);
      if (!containsWindow(this.windowSet.value(), w as TimeWindow)) return;
      be.setCurrentNamespace(w.namespace);
    }
    this.win = w;
    const time = timer.timestamp;
    this.ctx.currentTimestamp = time;
    const r =
      domain === 'EVENT_TIME'
        ? this.trigger.onEventTime(time, w, this)
        : this.trigger.onProcessingTime(time, w, this);
    if (r !== 'CONTINUE') this.act(r, w);
    if ((domain === 'EVENT_TIME') === this.eventTime && time === this.cleanupTime(w)) {
      this.clearAllState(w);
    }
  }

  private clearAllState(w: Window): void {
    this.state.clear();
    this.trigger.clear(w, this);
    this.clearWindowFunction(w);
    if (this.merging !== undefined) {
      const be = this.be;
      be.setCurrentNamespace(undefined);
      const flat = this.windowSet.value() ?? [];
      const tw = w as TimeWindow;
      const next: number[] = [];
      for (let k = 0; k < flat.length; k += 2) {
        if (flat[k] === tw.start && flat[k + 1] === tw.end) continue;
        next.push(flat[k] as number, flat[k + 1] as number);
      }
      if (next.length > 0) this.windowSet.update(next);
      else this.windowSet.clear();
      be.setCurrentNamespace(w.namespace);
    }
  }

  /** End of input: the final watermark already fired every event-time window. */
  protected override finish(): void {
    this.be.setCurrentNamespace(undefined);
  }

  // TriggerContext / OnMergeContext, acting on `this.win` of the current key.
  getCurrentWatermark(): number {
    return this.currentWatermark;
  }
  getCurrentProcessingTime(): number {
    return this.setup.clock.now();
  }
  registerEventTimeTimer(time: number): void {
    this.ts.setNamespace(this.win.namespace);
    this.ts.registerEventTimeTimer(time);
  }
  registerProcessingTimeTimer(time: number): void {
    this.ts.setNamespace(this.win.namespace);
    this.ts.registerProcessingTimeTimer(time);
  }
  deleteEventTimeTimer(time: number): void {
    this.ts.setNamespace(this.win.namespace);
    this.ts.deleteEventTimeTimer(time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.ts.setNamespace(this.win.namespace);
    this.ts.deleteProcessingTimeTimer(time);
  }
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    let s = this.triggerStates.get(descriptor.name);
    if (s === undefined) {
      s = this.be.getValueState(descriptor as ValueStateDescriptor<unknown>);
      this.triggerStates.set(descriptor.name, s);
    }
    // The backend's namespace is the current window while a trigger runs.
    this.be.setCurrentNamespace(this.win.namespace);
    return s as ValueState<T>;
  }
  mergePartitionedState<T>(descriptor: ValueStateDescriptor<T>, merge: (a: T, b: T) => T): void {
    const s = this.getPartitionedState(descriptor);
    const target = this.win;
    let acc: T | undefined = undefined;
    for (const m of this.mergedWindows) {
      this.be.setCurrentNamespace(m.namespace);
      const v = s.value();
      if (v !== undefined) acc = acc === undefined ? v : merge(acc, v);
    }
    this.be.setCurrentNamespace(target.namespace);
    if (acc !== undefined) {
      const cur = s.value();
      s.update(cur === undefined ? acc : merge(cur, acc));
    }
  }
}

/** Merges two windows' records (evicting operator): in arrival order of the windows. */
function concatRecords(a: unknown, b: unknown): unknown {
  return (a as TimestampedValue<unknown>[]).concat(b as TimestampedValue<unknown>[]);
}

function containsWindow(flat: number[] | undefined, w: TimeWindow): boolean {
  if (flat === undefined) return false;
  for (let k = 0; k < flat.length; k += 2) {
    if (flat[k] === w.start && flat[k + 1] === w.end) return true;
  }
  return false;
}
