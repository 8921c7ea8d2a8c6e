/**
 * Busy, idle and backpressured time of subtasks (Flink's `busyTimeMsPerSecond`,
 * `idleTimeMsPerSecond`, `backPressuredTimeMsPerSecond`) and the per-vertex backpressure level.
 *
 * All subtasks of a thread share one {@link busyClock}: entering a subtask (a source step, a batch
 * or watermark arriving at a gate) charges the time since the last transition to the subtask that
 * was running, so nested synchronous calls (a map called by its source) count as *exclusive* time
 * of each operator. Two `performance.now()` calls per batch, nothing per record.
 *
 * @module
 */

/** Time accounting of one subtask. */
export class TaskTimes {
  /** Milliseconds spent running this subtask's code (exclusive of downstream operators). */
  busyMs = 0;
  /** Milliseconds this subtask waited for downstream capacity (credits, sink flushes). */
  backPressuredMs = 0;
  /** Busy ms per second over the last tick interval. */
  busyPerSecond = 0;
  /** Idle ms per second over the last tick interval. */
  idlePerSecond = 0;
  /** Backpressured ms per second over the last tick interval. */
  backPressuredPerSecond = 0;
  /**
   * This subtask's number in its thread, published with the heartbeat so that another thread can
   * name a subtask stuck in a call (-1: not numbered; see `slot-worker.ts`).
   */
  id = -1;
  /** The operator whose subtask this is (its plan node id; -1: unknown). */
  operatorId = -1;
  /** The subtask index. */
  subtask = 0;
  /** The subtask count of the operator. */
  parallelism = 1;
  /**
   * The operators whose time is charged here, first the subtask's own, then those fused into its
   * calls (Flink names a chained task the same way: "Source: gen -> spin").
   */
  readonly chain: string[] = [];
  private lastAt: number;
  private lastBusy = 0;
  private lastBackPressured = 0;

  constructor(now = performance.now()) {
    this.lastAt = now;
  }

  /** Computes the per-second values since the previous tick. */
  tick(now = performance.now()): void {
    const dt = now - this.lastAt;
    if (dt <= 0) return;
    const busy = Math.min(1000, ((this.busyMs - this.lastBusy) * 1000) / dt);
    const bp = Math.min(1000 - busy, ((this.backPressuredMs - this.lastBackPressured) * 1000) / dt);
    this.busyPerSecond = Math.round(busy);
    this.backPressuredPerSecond = Math.round(bp);
    this.idlePerSecond = Math.max(0, 1000 - this.busyPerSecond - this.backPressuredPerSecond);
    this.lastAt = now;
    this.lastBusy = this.busyMs;
    this.lastBackPressured = this.backPressuredMs;
  }

  /** The task as errors name it: its operator chain and subtask, e.g. `"gen -> spin" (subtask 2 of 2)`. */
  describe(): string {
    return `"${this.chain.join(' -> ')}" (subtask ${this.subtask + 1} of ${this.parallelism})`;
  }
}

/** Backpressure level of a vertex, from the share of time its subtasks were backpressured. */
export type BackPressureLevel = 'OK' | 'LOW' | 'HIGH';

/** Flink's thresholds: OK below 10 %, LOW below 50 %, HIGH from 50 % of the time. */
export function backPressureLevel(ratio: number): BackPressureLevel {
  return ratio < 0.1 ? 'OK' : ratio < 0.5 ? 'LOW' : 'HIGH';
}

/** The numeric form of a level for gauges: 0 OK, 1 LOW, 2 HIGH. */
export function backPressureLevelValue(level: BackPressureLevel): number {
  return level === 'OK' ? 0 : level === 'LOW' ? 1 : 2;
}

/** The running-subtask clock of this thread (see the module comment). */
class BusyClock {
  private current: TaskTimes | undefined;
  private mark = 0;
  private readonly stack: (TaskTimes | undefined)[] = [];
  /**
   * Shared with the coordinator's thread: `[0]` when the outermost running call started (0:
   * none), `[1]` the {@link TaskTimes.id} of the subtask running now (-1: none).
   */
  private heartbeat: Float64Array | undefined;

  /**
   * Publishes, in `heartbeat[0]`, the epoch milliseconds at which the thread's outermost call
   * into a subtask started (0 while none runs), and in `heartbeat[1]` which subtask runs, so
   * another thread can see — and name — a call that never returns (a stuck user function)
   * although this thread cannot report anything. Two typed-array stores per call, none per record.
   */
  publish(heartbeat: Float64Array): void {
    this.heartbeat = heartbeat;
  }

  /** `times` starts running (the running one, if any, is suspended). */
  enter(times: TaskTimes): void {
    const now = performance.now();
    const c = this.current;
    if (c !== undefined) c.busyMs += now - this.mark;
    else if (this.heartbeat !== undefined) this.heartbeat[0] = performance.timeOrigin + now;
    this.stack.push(c);
    this.current = times;
    this.mark = now;
    if (this.heartbeat !== undefined) this.heartbeat[1] = times.id;
  }

  /** The running subtask returns to its caller. */
  exit(): void {
    const now = performance.now();
    const c = this.current;
    if (c !== undefined) c.busyMs += now - this.mark;
    const back = this.stack.pop();
    this.current = back;
    this.mark = now;
    if (this.heartbeat !== undefined) {
      this.heartbeat[1] = back === undefined ? -1 : back.id;
      if (back === undefined) this.heartbeat[0] = 0;
    }
  }
}

/** The busy clock of this thread. */
export const busyClock = new BusyClock();
