/**
 * The async I/O operator (Flink's `AsyncWaitOperator`): starts one request per record, keeps up
 * to `capacity` in flight, emits results in order or as they arrive without letting watermarks
 * overtake records, times requests out on the processing-time clock, retries with backoff, and
 * sends failures to the `ASYNC_FAILURES` side output.
 *
 * Results arrive outside a batch, so they are emitted through `setup.runAction` (coalesced per
 * microtask turn). A full queue registers a blocker so the sources wait; the end of input waits
 * until every queued record is emitted.
 *
 * @module
 */
import { ASYNC_FAILURES_TAG_ID, type AsyncFailure } from '../../core/async-failure.ts';
import type { AsyncWaitConfig } from '../../core/async-wait-options.ts';
import type { Context } from '../../core/functions/context.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { Counter, Histogram } from '../../core/metric-group.ts';
import { ArrayDeque } from '../../util/array-deque.ts';
import { AsyncEntry, DONE, EMITTED, RUNNING } from '../async/async-entry.ts';
import { OrderedStreamElementQueue } from '../async/ordered-stream-element-queue.ts';
import type { QueueOutput, StreamElementQueue } from '../async/stream-element-queue.ts';
import { UnorderedStreamElementQueue } from '../async/unordered-stream-element-queue.ts';
import type { Emitter } from '../emitter.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import { UdfOperator } from './udf-operator.ts';

type AsyncCall = (value: unknown, ctx: Context<unknown>) => unknown;
type TimeoutCall = ((value: unknown, ctx: Context<unknown>) => unknown) | undefined;

/** A record in flight or queued, as stored in a checkpoint (re-issued on restore). */
export interface AsyncWaitStateEntry {
  readonly value: unknown;
  readonly timestamp: number;
}

interface Waiter {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

export class AsyncWaitOperator extends UdfOperator<'async-wait'> implements QueueOutput {
  private readonly config: AsyncWaitConfig;
  private readonly call: AsyncCall;
  private readonly onTimeoutCall: TimeoutCall;
  private readonly retryOnError: ((error: unknown, attempt: number) => boolean) | undefined;
  private readonly retryOnResult: ((result: unknown, attempt: number) => boolean) | undefined;
  private readonly queue: StreamElementQueue;
  /** Records that arrived while the capacity was full, in arrival order. */
  private readonly waiting = new ArrayDeque<AsyncEntry>();
  /** Started records in start order (= arrival order), for timeouts and snapshots. */
  private readonly started = new ArrayDeque<AsyncEntry>();
  private readonly deadLetters: Emitter | undefined;
  /** Started and not yet emitted (what `capacity` bounds). */
  private running = 0;
  private draining = false;
  private dirty = false;
  private drainScheduled = false;
  private timerAt = Number.POSITIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;
  private capacityWaiter: Waiter | undefined;
  private endWaiter: Waiter | undefined;
  private restored: AsyncWaitStateEntry[] = [];
  private closed = false;
  /** Set while a request is being started (to isolate a synchronous throw). */
  private starting: AsyncEntry | undefined;

  private readonly latency: Histogram;
  private readonly timeouts: Counter;
  private readonly retries: Counter;
  private readonly failures: Counter;

  private readonly drainAction = (): void => {
    this.drain();
    this.flushOutputs();
  };
  private readonly drainTask = (): void => {
    this.drainScheduled = false;
    if (!this.closed) this.setup.runAction(this.drainAction);
  };
  /** The deadline the last timer was scheduled for (see {@link onTimeoutTimer}). */
  private firedAt = Number.NEGATIVE_INFINITY;
  private readonly timerAction = (): void => {
    this.onTimeoutTimer();
    this.drain();
    this.flushOutputs();
  };
  private readonly timerFired = (): void => {
    this.cancelTimer = undefined;
    this.firedAt = this.timerAt;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (!this.closed) this.setup.runAction(this.timerAction);
  };

  constructor(setup: OperatorSetup<'async-wait'>) {
    super(setup);
    this.config = setup.node.config;
    const options = setup.binding.settings.options;
    const fn = this.fn;
    if (typeof fn === 'function') {
      this.call = fn;
      this.onTimeoutCall = options.onTimeout;
    } else {
      this.call = (v, c) => fn.asyncInvoke(v, c);
      this.onTimeoutCall =
        typeof fn.timeout === 'function'
          ? (v, c) => (fn.timeout as (v: unknown, c: Context<unknown>) => unknown)(v, c)
          : options.onTimeout;
    }
    this.retryOnError = options.retry?.retryOnError;
    this.retryOnResult = options.retry?.retryOnResult;
    this.queue =
      this.config.mode === 'ordered'
        ? new OrderedStreamElementQueue()
        : new UnorderedStreamElementQueue();
    this.deadLetters = setup.sideOutputs.get(ASYNC_FAILURES_TAG_ID);
    const m = setup.metrics;
    m.gauge('async_in_flight', () => this.running, 'requests started and not yet emitted');
    m.gauge('async_queue_size', () => this.queue.size, 'records in the async operator');
    this.latency = m.histogram('async_latency_ms', 'time from request start to result (ms)');
    this.timeouts = m.counter('async_timeouts', 'requests that timed out');
    this.retries = m.counter('async_retries', 'retried requests');
    this.failures = m.counter(
      'async_failures',
      'records sent to the async dead-letter output (failed or timed out)',
    );
    setup.signal.addEventListener('abort', () => this.release(), { once: true });
  }

  /** Records started and not yet emitted. */
  get inFlight(): number {
    return this.running;
  }

  /** Records in the operator (in flight, done and waiting for their turn, or not started). */
  get queued(): number {
    return this.queue.size;
  }

  override open(): void | Promise<void> {
    const r = super.open();
    if (r instanceof Promise) return r.then(() => this.reissue());
    this.reissue();
  }

  processBatch(batch: RecordBatch): void {
    const { values, timestamps, size } = batch;
    const queue = this.queue;
    const waiting = this.waiting;
    for (let i = 0; i < size; i++) {
      const e = new AsyncEntry(values[i], timestamps[i] as number);
      queue.add(e);
      waiting.push(e);
    }
    this.drain();
    this.flushOutputs();
    this.checkCapacity();
  }

  override processWatermark(watermark: number): void {
    if (this.queue.addWatermark(watermark)) super.processWatermark(watermark);
  }

  override endInput(): void {
    if (this.queue.size === 0 || this.setup.signal.aborted) {
      super.endInput();
      return;
    }
    if (this.endWaiter === undefined) {
      this.endWaiter = waiter();
      this.setup.addBlocker(this.endWaiter.promise);
    }
  }

  /** The records not yet emitted, in arrival order: a restore issues their requests again. */
  override snapshotOperatorState(_checkpointId?: number): readonly AsyncWaitStateEntry[] {
    const out: AsyncWaitStateEntry[] = [];
    for (const e of this.started) {
      if (e.state === RUNNING || e.state === DONE) {
        out.push({ value: e.value, timestamp: e.timestamp });
      }
    }
    for (const e of this.waiting) out.push({ value: e.value, timestamp: e.timestamp });
    return out;
  }

  /** Takes the records of a snapshot; their requests start when the operator opens. */
  override restoreOperatorState(entries: readonly unknown[]): void {
    for (const e of entries) this.restored.push(e as AsyncWaitStateEntry);
  }

  override async close(): Promise<void> {
    this.closed = true;
    this.release();
    for (const e of this.started) e.cancelRetry?.();
    await super.close();
  }

  // QueueOutput: called by the queue's drain.

  /** @internal */
  emitEntry(e: AsyncEntry): void {
    e.state = EMITTED;
    this.running--;
    const result = e.result;
    e.result = undefined;
    if (e.failed) {
      this.failures.inc();
      this.deadLetters?.collectWithTimestamp(result, e.timestamp);
    } else {
      this.out.collectWithTimestamp(result, e.timestamp);
    }
  }

  /** @internal */
  emitWatermark(watermark: number): void {
    super.processWatermark(watermark);
  }

  // Internals.

  private reissue(): void {
    if (this.restored.length === 0) return;
    const restored = this.restored;
    this.restored = [];
    for (const r of restored) {
      const e = new AsyncEntry(r.value, r.timestamp);
      this.queue.add(e);
      this.waiting.push(e);
    }
    this.drain();
    this.flushOutputs();
    this.checkCapacity();
  }

  /** Emits what may be emitted and starts waiting records while slots are free. */
  private drain(): void {
    if (this.draining) {
      this.dirty = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.dirty = false;
        this.queue.drain(this);
        this.startWaiting();
      } while (this.dirty);
    } finally {
      this.draining = false;
    }
    // Forget emitted records at the head of the start order (the timeout timer skips them anyway).
    const started = this.started;
    while (started.peek()?.state === EMITTED) started.shift();
    const cw = this.capacityWaiter;
    if (cw !== undefined && this.queue.size < this.config.capacity) {
      this.capacityWaiter = undefined;
      cw.resolve();
    }
    if (this.endWaiter !== undefined && this.queue.size === 0) {
      const ew = this.endWaiter;
      this.endWaiter = undefined;
      super.endInput();
      ew.resolve();
    }
  }

  /** Registers a blocker while the queue is at capacity, so the sources wait. */
  private checkCapacity(): void {
    if (this.queue.size < this.config.capacity || this.setup.signal.aborted) return;
    if (this.capacityWaiter === undefined) this.capacityWaiter = waiter();
    this.setup.addBlocker(this.capacityWaiter.promise);
  }

  private startWaiting(): void {
    const capacity = this.config.capacity;
    const waiting = this.waiting;
    if (waiting.size === 0 || this.running >= capacity) return;
    const now = this.setup.clock.now();
    const timeoutMs = this.config.timeoutMs;
    // One try per batch of starts; a synchronous throw is isolated to its record.
    for (;;) {
      try {
        while (waiting.size > 0 && this.running < capacity) {
          const e = waiting.shift() as AsyncEntry;
          e.state = RUNNING;
          e.startedAt = now;
          e.deadline = now + timeoutMs;
          this.running++;
          this.started.push(e);
          this.starting = e;
          this.invoke(e);
        }
        this.starting = undefined;
        break;
      } catch (err) {
        const e = this.starting as AsyncEntry;
        this.starting = undefined;
        this.settle(e, e.attempt, false, err);
      }
    }
    if (this.timerAt === Number.POSITIVE_INFINITY) this.scheduleTimer();
  }

  private invoke(e: AsyncEntry): void {
    const attempt = ++e.attempt;
    this.ctx.currentTimestamp = e.timestamp;
    const r = this.call(e.value, this.ctx);
    if (isThenable(r)) {
      r.then(
        (v) => this.settle(e, attempt, true, v),
        (err: unknown) => this.settle(e, attempt, false, err),
      );
    } else {
      this.settle(e, attempt, true, r);
    }
  }

  /** The outcome of one attempt: retry, or complete the record. */
  private settle(e: AsyncEntry, attempt: number, ok: boolean, v: unknown): void {
    if (e.state !== RUNNING || e.attempt !== attempt || this.closed) return;
    try {
      const retry = this.config.retry;
      if (retry !== undefined && attempt < retry.maxAttempts) {
        const again = ok
          ? this.retryOnResult !== undefined && this.retryOnResult(v, attempt)
          : this.retryOnError === undefined || this.retryOnError(v, attempt);
        if (again) {
          this.scheduleRetry(e, attempt);
          return;
        }
      }
      if (ok) this.complete(e, v, false);
      else this.fail(e, v, 'error');
    } catch (err) {
      this.setup.runAction(() => {
        throw this.wrapFailure(err);
      });
    }
  }

  private scheduleRetry(e: AsyncEntry, attempt: number): void {
    const r = this.config.retry;
    if (r === undefined) return;
    this.retries.inc();
    const delay = Math.min(r.maxDelayMs, r.delayMs * Math.pow(r.multiplier, attempt - 1));
    const clock = this.setup.clock;
    e.cancelRetry = clock.schedule(clock.now() + delay, () => {
      e.cancelRetry = undefined;
      if (e.state !== RUNNING || this.closed) return;
      this.setup.runAction(() => {
        this.starting = e;
        try {
          this.invoke(e);
        } catch (err) {
          this.settle(e, e.attempt, false, err);
        } finally {
          this.starting = undefined;
        }
        this.drain();
        this.flushOutputs();
      });
    });
  }

  private complete(e: AsyncEntry, result: unknown, failed: boolean): void {
    e.state = DONE;
    e.result = result;
    e.failed = failed;
    e.cancelRetry?.();
    e.cancelRetry = undefined;
    this.latency.observe(this.setup.clock.now() - e.startedAt);
    this.queue.completed(e);
    if (this.draining) this.dirty = true;
    else if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(this.drainTask);
    }
  }

  private fail(e: AsyncEntry, error: unknown, reason: 'timeout' | 'error'): void {
    const wrapped =
      reason === 'timeout'
        ? new EddyError(`async request timed out after ${this.config.timeoutMs} ms`, {
            code: 'TIMEOUT',
            domain: 'external',
            retryable: true,
            operator: this.ref,
            hint: 'raise the timeout, add retries, or handle timeouts with onTimeout / timeout()',
          })
        : this.wrapFailure(error);
    if (this.config.onFailure === 'fail-job') {
      e.state = DONE;
      this.setup.runAction(() => {
        throw wrapped;
      });
      return;
    }
    const failure: AsyncFailure = {
      value: e.value,
      timestamp: e.timestamp === e.timestamp ? e.timestamp : undefined,
      reason,
      error: wrapped,
      attempts: e.attempt,
    };
    this.complete(e, failure, true);
  }

  /** Times out every running record whose deadline has passed. */
  private onTimeoutTimer(): void {
    // At least the deadline the timer was set for: a wall clock that went back since must not
    // put the timeout off by the size of the jump.
    const now = Math.max(this.setup.clock.now(), this.firedAt);
    const started = this.started;
    for (;;) {
      const e = started.peek();
      if (e === undefined) break;
      if (e.state !== RUNNING) {
        started.shift();
        continue;
      }
      if (e.deadline > now) break;
      started.shift();
      this.timeouts.inc();
      e.cancelRetry?.();
      e.cancelRetry = undefined;
      const handler = this.onTimeoutCall;
      if (handler === undefined) {
        this.fail(e, undefined, 'timeout');
        continue;
      }
      this.ctx.currentTimestamp = e.timestamp;
      let result: unknown;
      try {
        result = handler(e.value, this.ctx);
      } catch (err) {
        this.fail(e, err, 'error');
        continue;
      }
      this.complete(e, result, false);
    }
    this.scheduleTimer();
  }

  /** Schedules the timeout timer for the oldest running record. */
  private scheduleTimer(): void {
    const started = this.started;
    let e = started.peek();
    while (e !== undefined && e.state !== RUNNING) {
      started.shift();
      e = started.peek();
    }
    if (e === undefined || this.closed) return;
    if (e.deadline >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = e.deadline;
    this.cancelTimer = this.setup.clock.schedule(e.deadline, this.timerFired);
  }

  /** Lets the sources and the end of the job go on (cancel, failure, close). */
  private release(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const cw = this.capacityWaiter;
    this.capacityWaiter = undefined;
    cw?.resolve();
    const ew = this.endWaiter;
    this.endWaiter = undefined;
    ew?.resolve();
  }
}
