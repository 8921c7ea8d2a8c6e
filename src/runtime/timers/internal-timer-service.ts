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

type Namespace = string | number | undefined;

/**
 * Timers by timestamp, then namespace, then normalized key: a timer's identity is its place
 * there, so registering one builds no id (a composite string per record cost q8 a string and
 * its hashing per person and auction). Normalized keys compare as Flink's serialized keys do:
 * the number 7, the string "7" and `true` are three keys.
 */
class TimerQueue {
  readonly heap = new NumberMinHeap();
  /** timestamp → namespace → normalized key → timer */
  readonly byTime = new Map<number, Map<Namespace, Map<unknown, TimerEntry>>>();
  count = 0;

  add(entry: TimerEntry): boolean {
    let at = this.byTime.get(entry.timestamp);
    if (at === undefined) {
      at = new Map();
      this.byTime.set(entry.timestamp, at);
      this.heap.push(entry.timestamp);
    }
    let inNs = at.get(entry.namespace);
    if (inNs === undefined) {
      inNs = new Map();
      at.set(entry.namespace, inNs);
    } else if (inNs.has(entry.key)) {
      return false;
    }
    inNs.set(entry.key, entry);
    this.count++;
    return true;
  }

  remove(timestamp: number, key: unknown, namespace: Namespace): void {
    const at = this.byTime.get(timestamp);
    const inNs = at?.get(namespace);
    if (inNs === undefined || !inNs.delete(key)) return;
    this.count--;
    if (inNs.size === 0) {
      (at as Map<Namespace, Map<unknown, TimerEntry>>).delete(namespace);
      if ((at as Map<Namespace, unknown>).size === 0) this.byTime.delete(timestamp);
    }
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
  pollUpTo(upTo: number): Map<Namespace, Map<unknown, TimerEntry>> | undefined {
    const t = this.peek();
    if (t === undefined || t > upTo) return undefined;
    this.heap.pop();
    const at = this.byTime.get(t);
    this.byTime.delete(t);
    if (at !== undefined) for (const inNs of at.values()) this.count -= inNs.size;
    return at;
  }

  all(): TimerEntry[] {
    const out: TimerEntry[] = [];
    for (const at of this.byTime.values())
      for (const inNs of at.values()) for (const e of inNs.values()) out.push(e);
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

  private entry(timestamp: number): TimerEntry {
    return {
      key: this.backend.currentKey,
      rawKey: this.backend.currentRawKey,
      namespace: this.namespace,
      timestamp,
    };
  }

  registerEventTimeTimer(timestamp: number): void {
    this.eventTime.add(this.entry(timestamp));
  }

  deleteEventTimeTimer(timestamp: number): void {
    this.eventTime.remove(timestamp, this.backend.currentKey, this.namespace);
  }

  registerProcessingTimeTimer(timestamp: number): void {
    if (this.processingTime.add(this.entry(timestamp)) && timestamp < this.scheduledAt)
      this.schedule(timestamp);
  }

  deleteProcessingTimeTimer(timestamp: number): void {
    this.processingTime.remove(timestamp, this.backend.currentKey, this.namespace);
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
    // Under its normalized key, as a registration files it: a restored timer must be the one a
    // record of its window registers again (not a second timer) and the one its purge deletes.
    for (const e of timers.eventTime) this.eventTime.add(e);
    for (const e of timers.processingTime) this.processingTime.add(e);
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
      for (const inNs of due.values()) {
        for (const timer of inNs.values()) {
          backend.setCurrentKeyNormalized(timer.key, timer.rawKey);
          backend.setCurrentNamespace(timer.namespace);
          this.namespace = timer.namespace;
          this.onTimer(timer, domain);
        }
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
