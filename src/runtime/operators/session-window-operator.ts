/**
 * Session windows (event or processing time, fixed or dynamic gap) with their default trigger:
 * Flink's merging `WindowOperator` specialised for sessions, as the {@link SlicingWindowOperator}
 * is for aligned windows. The general {@link WindowOperator} keeps a set of windows, one contents
 * entry per window namespace and two timers per window, and allocates windows, namespaces and
 * timer entries for every record it merges. This operator keeps each key's open sessions as plain
 * data in one keyed value — bounds, accumulators and the key's one timer — and merges in place.
 *
 * Semantics are the general operator's with the default trigger (the property tests compare both
 * with a brute-force reference):
 *
 * - A record at t opens `[t, t + gap)`; it merges with every session it overlaps or touches
 *   (their accumulators combined by `merge`, or `reduce`, in start order, then the record added).
 * - Event time: a session fires when the watermark reaches `end - 1` and is discarded at
 *   `end - 1 + allowedLateness`. A record whose merged session is already discarded by then is
 *   late (side output or `late_records_dropped`); one that updates a fired session within the
 *   lateness fires it again at once if the watermark has passed its (new) end, else at its end.
 * - Processing time: a session fires and is discarded when the clock reaches `end - 1`.
 *
 * State and timer are keyed, so checkpoints, rescaling and both state backends cover them; a
 * checkpoint the general operator took of the same sessions is converted on restore.
 *
 * @module
 */
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { ValueState } from '../../core/state.ts';
import { SessionWindows } from '../../time/windowing/assigners/session-windows.ts';
import type { WindowSpec } from '../../time/windowing/window-spec.ts';
import { TimeWindow } from '../../core/window.ts';
import type { SubtaskState } from '../checkpoint/subtask-state.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { AbstractWindowOperator } from './abstract-window-operator.ts';
import { fromWindowOperatorState, SESSIONS, type Sessions } from './session-window-state.ts';

/** Whether the session operator can run `spec` (else the general window operator does). */
export function canMergeSessions(spec: WindowSpec): boolean {
  const c = spec.contents;
  return (
    spec.assigner instanceof SessionWindows &&
    !spec.customTrigger &&
    spec.evictor === undefined &&
    (c.kind !== 'aggregate' || c.aggregate.merge !== undefined)
  );
}

export class SessionWindowOperator extends AbstractWindowOperator {
  private readonly sessions: ValueState<Sessions>;
  private readonly assigner: SessionWindows<unknown>;
  private readonly eventTime: boolean;
  /** Allowed lateness; processing-time sessions have none (as in the general operator). */
  private readonly lateness: number;

  constructor(setup: OperatorSetup<'window'>) {
    super(setup);
    this.assigner = this.spec.assigner as SessionWindows<unknown>;
    this.eventTime = this.assigner.isEventTime();
    this.lateness = this.eventTime ? this.spec.allowedLateness : 0;
    this.sessions = this.be.getValueState(SESSIONS);
  }

  /** Restores a checkpoint, also one the general window operator took of these sessions. */
  override restoreState(state: SubtaskState): void {
    super.restoreState(fromWindowOperatorState(state, this.eventTime, this.lateness));
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const be = this.be;
    const ks = this.keySelector;
    const assigner = this.assigner;
    const clock = this.setup.clock;
    const eventTime = this.eventTime;
    for (let i = 0; i < size; i++) {
      const v = values[i];
      const t = timestamps[i] as number;
      if (eventTime && t !== t) throw this.noTimestamp();
      be.setCurrentKey(ks(v));
      this.ctx.currentTimestamp = t;
      const start = eventTime ? t : clock.now();
      this.add(v, t, start, start + assigner.gapFor(v));
    }
    this.flushOutputs();
  }

  /** Adds record `v` (timestamp `t`), whose own session is `[start, end)`, to the current key. */
  private add(v: unknown, t: number, start: number, end: number): void {
    const s = this.sessions.value();
    const w = s?.w;
    // The sessions [start, end) overlaps or touches are the run [i, j) (in elements of `w`): those
    // starting at or before `end` whose end is at or after `start`. Records mostly extend the
    // newest session, so search from the back.
    let j = w === undefined ? 0 : w.length;
    let i = j;
    if (w !== undefined) {
      while (j > 0 && (w[j - 3] as number) > end) j -= 3;
      i = j;
      while (i > 0 && (w[i - 2] as number) >= start) i -= 3;
      if (i < j) {
        start = Math.min(start, w[i] as number);
        end = Math.max(end, w[j - 2] as number);
      }
    }
    const wm = this.currentWatermark;
    const eventTime = this.eventTime;
    const lateness = this.lateness;
    // Live sessions are never past their cleanup, so only a record that merges with none can be.
    // As in Flink, such a record counts as late data if it is itself behind the watermark.
    if (eventTime && end - 1 + lateness <= wm) {
      if (t + lateness <= wm) this.dropLate(v, t);
      return;
    }
    const contents = this.contents;
    let acc: unknown = undefined;
    if (i < j) {
      const accs = (s as Sessions).accs;
      acc = accs[i / 3];
      const merge = contents.merge as (a: unknown, b: unknown) => unknown;
      for (let k = i / 3 + 1; k < j / 3; k++) acc = merge(acc, accs[k]);
    }
    acc = contents.add(v, acc);
    // A session the watermark has passed (allowed lateness) fires again at once, with the record.
    const fireNow = eventTime && end - 1 <= wm;
    const due = fireNow ? end - 1 + lateness : end - 1;
    if (s === undefined) {
      this.sessions.update({ w: [start, end, due], accs: [acc], timer: due });
      this.registerTimer(due);
    } else {
      const sw = s.w;
      if (j - i === 3) {
        sw[i] = start;
        sw[i + 1] = end;
        sw[i + 2] = due;
        s.accs[i / 3] = acc;
      } else {
        sw.splice(i, j - i, start, end, due);
        s.accs.splice(i / 3, (j - i) / 3, acc);
      }
      if (due < s.timer) {
        this.deleteTimer(s.timer);
        this.registerTimer(due);
        s.timer = due;
      }
      this.sessions.update(s);
    }
    if (fireNow) this.emitOutsideNamespace(new TimeWindow(start, end), acc, true, false);
  }

  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    if ((domain === 'EVENT_TIME') !== this.eventTime) return;
    const s = this.sessions.value();
    if (s === undefined) return;
    const now = timer.timestamp;
    const lateness = this.lateness;
    const { w, accs } = s;
    // Fire and discard what is due, compacting the survivors to the front.
    let kept = 0;
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < w.length; k += 3) {
      const start = w[k] as number;
      const end = w[k + 1] as number;
      let due = w[k + 2] as number;
      const acc = accs[k / 3];
      if (due <= now) {
        const fire = due === end - 1;
        const purge = end - 1 + lateness <= now;
        this.emitOutsideNamespace(new TimeWindow(start, end), acc, fire, purge);
        if (purge) continue;
        due = end - 1 + lateness;
      }
      w[kept] = start;
      w[kept + 1] = end;
      w[kept + 2] = due;
      accs[kept / 3] = acc;
      kept += 3;
      if (due < next) next = due;
    }
    if (kept === 0) {
      this.sessions.clear();
      return;
    }
    w.length = kept;
    accs.length = kept / 3;
    // This timer has fired; the next one is the earliest due (it may be due in this same watermark
    // or clock advance, which fires it in order).
    s.timer = next;
    this.registerTimer(next);
    this.sessions.update(s);
  }

  private registerTimer(time: number): void {
    const ts = this.ts;
    ts.setNamespace(undefined);
    if (this.eventTime) ts.registerEventTimeTimer(time);
    else ts.registerProcessingTimeTimer(time);
  }

  private deleteTimer(time: number): void {
    const ts = this.ts;
    ts.setNamespace(undefined);
    if (this.eventTime) ts.deleteEventTimeTimer(time);
    else ts.deleteProcessingTimeTimer(time);
  }
}
