/**
 * Timers of a keyed operator: event-time timers fire when the watermark passes them, processing-
 * time timers when the clock does. One timer per (key, namespace, timestamp); they fire in
 * timestamp order with their key (and namespace) set on the state backend. Timers are state: the
 * queues are exposed for snapshots.
 *
 * @module
 */
import type { ProcessingTimeService } from '../../core/environment-options.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { keyString } from '../../state/key-groups.ts';
import { NumberMinHeap } from './number-min-heap.ts';

/** One registered timer. */
export interface TimerEntry {
  readonly key: unknown;
  readonly rawKey: unknown;
  readonly namespace: string | number | undefined;
  readonly timestamp: number;
}

/** Called for each timer that fires, with key and namespace already set on the backend. */
export type TimerCallback = (timer: TimerEntry, domain: TimeDomain) => void;

/** A timer's identity within its timestamp: the normalized key, with the namespace if set. */
function timerId(key: unknown, namespace: string | number | undefined): unknown {
  return namespace === undefined ? key : `${keyString(key)}\u0001${namespace}`;
}

class TimerQueue {
  readonly heap = new NumberMinHeap();
  /** timestamp → (key␁namespace → timer) */
  readonly byTime = new Map<number, Map<unknown, TimerEntry>>();
  count = 0;

  add(entry: TimerEntry, id: unknown): boolean {
    let at = this.byTime.get(entry.timestamp);
    if (at === undefined) {
      at = new Map();
      this.byTime.set(entry.timestamp, at);
      this.heap.push(entry.timestamp);
    } else if (at.has(id)) {
      return false;
    }
    at.set(id, entry);
    this.count++;
    return true;
  }

  remove(timestamp: number, id: unknown): void {
    const at = this.byTime.get(timestamp);
    if (at === undefined || !at.delete(id)) return;
    this.count--;
    if (at.size === 0) this.byTime.delete(timestamp);
  }

  /** The earliest pending timestamp (skipping deleted ones). */
  peek(): number | undefined {
    for (;;) {
      const t = this.heap.peek();
      if (t === undefined || this.byTime.has(t)) return t;
      this.heap.pop();
    }
  }

  /** Removes and returns the timers of the earliest timestamp if it is ≤ `upTo`. */
  pollUpTo(upTo: number): Map<unknown, TimerEntry> | undefined {
    const t = this.peek();
    if (t === undefined || t > upTo) return undefined;
    this.heap.pop();
    const at = this.byTime.get(t);
    this.byTime.delete(t);
    if (at !== undefined) this.count -= at.size;
    return at;
  }

  all(): TimerEntry[] {
    const out: TimerEntry[] = [];
    for (const at of this.byTime.values()) for (const e of at.values()) out.push(e);
    return out;
  }
}

export class InternalTimerService {
  private readonly eventTime = new TimerQueue();
  private readonly processingTime = new TimerQueue();
  /** The watermark timers were last advanced to. */
  currentWatermark = Number.NEGATIVE_INFINITY;
  private scheduledAt = Number.POSITIVE_INFINITY;
  private cancelScheduled: (() => void) | undefined;
  private namespace: string | number | undefined;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly clock: ProcessingTimeService,
    private readonly onTimer: TimerCallback,
    /** Runs a processing-time firing as a task action (flushes outputs, reports failures). */
    private readonly runAction: (action: () => void) => void,
  ) {}

  /** Sets the namespace new timers are registered in (windows); `undefined` for plain timers. */
  setNamespace(namespace: string | number | undefined): void {
    this.namespace = namespace;
  }

  private id(): unknown {
    return timerId(this.backend.currentKey, this.namespace);
  }

  private entry(timestamp: number): TimerEntry {
    return {
      key: this.backend.currentKey,
      rawKey: this.backend.currentRawKey,
      namespace: this.namespace,
      timestamp,
    };
  }

  registerEventTimeTimer(timestamp: number): void {
    this.eventTime.add(this.entry(timestamp), this.id());
  }

  deleteEventTimeTimer(timestamp: number): void {
    this.eventTime.remove(timestamp, this.id());
  }

  registerProcessingTimeTimer(timestamp: number): void {
    if (this.processingTime.add(this.entry(timestamp), this.id()) && timestamp < this.scheduledAt)
      this.schedule(timestamp);
  }

  deleteProcessingTimeTimer(timestamp: number): void {
    this.processingTime.remove(timestamp, this.id());
  }

  /** Fires every event-time timer ≤ `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.fire(this.eventTime, watermark, 'EVENT_TIME');
  }

  /** Fires every processing-time timer ≤ `now`, in timestamp order. */
  advanceProcessingTime(now: number): void {
    this.fire(this.processingTime, now, 'PROCESSING_TIME');
    const next = this.processingTime.peek();
    this.scheduledAt = Number.POSITIVE_INFINITY;
    if (next !== undefined) this.schedule(next);
  }

  /** Number of pending timers (event, processing). */
  counts(): { eventTime: number; processingTime: number } {
    return { eventTime: this.eventTime.count, processingTime: this.processingTime.count };
  }

  /** Every pending timer, for snapshots and test harnesses. */
  timers(): { eventTime: TimerEntry[]; processingTime: TimerEntry[] } {
    return { eventTime: this.eventTime.all(), processingTime: this.processingTime.all() };
  }

  /** Re-registers timers from a snapshot. */
  restore(timers: {
    eventTime: readonly TimerEntry[];
    processingTime: readonly TimerEntry[];
  }): void {
    // The same id as a registration of the timer gets: a restored timer must be the one a
    // record of its window registers again (not a second timer) and the one its purge deletes.
    const add = (q: TimerQueue, e: TimerEntry) => q.add(e, timerId(e.key, e.namespace));
    for (const e of timers.eventTime) add(this.eventTime, e);
    for (const e of timers.processingTime) add(this.processingTime, e);
    const next = this.processingTime.peek();
    if (next !== undefined) this.schedule(next);
  }

  /** Stops scheduling processing-time timers. */
  dispose(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    this.scheduledAt = Number.POSITIVE_INFINITY;
  }

  private fire(queue: TimerQueue, upTo: number, domain: TimeDomain): void {
    const backend = this.backend;
    const savedNs = this.namespace;
    for (;;) {
      const due = queue.pollUpTo(upTo);
      if (due === undefined) break;
      for (const timer of due.values()) {
        backend.setCurrentKeyNormalized(timer.key, timer.rawKey);
        backend.setCurrentNamespace(timer.namespace);
        this.namespace = timer.namespace;
        this.onTimer(timer, domain);
      }
    }
    this.namespace = savedNs;
    backend.setCurrentNamespace(undefined);
  }

  private schedule(timestamp: number): void {
    this.cancelScheduled?.();
    this.scheduledAt = timestamp;
    this.cancelScheduled = this.clock.schedule(timestamp, () => {
      this.cancelScheduled = undefined;
      // The timer is due: fire up to its time even if the wall clock went back meanwhile (an NTP
      // step, a VM resume), or it would be put off by the size of the jump (Flink fires up to
      // the scheduled time the same way).
      this.runAction(() => this.advanceProcessingTime(Math.max(timestamp, this.clock.now())));
    });
  }
}
