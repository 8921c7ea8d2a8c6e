/**
 * Triggers checkpoints, collects the subtasks' acknowledgements, writes the `_metadata` that makes
 * a checkpoint complete, and tells the job when it is complete.
 *
 * Invariants:
 * - At most one checkpoint is in flight. The next one is triggered `checkpointInterval` after the
 *   previous trigger, but never sooner than `minPauseBetweenCheckpoints` after the previous one
 *   ended, so a slow store cannot make checkpoints back up.
 * - Every subtask acknowledges exactly once per checkpoint, with its state already serialized (the
 *   bytes are taken synchronously at the barrier, so the record path may change the live state
 *   right after). Writing those bytes is asynchronous and never blocks the record path.
 * - A checkpoint is complete only when every subtask acknowledged, every state file is durable and
 *   `_metadata` (which holds the files' checksums) has been renamed into place. Only then are sinks
 *   told to commit: a sink never makes visible what a restore could replay.
 * - A checkpoint that times out or whose files fail to write is discarded; its id is never reused.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';
import type { CheckpointBarrier } from './checkpoint-barrier.ts';
import {
  CHECKPOINT_FORMAT_VERSION,
  encodeMetadata,
  sha256,
  type CheckpointMetadata,
  type OperatorLayout,
  type OperatorMetadata,
  type SharedStateFile,
  type StateInfo,
  type SubtaskMetadata,
} from './checkpoint-metadata.ts';
import type { CheckpointRecord } from '../../core/job-status.ts';
import { METADATA_FILE, type CheckpointStore } from './checkpoint-store.ts';
import { writeCompletedRecord } from './completed-checkpoint-record.ts';
import { SHARED_LOCATION, SharedStateRegistry, sharedFilesOf } from './shared-state-registry.ts';

/** Prefix of periodic checkpoint locations: `chk-<id>`. */
export const CHECKPOINT_PREFIX = 'chk-';

/** A subtask's serialized state and the keyed states it holds. */
export interface EncodedState {
  /** The serialized `SubtaskState`. */
  readonly data: Uint8Array;
  readonly states: readonly StateInfo[];
  /** Incremental checkpoints: the subtask's keyed state, as a new file of its chain. */
  readonly shared?: SharedStateWrite;
  /** The synchronous part of the snapshot (at the barrier), ms. */
  readonly syncMs?: number;
}

/** A new file of a subtask's incremental keyed state (ADR 0020). */
export interface SharedStateWrite {
  /** The files of the chain already stored (base first); empty when this file is a base. */
  readonly chain: readonly SharedStateFile[];
  /**
   * Files of this checkpoint the subtask wrote itself before `added` (the parts of a state too
   * large to hold whole), in chain order.
   */
  readonly written?: readonly SharedStateFile[];
  /** The new file (its name in `shared/` starts with the checkpoint id). */
  readonly added: SharedStateFile;
  readonly data: Uint8Array;
}

/** One subtask's acknowledgement of a barrier. */
export interface SubtaskAck {
  readonly nodeId: number;
  readonly index: number;
  /**
   * The state, serialized at the barrier — or, for backends that take a consistent view at the
   * barrier and read it afterwards (LMDB's read transaction), a promise of it.
   */
  readonly encoded: EncodedState | Promise<EncodedState>;
  readonly keyGroups: { readonly start: number; readonly end: number } | undefined;
  readonly alignmentMs: number;
}

/** What the coordinator asks of the job. */
export interface CheckpointHost {
  /** Sends the barrier into the job (sources inject it; finished tasks acknowledge at once). */
  injectBarrier(barrier: CheckpointBarrier): void;
  /** The checkpoint is complete: sinks may commit what they pre-committed up to it. */
  notifyComplete(checkpointId: number): void;
  /** A checkpoint failed (the job goes on). */
  log(message: string): void;
  /** More checkpoints failed in a row than tolerated: the job fails (and may restart). */
  failJob(error: EddyError): void;
  /**
   * Threads stuck in one call, described (`slot 1 has been in one call for 12 s, in …`): a
   * checkpoint that times out names them. Only hosts that can see other threads offer it.
   */
  describeStuckTasks?(): string[];
}

/** Settings of the coordinator. */
export interface CoordinatorOptions {
  /** Store of periodic checkpoints; undefined when only savepoints are possible. */
  readonly store: CheckpointStore | undefined;
  /** Periodic checkpoints every so many ms; undefined: none. */
  readonly intervalMs: number | undefined;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  /**
   * Checkpoint failures in a row the job rides out; one more fails the job (Flink's
   * `execution.checkpointing.tolerable-failed-checkpoints`). Savepoints and checkpoints cut
   * short by the job stopping do not count.
   */
  readonly tolerableFailures: number;
  readonly retained: number;
  readonly jobName: string;
  readonly planFingerprint: string;
  readonly maxParallelism: number;
  readonly operators: readonly OperatorLayout[];
  /** The id of the first checkpoint (one more than any id in the store). */
  readonly firstId: number;
  /** Completed checkpoint ids already in the store (oldest first), for retention. */
  readonly existing: readonly number[];
}

interface Pending {
  readonly barrier: CheckpointBarrier;
  readonly store: CheckpointStore;
  readonly location: string;
  readonly startedAt: number;
  readonly subtasks: Map<number, SubtaskMetadata[]>;
  /** `nodeId/index` of every subtask that acknowledged. */
  readonly acked: Set<string>;
  readonly writes: Promise<void>[];
  readonly notify: boolean;
  acks: number;
  bytes: number;
  fullBytes: number;
  alignmentMs: number;
  syncMs: number;
  asyncMs: number;
  /** Shared files this checkpoint wrote (removed if it fails). */
  readonly newShared: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
  /** `_metadata` is being (or has been) written: from here the checkpoint may be complete. */
  sealing: boolean;
  resolve(r: CheckpointRecord): void;
  reject(e: Error): void;
}

const HISTORY = 20;

export class CheckpointCoordinator {
  private nextId: number;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Removal of old checkpoints, one after the other (never rejects). */
  private retention: Promise<void> = Promise.resolve();
  private periodic: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private lastTriggerAt = 0;
  private readonly expected: number;
  private readonly retainedIds: number[];
  private completed = 0;
  private failed = 0;
  private lastCompleted: CheckpointRecord | undefined;
  private readonly history: CheckpointRecord[] = [];
  private sealed = 0;
  /** {@link CheckpointCoordinator.stop} was called: nothing triggers any more. */
  private ended = false;
  /** Checkpoint failures since the last completed checkpoint. */
  private failuresInARow = 0;
  /** Which retained checkpoints reference which shared files (incremental checkpoints). */
  private readonly registry = new SharedStateRegistry();
  /** The registry learnt the checkpoints retained from earlier runs (on the first retention). */
  private registryReady: Promise<void> | undefined;
  /**
   * Store work that runs on after its checkpoint settled: a checkpoint's files and `_metadata`
   * still being written, the removal of a failed checkpoint, the removal of old ones.
   */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly options: CoordinatorOptions,
    private readonly host: CheckpointHost,
  ) {
    this.nextId = options.firstId;
    this.expected = options.operators.reduce((n, o) => n + o.parallelism, 0);
    this.retainedIds = [...options.existing];
  }

  /**
   * The newest checkpoint whose `_metadata` this coordinator has started to write (0: none). It
   * may be complete on disk even if it then failed (stopped, timed out): what sinks pre-committed
   * for it must not be aborted, or a restore from it would commit output that no longer exists.
   */
  get sealedThrough(): number {
    return this.sealed;
  }

  /** Whether periodic checkpoints are on. */
  get periodicEnabled(): boolean {
    return this.options.intervalMs !== undefined && this.options.store !== undefined;
  }

  /** Starts periodic checkpoints (if configured). */
  start(): void {
    if (!this.periodicEnabled) return;
    this.schedule(this.options.intervalMs as number);
  }

  /** Stops periodic checkpoints and fails the one in flight. */
  stop(reason = 'the job stopped'): void {
    this.stopped = true;
    this.ended = true;
    if (this.periodic !== undefined) clearTimeout(this.periodic);
    this.periodic = undefined;
    if (this.pending !== undefined) this.fail(this.pending, reason, false);
  }

  /**
   * Resolves once the store work started so far has ended — the writes of the checkpoint that
   * was in flight at {@link CheckpointCoordinator.stop}, the removal of a failed checkpoint, the
   * removal of old ones — or after `limitMs`, saying so in the log. The job closes its checkpoint
   * store only after this: closed under a write in flight, the write was cut off, retried on a
   * closed client, and the failed checkpoint removed after the job had ended — while another
   * process could already be reading it.
   */
  async settle(limitMs = SETTLE_LIMIT_MS): Promise<void> {
    if (this.background.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), limitMs);
    });
    try {
      while (this.background.size > 0) {
        const work = Promise.all(this.background).then(() => false);
        if (await Promise.race([work, expired])) {
          this.host.log(
            `closing the checkpoint store after ${limitMs} ms with ${this.background.size} writes or removals of checkpoints still running`,
          );
          return;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps `work` in {@link CheckpointCoordinator.settle}'s view until it ends. */
  private track(work: Promise<unknown>): void {
    const ended = work.then(
      () => {},
      () => {},
    );
    this.background.add(ended);
    void ended.then(() => this.background.delete(ended));
  }

  /** Stops periodic triggering but lets the one in flight finish. */
  private pausePeriodic(): void {
    if (this.periodic !== undefined) clearTimeout(this.periodic);
    this.periodic = undefined;
    this.stopped = true;
  }

  /**
   * The savepoint of a stop-with-savepoint into `store` (its completion makes sinks commit):
   * periodic checkpoints pause for it, and resume if it fails — the job then runs on, as
   * Flink's does. (The host holds its sources after the barrier and settles them.)
   */
  async stopWithSavepoint(store: CheckpointStore): Promise<CheckpointRecord> {
    this.pausePeriodic();
    try {
      return await this.triggerSavepoint(store, true);
    } catch (e) {
      if (!this.ended) {
        this.stopped = false;
        if (this.periodicEnabled) this.schedule(this.options.intervalMs as number);
      }
      throw e;
    }
  }

  /** Statistics for metrics and clients. */
  stats(): {
    completed: number;
    failed: number;
    lastCompleted: CheckpointRecord | undefined;
    history: CheckpointRecord[];
  } {
    return {
      completed: this.completed,
      failed: this.failed,
      lastCompleted: this.lastCompleted,
      history: this.history.slice(),
    };
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.periodic !== undefined) clearTimeout(this.periodic);
    this.periodic = setTimeout(() => {
      this.periodic = undefined;
      this.triggerCheckpoint().catch(() => {});
    }, delay);
    this.periodic.unref();
  }

  /**
   * The last checkpoint of a bounded job, once every task has finished: stops periodic triggering
   * and takes one more, whose completion commits what the sinks wrote since the previous one.
   * Rejects with a `CHECKPOINT_FAILED` error when it fails.
   */
  async triggerFinalCheckpoint(): Promise<void> {
    this.pausePeriodic();
    if (this.options.store === undefined) {
      throw new EddyError('the final checkpoint failed: no checkpointDir is configured', {
        code: 'CHECKPOINT_FAILED',
        domain: 'user',
        retryable: false,
        hint: 'set checkpointDir (--checkpoint-dir) for a job that checkpoints',
      });
    }
    for (;;) {
      try {
        await this.triggerCheckpoint();
        // The job ends with only the retained checkpoints left.
        await this.retention;
        return;
      } catch (e) {
        // Every task has finished and its state is still here: within the tolerance, the
        // final checkpoint is simply taken again (a restart would replay the input from the
        // last completed checkpoint, only to reach the same point).
        if (this.failuresInARow <= this.options.tolerableFailures) {
          this.host.log(
            `taking the final checkpoint again (${this.failuresInARow} of ${this.options.tolerableFailures} tolerable failures)`,
          );
          continue;
        }
        throw new EddyError(`the final checkpoint failed: ${(e as Error).message}`, {
          code: 'CHECKPOINT_FAILED',
          domain: 'external',
          retryable: true,
          cause: e,
          hint: TOLERANCE_HINT,
        });
      }
    }
  }

  /** Triggers a periodic-style checkpoint into the checkpoint store now. */
  triggerCheckpoint(): Promise<CheckpointRecord> {
    const store = this.options.store;
    if (store === undefined) return Promise.reject(new Error('no checkpointDir is configured'));
    return this.enqueue(() => {
      const id = this.nextId++;
      return this.begin(id, false, store, `${CHECKPOINT_PREFIX}${id}`, true);
    });
  }

  /**
   * Triggers a savepoint into `store` at a location named after its id. Savepoints do not make
   * sinks commit unless `commit` is set (stop-with-savepoint): the next checkpoint commits them.
   */
  triggerSavepoint(store: CheckpointStore, commit: boolean): Promise<CheckpointRecord> {
    return this.enqueue(() => {
      const id = this.nextId++;
      const suffix = sha256(`${Date.now()}:${Math.random()}`).slice(0, 8);
      return this.begin(id, true, store, `savepoint-${id}-${suffix}`, commit);
    });
  }

  // One checkpoint at a time: a trigger waits for the one in flight to end.
  private enqueue(start: () => Promise<CheckpointRecord>): Promise<CheckpointRecord> {
    const run = this.queue.then(start, start);
    this.queue = run.catch(() => {});
    return run;
  }

  private begin(
    id: number,
    savepoint: boolean,
    store: CheckpointStore,
    location: string,
    notify: boolean,
  ): Promise<CheckpointRecord> {
    const barrier: CheckpointBarrier = { id, timestamp: Date.now(), savepoint };
    this.lastTriggerAt = barrier.timestamp;
    const promise = new Promise<CheckpointRecord>((resolve, reject) => {
      const p: Pending = {
        barrier,
        store,
        location,
        startedAt: performance.now(),
        subtasks: new Map(),
        acked: new Set(),
        writes: [],
        notify,
        acks: 0,
        bytes: 0,
        fullBytes: 0,
        alignmentMs: 0,
        syncMs: 0,
        asyncMs: 0,
        newShared: [],
        timer: undefined,
        done: false,
        sealing: false,
        resolve,
        reject,
      };
      this.pending = p;
      p.timer = setTimeout(() => this.fail(p, this.timeoutReason(p)), this.options.timeoutMs);
      p.timer.unref();
    });
    try {
      this.host.injectBarrier(barrier);
    } catch (e) {
      if (this.pending?.barrier.id === id) this.fail(this.pending, errorText(e));
    }
    return promise;
  }

  /** A subtask took its snapshot for `checkpointId` (called synchronously at the barrier). */
  acknowledge(checkpointId: number, ack: SubtaskAck): void {
    const p = this.pending;
    if (p === undefined || p.done || p.barrier.id !== checkpointId) return; // aborted or late
    const file = `state-${ack.nodeId}-${ack.index}`;
    p.acked.add(`${ack.nodeId}/${ack.index}`);
    let list = p.subtasks.get(ack.nodeId);
    if (list === undefined) p.subtasks.set(ack.nodeId, (list = []));
    const subtasks = list;
    if (ack.alignmentMs > p.alignmentMs) p.alignmentMs = ack.alignmentMs;
    const acked = performance.now();
    const write = Promise.resolve(ack.encoded).then(async ({ data, states, shared, syncMs }) => {
      let keyedChain: SharedStateFile[] | undefined;
      const writes = [p.store.write(p.location, file, data)];
      p.bytes += data.byteLength;
      p.fullBytes += data.byteLength;
      if (syncMs !== undefined && syncMs > p.syncMs) p.syncMs = syncMs;
      if (shared !== undefined) {
        const { added } = shared;
        const written = shared.written ?? [];
        keyedChain = [...shared.chain, ...written, added];
        for (const f of [...written, added]) {
          p.newShared.push(f.file);
          p.bytes += f.bytes;
        }
        for (const f of keyedChain) p.fullBytes += f.bytes;
        writes.push(p.store.write(SHARED_LOCATION, added.file, shared.data));
      }
      subtasks.push({
        index: ack.index,
        file,
        bytes: data.byteLength,
        sha256: sha256(data),
        keyGroups: ack.keyGroups,
        states,
        ...(keyedChain !== undefined ? { keyedChain } : {}),
      });
      await Promise.all(writes);
      const asyncMs = performance.now() - acked;
      if (asyncMs > p.asyncMs) p.asyncMs = asyncMs;
    });
    // A failed write fails the checkpoint (in finish), not the process: never leave it unhandled.
    write.catch(() => {});
    p.writes.push(write);
    p.acks++;
    if (p.acks === this.expected) this.track(this.finish(p));
  }

  /**
   * Why checkpoint `p` timed out: the subtasks that did not acknowledge it and the threads stuck
   * in one call, so a stalled checkpoint names its culprit instead of only its duration.
   */
  private timeoutReason(p: Pending): string {
    const missing: string[] = [];
    for (const o of this.options.operators) {
      for (let i = 0; i < o.parallelism; i++) {
        if (!p.acked.has(`${o.nodeId}/${i}`))
          missing.push(`"${o.name}" (subtask ${i + 1} of ${o.parallelism})`);
      }
    }
    let reason = `timed out after ${this.options.timeoutMs} ms`;
    if (p.acks < this.expected && missing.length > 0) {
      const shown = missing.slice(0, 6).join(', ');
      reason +=
        `: not acknowledged by ${shown}` +
        (missing.length > 6 ? ` and ${missing.length - 6} more subtasks` : '');
    } else if (p.acks === this.expected) {
      reason += ': every subtask acknowledged, but writing its state did not finish';
    }
    const stuck = this.host.describeStuckTasks?.() ?? [];
    if (stuck.length > 0) reason += `; ${stuck.join('; ')} (a user function that does not return?)`;
    return reason;
  }

  /**
   * Declines a checkpoint (a subtask could not snapshot); the job goes on. `counts`: false when
   * the subtask only could not take it *now* (`CHECKPOINT_DECLINED`), which is no failure of the
   * job's checkpointing and so does not count towards the tolerable failures.
   */
  decline(checkpointId: number, reason: string, counts = true): void {
    const p = this.pending;
    if (p !== undefined && !p.done && p.barrier.id === checkpointId) this.fail(p, reason, counts);
  }

  private async finish(p: Pending): Promise<void> {
    try {
      await Promise.all(p.writes);
      if (p.done) return;
      const completedAt = Date.now();
      const operators: OperatorMetadata[] = this.options.operators.map((o) => ({
        ...o,
        subtasks: (p.subtasks.get(o.nodeId) ?? []).sort((a, b) => a.index - b.index),
      }));
      const metadata: CheckpointMetadata = {
        format: CHECKPOINT_FORMAT_VERSION,
        checkpointId: p.barrier.id,
        savepoint: p.barrier.savepoint,
        jobName: this.options.jobName,
        planFingerprint: this.options.planFingerprint,
        maxParallelism: this.options.maxParallelism,
        triggeredAt: p.barrier.timestamp,
        completedAt,
        operators,
      };
      // From here the checkpoint may be complete on disk, and a restore may use it: a failure
      // no longer removes it, and sinks keep its pre-committed output (see sealedThrough).
      p.sealing = true;
      if (p.barrier.id > this.sealed) this.sealed = p.barrier.id;
      try {
        await p.store.write(p.location, METADATA_FILE, encodeMetadata(metadata));
      } catch (e) {
        // No _metadata, so not a checkpoint: nothing can restore it.
        this.track(p.store.remove(p.location).catch(() => {}));
        throw e;
      }
      if (p.done) return; // timed out or stopped while writing: it stays, but sinks do not commit
      // Before any sink commits: a restore must know that this checkpoint's output is out,
      // even if the checkpoint itself is damaged later (see choose-restore-checkpoint.ts).
      if (p.notify && this.options.store !== undefined) {
        await writeCompletedRecord(this.options.store, {
          checkpointId: p.barrier.id,
          path: p.store.pathOf(p.location),
          savepoint: p.barrier.savepoint,
          completedAt,
        });
        if (p.done) return;
      }
      p.done = true;
      if (p.timer !== undefined) clearTimeout(p.timer);
      if (this.pending === p) this.pending = undefined;
      const record: CheckpointRecord = {
        id: p.barrier.id,
        savepoint: p.barrier.savepoint,
        status: 'COMPLETED',
        path: p.store.pathOf(p.location),
        triggeredAt: p.barrier.timestamp,
        durationMs: performance.now() - p.startedAt,
        sizeBytes: p.bytes,
        fullSizeBytes: p.fullBytes,
        syncMs: p.syncMs,
        asyncMs: p.asyncMs,
        alignmentMs: p.alignmentMs,
      };
      if (!p.barrier.savepoint) this.registry.register(p.barrier.id, sharedFilesOf(metadata));
      this.completed++;
      if (!p.barrier.savepoint) this.failuresInARow = 0;
      this.lastCompleted = record;
      this.remember(record);
      if (p.notify) this.host.notifyComplete(p.barrier.id);
      // Old checkpoints are removed in the background: on object storage that takes requests
      // (retried for a while during an outage), which must neither delay the next checkpoint nor,
      // when they fail, stop checkpointing.
      if (!p.barrier.savepoint) {
        const id = p.barrier.id;
        this.retention = this.retention
          .then(() => this.retain(id))
          .catch((e: unknown) =>
            this.host.log(`removing checkpoints older than ${id} failed: ${errorText(e)}`),
          );
        this.track(this.retention);
      }
      p.resolve(record);
      this.scheduleAfter();
    } catch (e) {
      this.fail(p, errorText(e));
    }
  }

  /** Fails checkpoint `p`; `counts`: it counts towards the tolerable failures. */
  private fail(p: Pending, reason: string, counts = true): void {
    if (p.done) return;
    p.done = true;
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (this.pending === p) this.pending = undefined;
    this.failed++;
    const record: CheckpointRecord = {
      id: p.barrier.id,
      savepoint: p.barrier.savepoint,
      status: 'FAILED',
      path: p.store.pathOf(p.location),
      triggeredAt: p.barrier.timestamp,
      durationMs: performance.now() - p.startedAt,
      sizeBytes: p.bytes,
      alignmentMs: p.alignmentMs,
      failure: reason,
    };
    this.remember(record);
    this.host.log(
      `${p.barrier.savepoint ? 'savepoint' : 'checkpoint'} ${p.barrier.id} failed: ${reason}`,
    );
    // Files may still be in flight: remove the location once they settled (unless `_metadata`
    // may have made it a complete checkpoint, which a restore may then use).
    if (!p.sealing) {
      this.track(
        Promise.allSettled(p.writes).then(async () => {
          await p.store.remove(p.location).catch(() => {});
          // New names: no other checkpoint can reference them.
          for (const f of p.newShared) await p.store.removeFile(SHARED_LOCATION, f).catch(() => {});
        }),
      );
    }
    // Coded: a savepoint asked for over the server's API answers CHECKPOINT_FAILED, not INTERNAL.
    p.reject(
      new EddyError(reason, { code: 'CHECKPOINT_FAILED', domain: 'external', retryable: true }),
    );
    if (counts && !p.barrier.savepoint && ++this.failuresInARow > this.options.tolerableFailures) {
      const n = this.options.tolerableFailures;
      this.host.failJob(
        new EddyError(
          `checkpoint ${p.barrier.id} failed: ${reason} (${this.failuresInARow} in a row; ${n} tolerated)`,
          { code: 'CHECKPOINT_FAILED', domain: 'external', retryable: true, hint: TOLERANCE_HINT },
        ),
      );
      return;
    }
    this.scheduleAfter();
  }

  private scheduleAfter(): void {
    if (!this.periodicEnabled || this.stopped) return;
    const interval = this.options.intervalMs as number;
    const sinceTrigger = Date.now() - this.lastTriggerAt;
    this.schedule(Math.max(interval - sinceTrigger, this.options.minPauseMs, 0));
  }

  private remember(r: CheckpointRecord): void {
    this.history.push(r);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** Keeps the newest `retained` completed checkpoints; anything older in the store goes. */
  private async retain(id: number): Promise<void> {
    const store = this.options.store;
    if (store === undefined) return;
    this.registryReady ??= this.registry.registerRetained(
      store,
      this.options.existing,
      this.options.firstId,
      CHECKPOINT_PREFIX,
    );
    await this.registryReady;
    this.retainedIds.push(id);
    while (this.retainedIds.length > this.options.retained) this.retainedIds.shift();
    const oldest = this.retainedIds[0] ?? id;
    for (const loc of await store.list(CHECKPOINT_PREFIX)) {
      const n = Number(loc.slice(CHECKPOINT_PREFIX.length));
      if (!Number.isInteger(n) || n >= oldest) continue;
      await store.remove(loc).catch(() => {});
      // Only once the checkpoint is gone: a restore may not find it half without its files.
      for (const f of this.registry.release(n)) {
        await store.removeFile(SHARED_LOCATION, f).catch(() => {});
      }
    }
  }
}

/**
 * How long a stopping job waits for its checkpoint store work (see
 * {@link CheckpointCoordinator.settle}): longer than one object-storage request with all its
 * retries (about 11 s with the default policy), shorter than anyone waits for a cancel.
 */
const SETTLE_LIMIT_MS = 30_000;

const TOLERANCE_HINT =
  'the job restarts from its newest completed checkpoint as its restart strategy allows; to ride out ' +
  'occasional checkpoint failures, set tolerableCheckpointFailures (--tolerable-checkpoint-failures <n>)';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
