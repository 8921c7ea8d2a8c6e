/**
 * The coordinator of a job run on worker threads: one thread per slot (the job's largest operator
 * parallelism), each running subtask `slot` of every operator. It wires a message port between
 * every pair of slots, collects the workers' metrics, results and failures, and ends the job
 * when every slot finished (or fails it on the first failure).
 *
 * @module
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { CpuProfile, CpuProfileOptions } from '../../core/cpu-profile.ts';
import type { JobExecutionResult } from '../../core/job-client.ts';
import { EddyError, toEddyError } from '../../errors/eddy-error.ts';
import { toMillis } from '../../util/duration.ts';
import type { MeterValue, MetricSample } from '../../core/metric-sample.ts';
import type { JobGraph } from '../../plan/plan.ts';
import { registerVertexBackPressureLevel } from '../built-in-metrics.ts';
import { planFingerprint } from './plan-fingerprint.ts';
import type { SlotCommand, SlotReport, SlotTask, SlotWorkerData } from './slot-protocol.ts';
import { fromWorkerError } from './worker-error.ts';
import { slotHeapLimitMb, startSlotWorker } from './slot-worker-thread.ts';
import {
  keepsFinishedSlotWorkers,
  returnSlotWorker,
  takeWarmSlotWorker,
} from './warm-slot-workers.ts';
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.ts';
import {
  CheckpointCoordinator,
  type CheckpointHost,
} from '../checkpoint/checkpoint-coordinator.ts';
import type { OperatorStateDistribution } from '../checkpoint/checkpoint-metadata.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import {
  coordinatorOptions,
  localCheckpointContext,
  registerCheckpointMetrics,
  type CheckpointContext,
} from '../checkpoint/job-checkpointing.ts';
import { openCheckpointStore } from '../checkpoint/open-checkpoint-store.ts';
import type { AttemptCheckpointStats, JobAttempt } from '../recovery/job-attempt.ts';
import { AttemptBase, type OperatorTotals } from '../recovery/attempt-base.ts';

/** Where the job module of a threaded job comes from. */
export interface ThreadedLaunch {
  readonly jobUrl: string;
  /** The module that rebuilds the job in a worker (see `LaunchContext.jobModuleRunner`). */
  readonly jobModuleRunner: string;
  readonly jobIndex: number;
  readonly defaults: EnvironmentOptions;
}

/** A slot in one call this long is reported as stuck. */
const STUCK_WARNING_MS = 30_000;

/**
 * A slot in one call this long shows its running subtask 100 % busy: it cannot post metrics
 * itself, and its last samples would show the time before it got stuck.
 */
const STUCK_BUSY_MS = 1500;

/** The per-second time gauges of a subtask (see `task-times.ts`). */
const TIME_GAUGES = new Set([
  'busyTimeMsPerSecond',
  'idleTimeMsPerSecond',
  'backPressuredTimeMsPerSecond',
]);

/** The failure of a slot that ran out of heap, naming the limit and how to raise it. */
export function outOfMemoryError(slot: number, limitMb: number, cause: unknown): EddyError {
  return new EddyError(
    `slot ${slot} ran out of JavaScript heap memory (its limit is ${limitMb} MiB); its worker ` +
      'thread was terminated',
    {
      code: 'OUT_OF_MEMORY',
      domain: 'user',
      // The same records and state would fill the same heap again: restarting cannot help.
      retryable: false,
      cause,
      hint:
        `raise the limit with NODE_OPTIONS=--max-old-space-size=<MiB> (now ${limitMb}; each slot ` +
        "gets that much), keep large state off the heap (stateBackend: 'lmdb', --state-backend " +
        'lmdb), or find what grows without bound (a collection in a user function, a window ' +
        'that never fires, state without TTL)',
    },
  );
}

/** Number of slots a job needs: its largest operator parallelism. */
export function slotsOf(graph: JobGraph): number {
  let n = 1;
  for (const node of graph.plan.nodes) n = Math.max(n, node.parallelism);
  return n;
}

/**
 * A job running on worker threads. Checkpoints are coordinated here: the coordinator asks every
 * slot to inject barriers at its sources, barriers cross threads in the channels like records,
 * each subtask's acknowledgement arrives with its serialized state, and the coordinator writes
 * the checkpoint and tells every slot when it is complete (sinks then commit).
 */
export class ThreadedJob extends AttemptBase implements JobAttempt, CheckpointHost {
  private readonly workers: Worker[] = [];
  private readonly latest = new Map<string, number | MeterValue>();
  private readonly samples: (readonly MetricSample[])[] = [];
  private readonly results: (JobExecutionResult | undefined)[] = [];
  private failure: EddyError | undefined;
  private cancelled = false;
  private finished = false;
  private ready = 0;
  private coordinator: CheckpointCoordinator | undefined;
  private readonly distributions = new Map<number, OperatorStateDistribution>();
  private inputsFinished = 0;
  private stopAfterBarrier = false;
  private stopSavepoint: Promise<unknown> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private stuckCheck: ReturnType<typeof setInterval> | undefined;
  /** Profiles asked of the slots, by request id. */
  private readonly profiles = new Map<
    number,
    { resolve(p: CpuProfile): void; reject(e: Error): void }
  >();
  private nextProfileId = 0;
  /** Per slot, shared with its thread: when its running call started (0: none), and which task. */
  private readonly heartbeats: Float64Array[] = [];
  /** Per slot, its subtasks by heartbeat number (known once the slot is ready). */
  private readonly tasks: (readonly SlotTask[])[] = [];
  /** Per slot, removes this job's listeners from its worker (before the worker is reused). */
  private readonly detachers: (() => void)[] = [];

  constructor(
    graph: JobGraph,
    options: EnvironmentOptions,
    private readonly launch: ThreadedLaunch,
    private readonly context: CheckpointContext = localCheckpointContext(),
    readonly attempt = 0,
  ) {
    super(graph, options);
  }

  /** Starts one worker per slot. */
  start(): void {
    const slots = slotsOf(this.graph);
    const fingerprint = planFingerprint(this.graph.plan);
    const ports: (MessagePort | undefined)[][] = Array.from({ length: slots }, () =>
      new Array<MessagePort | undefined>(slots).fill(undefined),
    );
    for (let a = 0; a < slots; a++) {
      for (let b = a + 1; b < slots; b++) {
        const { port1, port2 } = new MessageChannel();
        (ports[a] as (MessagePort | undefined)[])[b] = port1;
        (ports[b] as (MessagePort | undefined)[])[a] = port2;
      }
    }
    const heapMb = slotHeapLimitMb();
    const typescript = this.typescriptJob();
    for (let slot = 0; slot < slots; slot++) {
      const slotPorts = ports[slot] as (MessagePort | undefined)[];
      const heartbeat = new Float64Array(new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT));
      heartbeat[1] = -1;
      this.heartbeats.push(heartbeat);
      this.tasks.push([]);
      const data: SlotWorkerData = {
        heartbeat,
        jobUrl: this.launch.jobUrl,
        jobModuleRunner: this.launch.jobModuleRunner,
        jobIndex: this.launch.jobIndex,
        slot,
        slots,
        fingerprint,
        defaults: this.launch.defaults,
        ports: slotPorts,
        restorePath: this.context.restore?.path,
        objectStorage: this.options.objectStorage,
        attempt: this.attempt,
      };
      const transfer = slotPorts.filter((p): p is MessagePort => p !== undefined);
      // A warm worker (started before the job, see warm-slot-workers.ts) gets its slot now.
      const warm = takeWarmSlotWorker(typescript);
      warm?.postMessage({ type: 'assign', data } satisfies SlotCommand, transfer);
      const worker = warm ?? startSlotWorker(data, transfer);
      this.workers.push(worker);
      this.results.push(undefined);
      this.samples.push([]);
      const onMessage = (r: SlotReport): void => this.onReport(slot, r);
      const onError = (e: Error): void => {
        // Node ends a worker that passes its heap limit and reports it here; the process (and
        // its signal handlers, metrics and checkpoint files) lives on.
        if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY')
          this.fail(outOfMemoryError(slot, heapMb, e));
        else this.fail(toEddyError(e));
      };
      const onExit = (code: number): void => {
        if (!this.finished && code !== 0) {
          this.fail(
            new EddyError(`worker thread of slot ${slot} exited with code ${code}`, {
              code: 'INTERNAL',
              domain: 'internal',
            }),
          );
        }
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      this.detachers.push(() => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      });
    }
    this.startMetrics().catch((e: unknown) => this.fail(e));
    // A slot stuck in one call can report nothing itself (its busy time, its checkpoint
    // acknowledgement): say so once, from here.
    const warned = new Set<number>();
    this.stuckCheck = setInterval(() => {
      const now = performance.timeOrigin + performance.now();
      this.heartbeats.forEach((h, slot) => {
        const since = h[0] as number;
        if (since === 0) warned.delete(slot);
        else if (now - since >= STUCK_BUSY_MS) this.showStuck(slot);
        if (since !== 0 && now - since >= STUCK_WARNING_MS && !warned.has(slot)) {
          warned.add(slot);
          this.context.log(
            `${this.describeStuck(slot, now - since)}: a user function that does not return? ` +
              'Its metrics and checkpoints stall until it does.',
          );
        }
      });
    }, 1000);
    this.stuckCheck.unref();
  }

  /**
   * Asks every slot to stop its sources; in-flight records drain. (A savepoint on stop is the
   * supervisor's: it calls {@link ThreadedJob.stopWithSavepoint}.)
   */
  cancel(): Promise<JobExecutionResult> {
    this.cancelled = true;
    this.broadcast({ type: 'cancel' });
    this.startCancellationWatchdog();
    return this.result;
  }

  /**
   * Flink's task cancellation watchdog: a slot that does not stop within the timeout after a
   * cancel is stuck in code that does not return (a user function in a loop); its thread is
   * terminated — V8 interrupts even a loop — and the job fails saying so, instead of running on
   * until SIGKILL.
   */
  private startCancellationWatchdog(): void {
    if (this.watchdog !== undefined) return;
    const ms = toMillis(this.options.taskCancellationTimeout ?? '30s', 'taskCancellationTimeout');
    this.watchdog = setTimeout(() => {
      if (this.finished) return;
      const stuck = this.stuckSlots();
      this.fail(
        new EddyError(
          `the job did not stop within ${ms} ms after it was cancelled` +
            (stuck.length > 0 ? `: ${stuck.join('; ')}` : '') +
            '; its worker threads were terminated',
          {
            code: 'TIMEOUT',
            domain: 'user',
            retryable: false,
            hint: 'a user function that never returns (an endless loop, a busy wait) blocks its slot: fix it; raise taskCancellationTimeout if stopping legitimately takes longer',
          },
        ),
      );
    }, ms);
    this.watchdog.unref();
  }

  /** Slots busy in one call for more than a second, described for errors and logs. */
  private stuckSlots(): string[] {
    const out: string[] = [];
    const now = performance.timeOrigin + performance.now();
    this.heartbeats.forEach((h, slot) => {
      const since = h[0] as number;
      if (since > 0 && now - since > 1000) out.push(this.describeStuck(slot, now - since));
    });
    return out;
  }

  /** `slot 1 has been in one call for 12 s, in "gen -> spin" (subtask 2 of 2)`. */
  private describeStuck(slot: number, ms: number): string {
    const task = this.runningTask(slot);
    return (
      `slot ${slot} has been in one call for ${Math.round(ms / 1000)} s` +
      (task !== undefined ? `, in ${task.description}` : '')
    );
  }

  /** The subtask slot `slot` is running now, if it runs one and has said which. */
  private runningTask(slot: number): SlotTask | undefined {
    const id = this.heartbeats[slot]?.[1] ?? -1;
    return id < 0 ? undefined : this.tasks[slot]?.[id];
  }

  /**
   * A stuck slot posts no metrics: show its running subtask 100 % busy (as Flink shows a task in
   * an endless loop) instead of what it reported before it got stuck. Its next samples replace this.
   */
  private showStuck(slot: number): void {
    const task = this.runningTask(slot);
    if (task === undefined) return;
    // The slot may have got stuck before it posted any sample: the gauges are made here then.
    const key = JSON.stringify(task.labels);
    const others = (this.samples[slot] ?? []).filter(
      (s) => !TIME_GAUGES.has(s.name) || JSON.stringify(s.labels) !== key,
    );
    const stuck: MetricSample[] = [...TIME_GAUGES].map((name) => ({
      name,
      type: 'gauge',
      labels: task.labels,
      value: name === 'busyTimeMsPerSecond' ? 1000 : 0,
    }));
    this.ingest(slot, [...others, ...stuck]);
  }

  /** @internal CheckpointHost: slots stuck in one call (their subtasks cannot acknowledge). */
  describeStuckTasks(): string[] {
    return this.stuckSlots();
  }

  /** Slot `subtask` runs subtask `subtask` of every operator: its thread is sampled. */
  profileSubtask(subtask: number, o: CpuProfileOptions): Promise<CpuProfile> {
    const worker = this.workers[subtask];
    if (worker === undefined) {
      return Promise.reject(
        new EddyError(`the job has no subtask ${subtask} (it runs ${this.workers.length} slots)`, {
          code: 'NOT_FOUND',
          domain: 'user',
          hint: "pick a subtask index below the operator's parallelism",
        }),
      );
    }
    const id = ++this.nextProfileId;
    return new Promise<CpuProfile>((resolve, reject) => {
      this.profiles.set(id, { resolve, reject });
      // Only the options: a caller's object may carry an `id` of its own (the host's request).
      const command: SlotCommand = {
        type: 'profile',
        id,
        durationMs: o.durationMs,
        intervalUs: o.intervalUs,
      };
      worker.postMessage(command);
    });
  }

  /** Every subtask's latest metrics (plus the vertex backpressure levels). */
  metrics(): readonly MetricSample[] {
    return this.samples.flat();
  }

  checkpointStats(): AttemptCheckpointStats | undefined {
    return this.coordinator?.stats();
  }

  /** Takes a savepoint into `dir` while the job goes on; resolves with its path. */
  async triggerSavepoint(dir: string): Promise<string> {
    await this.running;
    const c = this.requireCoordinator();
    return (await c.triggerSavepoint(await this.savepointStore(dir), false)).path;
  }

  /** Takes a savepoint into `dir`, stops the sources right after its barrier, ends the job. */
  async stopWithSavepoint(dir: string): Promise<string> {
    await this.running;
    const c = this.requireCoordinator();
    const store = await this.savepointStore(dir);
    this.cancelled = true;
    this.stopAfterBarrier = true;
    const p = c.stopWithSavepoint(store);
    this.stopSavepoint = p.catch(() => {});
    let path: string;
    try {
      path = (await p).path;
    } catch (e) {
      // The sources read nothing after the barrier; now they read on: a failed
      // stop-with-savepoint leaves the job running, as Flink's does.
      if (!this.finished && this.failure === undefined) {
        this.cancelled = false;
        this.stopAfterBarrier = false;
        this.broadcast({ type: 'settle-stop', stop: false });
      }
      throw e;
    }
    this.startCancellationWatchdog();
    this.broadcast({ type: 'settle-stop', stop: true });
    return path;
  }

  private savepointStore(dir: string): Promise<CheckpointStore> {
    return openCheckpointStore(dir, {
      objectStorage: this.options.objectStorage,
      log: this.context.log,
    });
  }

  /** @internal CheckpointHost: every slot injects the barrier at its sources. */
  injectBarrier(barrier: CheckpointBarrier): void {
    const stopAfter = this.stopAfterBarrier && barrier.savepoint;
    this.broadcast({ type: 'inject-barrier', barrier, stopAfter });
  }

  /** @internal CheckpointHost: every slot's sinks may commit. */
  notifyComplete(checkpointId: number): void {
    this.broadcast({ type: 'checkpoint-complete', checkpointId });
  }

  /** @internal CheckpointHost. */
  log(message: string): void {
    this.context.log(message);
  }

  /** @internal CheckpointHost: too many checkpoints failed in a row. */
  failJob(error: EddyError): void {
    this.fail(error);
  }

  private requireCoordinator(): CheckpointCoordinator {
    if (this.coordinator === undefined) throw new Error('the job has not started yet');
    return this.coordinator;
  }

  /** Every slot is open: the coordinator can lay out the job's operators. */
  private createCoordinator(): void {
    const c = new CheckpointCoordinator(
      coordinatorOptions(
        this.graph.plan,
        this.options,
        this.context,
        (id) => this.distributions.get(id) ?? 'split',
      ),
      this,
    );
    this.coordinator = c;
    registerCheckpointMetrics(this.registry, { job: this.jobName }, c);
  }

  /**
   * Every slot finished its input: take the final checkpoint (its completion commits what the
   * sinks wrote since the last one), then let the slots end.
   */
  private async finalCheckpoint(): Promise<void> {
    // A stop-with-savepoint ends the input: its completion (and the commits it triggers in the
    // slots) comes first.
    if (this.stopSavepoint !== undefined) await this.stopSavepoint;
    const c = this.coordinator;
    if (this.failure === undefined && !this.cancelled && c?.periodicEnabled === true) {
      try {
        await c.triggerFinalCheckpoint();
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    this.broadcast({ type: 'final-checkpoint-done' });
  }

  private broadcast(c: SlotCommand): void {
    for (const w of this.workers) w.postMessage(c);
  }

  private onReport(slot: number, r: SlotReport): void {
    switch (r.type) {
      case 'ready':
        for (const [id, d] of Object.entries(r.distributions))
          this.distributions.set(Number(id), d);
        this.tasks[slot] = r.tasks;
        if (++this.ready === this.workers.length) {
          try {
            this.createCoordinator();
          } catch (e) {
            this.fail(e);
            return;
          }
          this.markRunning();
          // A stop that came while the slots were restoring reached no job there: repeat it.
          if (this.cancelled && !this.stopAfterBarrier) this.broadcast({ type: 'cancel' });
          this.broadcast({ type: 'start' });
          this.coordinator?.start();
        }
        break;
      case 'ack':
        this.coordinator?.acknowledge(r.checkpointId, {
          nodeId: r.nodeId,
          index: r.index,
          encoded: {
            data: r.data,
            states: r.states,
            ...(r.shared !== undefined ? { shared: r.shared } : {}),
            ...(r.syncMs !== undefined ? { syncMs: r.syncMs } : {}),
          },
          keyGroups: r.keyGroups,
          alignmentMs: r.alignmentMs,
        });
        break;
      case 'decline':
        this.coordinator?.decline(r.checkpointId, r.reason, r.counts);
        break;
      case 'input-finished':
        if (++this.inputsFinished === this.workers.length) void this.finalCheckpoint();
        break;
      case 'metrics':
        this.ingest(slot, r.samples);
        break;
      case 'done':
        this.ingest(slot, r.samples);
        this.results[slot] = r.result;
        if (this.results.every((x) => x !== undefined)) this.finish();
        break;
      case 'failed':
        this.fail(fromWorkerError(r.error, slot));
        break;
      case 'profile': {
        const waiter = this.profiles.get(r.id);
        this.profiles.delete(r.id);
        if (r.profile !== undefined) waiter?.resolve(r.profile);
        else
          waiter?.reject(
            r.error === undefined
              ? new Error(`slot ${slot} took no profile`)
              : fromWorkerError(r.error, slot),
          );
        break;
      }
    }
  }

  /** Keeps a slot's samples and mirrors new metrics into the coordinator's registry. */
  private ingest(slot: number, samples: readonly MetricSample[]): void {
    this.samples[slot] = samples;
    for (const s of samples) {
      if (s.type === 'histogram') continue;
      const id = `${s.name}${JSON.stringify(s.labels)}`;
      const known = this.latest.has(id);
      this.latest.set(id, s.value as number | MeterValue);
      if (known) continue;
      const read = (): number => {
        const v = this.latest.get(id);
        return typeof v === 'number' ? v : (v?.count ?? 0);
      };
      if (s.type === 'counter') this.registry.derivedCounter(s.name, s.name, s.labels, read);
      else if (s.type === 'gauge') this.registry.derivedGauge(s.name, s.name, s.labels, read);
      else this.registry.derivedMeter(s.name, s.name, s.labels, read);
      if (s.name === 'backPressuredTimeMsPerSecond') this.addVertexLevel(s);
    }
  }

  /** The per-vertex backpressure level: the most backpressured subtask over all slots. */
  private addVertexLevel(sample: MetricSample): void {
    const operatorId = sample.labels['operator_id'] ?? '';
    const labels = {
      job: sample.labels['job'] ?? this.jobName,
      operator: sample.labels['operator'] ?? '',
      operator_id: operatorId,
    };
    registerVertexBackPressureLevel(this.registry, labels, () => {
      let max = 0;
      for (const list of this.samples) {
        for (const s of list) {
          if (s.name === 'backPressuredTimeMsPerSecond' && s.labels['operator_id'] === operatorId)
            max = Math.max(max, s.value as number);
        }
      }
      return max;
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const totals = new Map<number, OperatorTotals>();
    for (const r of this.results) {
      for (const op of r?.operators ?? []) {
        const prev = totals.get(op.id);
        totals.set(op.id, {
          id: op.id,
          name: op.name,
          recordsIn: (prev?.recordsIn ?? 0) + op.recordsIn,
          recordsOut: (prev?.recordsOut ?? 0) + op.recordsOut,
          busyMs: (prev?.busyMs ?? 0) + (op.busyMs ?? 0),
          backPressuredMs: Math.max(prev?.backPressuredMs ?? 0, op.backPressuredMs ?? 0),
        });
      }
    }
    const canceled = this.cancelled || this.results.some((r) => r?.status === 'CANCELED');
    const result = this.summary(canceled ? 'CANCELED' : 'FINISHED', totals.values());
    // Resolve once the threads ended, so everything they printed is out before the summary.
    // Only threads that finished their job cleanly are kept for another (a cancelled one may
    // have been stuck in user code).
    void this.shutdown(false, !canceled).then(() => this.settle({ result }));
  }

  private fail(e: unknown): void {
    if (this.finished || this.failure !== undefined) return;
    this.failure = toEddyError(e);
    this.finished = true;
    const failure = this.failure;
    void this.shutdown(true).then(() => this.settle({ failure }));
  }

  private async shutdown(force: boolean, reusable = false): Promise<void> {
    for (const waiter of this.profiles.values()) waiter.reject(new Error('the job ended'));
    this.profiles.clear();
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    if (this.stuckCheck !== undefined) clearInterval(this.stuckCheck);
    this.coordinator?.stop();
    // The supervisor closes the checkpoint store after this attempt: not under a write.
    const settled = this.coordinator?.settle();
    void this.stopMetrics();
    await this.endWorkers(force, reusable);
    await settled;
  }

  private async endWorkers(force: boolean, reusable: boolean): Promise<void> {
    if (force) {
      await Promise.all(this.workers.map((w) => w.terminate()));
      return;
    }
    if (reusable && keepsFinishedSlotWorkers()) {
      await Promise.all(this.workers.map((w, slot) => this.release(w, slot)));
      return;
    }
    // Workers end by themselves once their ports close, so their stdout drains first.
    this.broadcast({ type: 'close' });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => void w.terminate(), 5000);
            w.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  }

  /** Whether the job module is TypeScript (its workers register tsx). */
  private typescriptJob(): boolean {
    return /\.[cm]?tsx?$/.test(new URL(this.launch.jobUrl).pathname);
  }

  /**
   * Hands a finished slot's worker back to the warm pool for the next job of the process; one
   * that does not answer within 5 s is terminated instead.
   */
  private release(worker: Worker, slot: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        worker.off('message', onReleased);
        void worker.terminate().then(() => resolve());
      }, 5000);
      const onReleased = (r: SlotReport): void => {
        if (r.type !== 'released') return;
        clearTimeout(t);
        worker.off('message', onReleased);
        this.detachers[slot]?.();
        returnSlotWorker(worker, this.typescriptJob());
        resolve();
      };
      worker.on('message', onReleased);
      worker.postMessage({ type: 'release' } satisfies SlotCommand);
    });
  }
}
