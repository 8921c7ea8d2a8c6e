/**
 * Checkpointing of one job run: wires barrier handling into the sources and input gates, takes
 * each subtask's snapshot when its barrier is aligned, restores a run from a checkpoint or
 * savepoint, and owns the run's {@link CheckpointCoordinator}.
 *
 * The order at a subtask is always: (1) everything before the barrier has been processed and the
 * outputs flushed, (2) the state is snapshotted and serialized, synchronously, (3) the barrier is
 * forwarded downstream, (4) what follows the barrier is processed. A subtask that has finished
 * (its source ended, or all its inputs did) will never see a barrier: it is snapshotted directly
 * when the checkpoint is triggered, and the channels it ended count as aligned downstream.
 *
 * @module
 */
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { MetricsRegistry } from '../../metrics/metrics-registry.ts';
import type { Plan } from '../../plan/plan.ts';
import { keyGroupRange } from '../../state/key-groups.ts';
import { toMillis } from '../../util/duration.ts';
import type { Subtask } from '../job-wiring.ts';
import type { SinkOperator } from '../operators/sink-operator.ts';
import type { CheckpointBarrier } from './checkpoint-barrier.ts';
import {
  CheckpointCoordinator,
  type CheckpointHost,
  type CoordinatorOptions,
  type EncodedState,
  type SubtaskAck,
} from './checkpoint-coordinator.ts';
import type { LoadedCheckpoint } from './checkpoint-loader.ts';
import {
  sha256,
  type OperatorStateDistribution,
  type SharedStateFile,
  type StateInfo,
} from './checkpoint-metadata.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { openCheckpointStore } from './open-checkpoint-store.ts';
import { operatorKey, planFingerprint } from './operator-key.ts';
import { assignSubtaskState } from './state-assignment.ts';
import { encodeStateChanges, encodeSubtaskState } from './state-codec.ts';
import { CHECKPOINT_PREFIX } from './checkpoint-coordinator.ts';
import type {
  KeyGroupRange,
  KeyGroupSnapshot,
  KeyedStateBackend,
  StateChanges,
} from '../../state/keyed-state-backend.ts';
import { mergeStateChanges } from '../../state/merge-state-changes.ts';
import { SHARED_LOCATION } from './shared-state-registry.ts';
import { needsNewBase } from './rebase-policy.ts';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DeferredKeyedChain, SubtaskState } from './subtask-state.ts';

/** What a run knows about where its checkpoints come from and go. */
export interface CheckpointContext {
  /** The checkpoint store (from `checkpointDir`). */
  readonly store: CheckpointStore | undefined;
  /** Restore this checkpoint or savepoint before opening the operators. */
  readonly restore: LoadedCheckpoint | undefined;
  /** The first checkpoint id of this run. */
  readonly firstId: number;
  /** Completed checkpoint ids in the store, oldest first (retention). */
  readonly existing: readonly number[];
  readonly log: (message: string) => void;
  /**
   * Set in a worker thread of a threaded job: the coordinator runs in the main thread, so
   * acknowledgements go there and the local coordinator never triggers anything.
   */
  readonly remote?: RemoteCheckpointing;
}

/** The context of a run that restores nothing and has no checkpoint store (savepoints work). */
export function localCheckpointContext(): CheckpointContext {
  return {
    store: undefined,
    restore: undefined,
    firstId: 1,
    existing: [],
    log: (m) => process.stderr.write(`eddy: ${m}\n`),
  };
}

/** The main thread's coordinator as seen from a worker thread. */
export interface RemoteCheckpointing {
  acknowledge(checkpointId: number, ack: SubtaskAck): void;
  decline(checkpointId: number, reason: string, counts?: boolean): void;
  /**
   * Every subtask of this thread has finished its input: resolves once the coordinator has taken
   * (or skipped) the final checkpoint and this thread has seen its completion.
   */
  finalCheckpoint(): Promise<void>;
}

/**
 * The coordinator settings of a job: interval, timeout, retention and the operator layout that
 * its `_metadata` records (`distributionOf` tells how each node's operator state is spread).
 */
export function coordinatorOptions(
  plan: Plan,
  o: EnvironmentOptions,
  context: Pick<CheckpointContext, 'store' | 'firstId' | 'existing'>,
  distributionOf: (nodeId: number) => OperatorStateDistribution,
): CoordinatorOptions {
  const intervalMs =
    o.checkpointInterval === undefined
      ? undefined
      : toMillis(o.checkpointInterval, 'checkpointInterval');
  if (intervalMs !== undefined && context.store === undefined) {
    throw new EddyError('checkpointInterval is set but checkpointDir is not', {
      code: 'INVALID_ARGUMENT',
      domain: 'user',
      hint: "add checkpointDir: './checkpoints' (or --checkpoint-dir) to the options",
    });
  }
  return {
    store: context.store,
    intervalMs,
    timeoutMs: toMillis(o.checkpointTimeout ?? '10m', 'checkpointTimeout'),
    minPauseMs: toMillis(o.minPauseBetweenCheckpoints ?? 0, 'minPauseBetweenCheckpoints'),
    tolerableFailures: tolerableFailures(o.tolerableCheckpointFailures),
    retained: Math.max(1, o.checkpointsRetained ?? 1),
    jobName: plan.jobName,
    planFingerprint: planFingerprint(plan),
    maxParallelism: plan.maxParallelism,
    firstId: context.firstId,
    existing: context.existing,
    operators: plan.nodes.map((node) => ({
      key: operatorKey(node, plan),
      uid: node.uid,
      nodeId: node.id,
      name: node.name,
      kind: node.kind,
      parallelism: node.parallelism,
      keyed: node.keyed,
      distribution: distributionOf(node.id),
    })),
  };
}

/** Registers a coordinator's checkpoint metrics (last duration, size, alignment, id, counts). */
export function registerCheckpointMetrics(
  registry: MetricsRegistry,
  labels: Readonly<Record<string, string>>,
  c: CheckpointCoordinator,
): void {
  const last = () => c.stats().lastCompleted;
  registry.derivedGauge(
    'last_checkpoint_duration_ms',
    'duration of the last completed checkpoint',
    labels,
    () => last()?.durationMs ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_size_bytes',
    'state size of the last completed checkpoint',
    labels,
    () => last()?.sizeBytes ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_full_size_bytes',
    'size of the whole state the last completed checkpoint stands for (incremental: its chains too)',
    labels,
    () => last()?.fullSizeBytes ?? last()?.sizeBytes ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_sync_duration_ms',
    'longest synchronous part (at the barrier) of a subtask in the last completed checkpoint',
    labels,
    () => last()?.syncMs ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_async_duration_ms',
    'longest asynchronous part (reading and writing the state) of a subtask in the last completed checkpoint',
    labels,
    () => last()?.asyncMs ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_alignment_ms',
    'longest barrier alignment of the last completed checkpoint',
    labels,
    () => last()?.alignmentMs ?? 0,
  );
  registry.derivedGauge(
    'last_checkpoint_id',
    'id of the last completed checkpoint',
    labels,
    () => last()?.id ?? 0,
  );
  registry.derivedCounter('checkpoints_completed', 'completed checkpoints', labels, () => {
    return c.stats().completed;
  });
  registry.derivedCounter('checkpoints_failed', 'failed checkpoints', labels, () => {
    return c.stats().failed;
  });
}

export class JobCheckpointing implements CheckpointHost {
  readonly coordinator: CheckpointCoordinator;
  /** Where acknowledgements go: this run's coordinator, or the main thread's. */
  private readonly acks: Pick<CheckpointCoordinator, 'acknowledge' | 'decline'>;
  private readonly all: Subtask[];
  private stopAfterBarrier = false;
  /** The newest barrier injected into this run, and the newest each subtask acknowledged. */
  private injected: CheckpointBarrier | undefined;
  private readonly acked = new Map<Subtask, number>();
  private warnedNoUid = false;
  /** Incremental checkpoints: each keyed subtask's state chain (ADR 0020). */
  private readonly chains = new Map<Subtask, ChainTracker>();
  private readonly incremental: boolean;
  /** Chains restored subtasks read in {@link JobCheckpointing.restoreChains}. */
  private readonly deferred: {
    readonly s: Subtask;
    readonly backend: KeyedStateBackend;
    readonly chains: readonly DeferredKeyedChain[];
    readonly range: KeyGroupRange;
  }[] = [];
  /** Where a subtask writes the parts of a large snapshot itself (opened when first needed). */
  private partStore: Promise<CheckpointStore> | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly subtasks: ReadonlyMap<number, readonly Subtask[]>,
    private readonly options: EnvironmentOptions,
    private readonly context: CheckpointContext,
    private readonly actions: {
      runAction(action: () => void): void;
      addBlocker(p: Promise<void>): void;
      fail(e: unknown): void;
    },
  ) {
    this.all = [...subtasks.values()].flat();
    const o = options;
    const remote = context.remote;
    const settings = coordinatorOptions(
      plan,
      // In a worker thread the main thread's coordinator triggers; this one never does.
      remote !== undefined ? withoutInterval(o) : o,
      context,
      (id) => subtasks.get(id)?.[0]?.operator?.operatorStateDistribution ?? 'split',
    );
    this.coordinator = new CheckpointCoordinator(settings, this);
    this.acks = remote ?? this.coordinator;
    const mode = o.checkpointingMode ?? 'exactly-once';
    this.incremental = o.incrementalCheckpoints === true;
    for (const s of this.all) {
      const backend = s.operator?.backend;
      if (this.incremental && backend?.snapshotChanges !== undefined) {
        backend.startTrackingChanges?.();
        this.chains.set(s, { confirmed: undefined, pending: new Map(), states: new Map() });
      }
      if (s.source !== undefined) s.source.onBarrier = (b) => this.onAligned(s, b, 0);
      if (s.gate !== undefined) {
        s.gate.mode = mode;
        s.gate.onBarrier = (b, ms) => this.onAligned(s, b, ms);
        s.gate.onFinished = () => this.onFinished(s);
      }
    }
  }

  /**
   * A subtask's inputs all ended without bringing the barrier of the checkpoint in flight: every
   * producer finished before the barrier reached it and acknowledged directly, so the final state
   * of this subtask belongs to that checkpoint too. (In one thread the end of input reaches every
   * subtask at once; across threads it can arrive after the checkpoint was triggered.)
   */
  private onFinished(s: Subtask): void {
    const b = this.injected;
    if (b !== undefined && (this.acked.get(s) ?? 0) < b.id) this.snapshot(s, b, 0);
  }

  /** Registers the checkpoint metrics of the run. */
  registerMetrics(registry: MetricsRegistry, labels: Readonly<Record<string, string>>): void {
    registerCheckpointMetrics(registry, labels, this.coordinator);
  }

  /** Puts restored state into the subtasks; call after building and before opening them. */
  restore(cp: LoadedCheckpoint): void {
    const plan = this.plan;
    const matched = new Set<string>();
    const what = cp.metadata.savepoint ? 'savepoint' : 'checkpoint';
    for (const node of plan.nodes) {
      const key = operatorKey(node, plan);
      const saved = cp.operators.get(key);
      if (saved === undefined) continue;
      matched.add(key);
      const ref = { name: node.name, uid: node.uid, definedAt: node.definedAt };
      if (node.uid === undefined && cp.metadata.savepoint && !this.warnedNoUid) {
        this.warnedNoUid = true;
        process.emitWarning(
          `operator "${node.name}" has no uid; its state was matched by its position in the job, ` +
            'which changes when operators are added or removed. Set .uid(...) on stateful operators.',
          'EddyStateWarning',
        );
      }
      if (saved.meta.keyed !== node.keyed) {
        throw new EddyError(
          `the ${what} holds ${saved.meta.keyed ? 'keyed' : 'non-keyed'} state for this operator, but it is now ${node.keyed ? 'keyed' : 'not keyed'}`,
          {
            code: 'RESTORE_FAILED',
            domain: 'user',
            operator: ref,
            hint: 'give the changed operator a new uid (its old state is then not restored; add allowNonRestoredState)',
          },
        );
      }
      if (node.keyed && cp.metadata.maxParallelism !== plan.maxParallelism) {
        throw new EddyError(
          `the ${what} was taken with maxParallelism ${cp.metadata.maxParallelism}, the job now has ${plan.maxParallelism}`,
          {
            code: 'RESTORE_FAILED',
            domain: 'user',
            operator: ref,
            hint: `maxParallelism is fixed for the life of keyed state: set maxParallelism: ${cp.metadata.maxParallelism}`,
          },
        );
      }
      const list = this.subtasks.get(node.id) ?? [];
      for (const s of list) {
        const state: SubtaskState = assignSubtaskState(
          saved,
          s.index,
          node.parallelism,
          plan.maxParallelism,
        );
        if (s.source !== undefined) {
          const reader = s.source.reader;
          if (reader.restoreUnionState !== undefined) {
            // Every reader's positions, at any parallelism: a reader keeps those of the splits
            // it owns now, which need not be those it saved (a file source's files move with
            // the directory's contents).
            reader.restoreUnionState(saved.subtasks.map((subtask) => subtask?.source));
          } else if (state.sourceUnion !== undefined) {
            throw new EddyError(
              `the source was saved with parallelism ${saved.subtasks.length} and cannot be restored with parallelism ${node.parallelism}: its readers cannot take over each other's positions`,
              {
                code: 'RESTORE_FAILED',
                domain: 'user',
                operator: ref,
                hint: `run the source with setParallelism(${saved.subtasks.length}); other operators may change parallelism`,
              },
            );
          } else if (state.source !== undefined) reader.restoreState?.(state.source);
        } else {
          s.operator?.restoreState(state);
          if (state.keyedChains !== undefined && s.operator?.backend !== undefined) {
            this.deferred.push({
              s,
              backend: s.operator.backend,
              chains: state.keyedChains,
              range: keyGroupRange(s.index, node.parallelism, plan.maxParallelism),
            });
          }
          const chain = this.chains.get(s);
          // The chain continues where it was only in the directory it lives in (the next
          // checkpoint's files reference its files) and for the same key groups.
          if (chain !== undefined && state.keyedChain !== undefined && this.ownCheckpoint(cp)) {
            chain.confirmed = state.keyedChain;
          }
        }
      }
    }
    for (const [key, saved] of cp.operators) {
      if (matched.has(key) || saved.subtasks.every(isEmpty)) continue;
      const ref = { name: saved.meta.name, uid: saved.meta.uid };
      if (this.options.allowNonRestoredState === true) {
        this.context.log(
          `${what} state of operator "${saved.meta.name}" (${key}) matches no operator; skipped (allowNonRestoredState)`,
        );
        continue;
      }
      throw new EddyError(
        `the ${what} ${cp.path} holds state for this operator, which the job no longer has`,
        {
          code: 'RESTORE_FAILED',
          domain: 'user',
          operator: ref,
          hint:
            saved.meta.uid !== undefined
              ? `add an operator with .uid('${saved.meta.uid}') back, or drop its state with allowNonRestoredState (--allow-non-restored-state)`
              : 'operators without a uid are matched by position: restore the job as it was, or drop the state with allowNonRestoredState (--allow-non-restored-state)',
        },
      );
    }
  }

  /**
   * Reads the incremental chains {@link JobCheckpointing.restore} left for later into the
   * subtasks' backends; call after it and before opening the operators. A backend that can
   * (LMDB) takes each file as it is read, so only one file of the state is in memory at a time;
   * otherwise (heap, or a chain that holds a state in two schema versions) the chain is merged in
   * memory and restored as a whole, as before.
   */
  async restoreChains(): Promise<void> {
    const work = this.deferred.splice(0);
    for (const { backend, chains, range } of work) {
      if (backend.restoreChanges !== undefined && streamable(chains)) {
        for (const chain of chains)
          for (const f of chain.files) backend.restoreChanges(await chain.read(f), range);
        continue;
      }
      const groups: KeyGroupSnapshot[] = [];
      for (const chain of chains) {
        const files: StateChanges[] = [];
        for (const f of chain.files) files.push(await chain.read(f));
        for (const g of mergeStateChanges(files))
          if (g.keyGroup >= range.start && g.keyGroup <= range.end) groups.push(g);
      }
      backend.restore(groups);
    }
  }

  /** @internal CheckpointHost: sends the barrier into the job. */
  injectBarrier(
    barrier: CheckpointBarrier,
    stopAfter = this.stopAfterBarrier && barrier.savepoint,
  ): void {
    this.injected = barrier;
    for (const s of this.all) {
      if (s.source !== undefined) {
        if (s.source.finished) this.snapshot(s, barrier, 0);
        else s.source.requestBarrier(barrier, stopAfter);
      } else if (s.gate?.finished === true) {
        this.snapshot(s, barrier, 0);
      }
    }
  }

  /** @internal CheckpointHost: the checkpoint is complete. */
  notifyComplete(checkpointId: number): void {
    for (const [s, chain] of this.chains) {
      // Only checkpoints that took part in the chain confirm changes: a savepoint (full, in
      // another place) completing must not drop the changes of a checkpoint that failed.
      const completed = chain.pending.get(checkpointId);
      if (completed === undefined) continue;
      chain.confirmed = completed;
      for (const id of chain.pending.keys()) if (id <= checkpointId) chain.pending.delete(id);
      s.operator?.backend?.confirmCheckpoint?.(checkpointId);
    }
    this.actions.runAction(() => {
      for (const s of this.all) {
        s.operator?.notifyCheckpointComplete(checkpointId);
        const r = s.source?.reader.notifyCheckpointComplete?.(checkpointId);
        if (r !== undefined) this.actions.addBlocker(r);
      }
    });
  }

  /** @internal CheckpointHost. */
  log(message: string): void {
    this.context.log(message);
  }

  /** @internal CheckpointHost: too many checkpoints failed in a row. */
  failJob(error: EddyError): void {
    this.actions.fail(error);
  }

  /**
   * Takes a savepoint into `dir`. With `stop`, the sources read nothing after its barrier and end
   * once it is complete; if it fails, they read on and periodic checkpoints resume — the job
   * runs on, as Flink's does after a failed stop-with-savepoint.
   */
  async savepoint(dir: string, stop: boolean): Promise<string> {
    if (!stop)
      return (await this.coordinator.triggerSavepoint(await this.openStore(dir), false)).path;
    this.stopAfterBarrier = true;
    try {
      const record = await this.coordinator.stopWithSavepoint(await this.openStore(dir));
      this.settleStop(true);
      return record.path;
    } catch (e) {
      this.stopAfterBarrier = false;
      this.settleStop(false);
      throw e;
    }
  }

  /**
   * A stop-with-savepoint is settled: its sources end (`stop`) or read on. (In a slot thread the
   * coordinator's thread says which.)
   */
  settleStop(stop: boolean): void {
    for (const s of this.all) s.source?.settleStop(stop);
  }

  private openStore(dir: string): Promise<CheckpointStore> {
    return openCheckpointStore(dir, {
      objectStorage: this.options.objectStorage,
      log: this.context.log,
    });
  }

  /**
   * Aborts what sinks pre-committed after the last completed checkpoint (failure, cancel), except
   * for checkpoints that may be complete on disk (see `CheckpointCoordinator.sealedThrough`): a
   * restore from one of those commits them, and otherwise the next run's sinks clean them up.
   */
  async abortPending(): Promise<void> {
    const keepThrough = this.coordinator.sealedThrough;
    for (const s of this.all) {
      if (s.node.kind !== 'sink' || s.operator === undefined) continue;
      await (s.operator as SinkOperator).abortPending?.(keepThrough);
    }
  }

  /** Whether `cp` is a checkpoint in this job's own checkpoint directory. */
  private ownCheckpoint(cp: LoadedCheckpoint): boolean {
    const dir = this.options.checkpointDir;
    if (dir === undefined || cp.metadata.savepoint) return false;
    const location = `${CHECKPOINT_PREFIX}${cp.metadata.checkpointId}`;
    const own = dir.startsWith('s3://')
      ? `${dir.replace(/\/+$/, '')}/${location}`
      : join(resolve(dir), location);
    return cp.path === own;
  }

  /**
   * The snapshot of a keyed subtask with incremental checkpoints: the changes since its last
   * confirmed checkpoint as a new file of its chain, or a new base when it has none, the chain
   * grew long, or its changes outweigh twice the base (`rebase-policy.ts`: a restore reads the chain).
   */
  private snapshotIncremental(
    s: Subtask,
    chain: ChainTracker,
    backend: KeyedStateBackend,
    checkpointId: number,
  ): Promise<EncodedState> {
    const started = performance.now();
    const base = chain.confirmed;
    const rebase = needsNewBase(base);
    // Parts the subtask writes itself as the backend reads them: a state larger than the heap is
    // never held (or serialized) whole. What is written goes to the chain even if this
    // checkpoint fails; the coordinator then deletes it with the rest.
    const written: SharedStateFile[] = [];
    const fileOf = (c: StateChanges, data: Uint8Array): SharedStateFile => {
      const states = new Map<string, StateInfo>();
      for (const g of c.groups)
        for (const st of g.states)
          states.set(`${st.name}\u0000${st.version}`, {
            name: st.name,
            kind: st.kind,
            version: st.version,
          });
      return {
        file: `${checkpointId}-${s.node.id}-${s.index}-${randomBytes(6).toString('hex')}`,
        bytes: data.byteLength,
        sha256: sha256(data),
        full: c.full,
        states: [...states.values()],
      };
    };
    const parts = {
      bytes: SNAPSHOT_PART_BYTES,
      write: async (c: StateChanges): Promise<void> => {
        const data = encodeStateChanges(c);
        const f = fileOf(c, data);
        const store = await this.storeForParts();
        // Listed before the write ends: a failure deletes a partly written file too.
        written.push(f);
        await store.write(SHARED_LOCATION, f.file, data);
      },
    };
    const changes = (backend.snapshotChanges as NonNullable<KeyedStateBackend['snapshotChanges']>)(
      checkpointId,
      rebase,
      parts,
    );
    const rest = (s.operator as NonNullable<Subtask['operator']>).snapshotState(
      checkpointId,
      false,
    );
    const syncMs = performance.now() - started;
    return Promise.all([changes, rest]).then(
      ([c, r]) => {
        const data = encodeStateChanges(c);
        const added = fileOf(c, data);
        const before = c.full || base === undefined ? [] : base;
        chain.pending.set(checkpointId, [...before, ...written, added]);
        if (c.full) chain.states.clear();
        for (const f of [...written, added])
          for (const st of f.states ?? []) chain.states.set(st.name, st);
        const exclusive = encode(r);
        return {
          data: exclusive.data,
          states: [...chain.states.values()],
          shared: { chain: before, written, added, data },
          syncMs,
        };
      },
      async (e: unknown) => {
        // The coordinator never learns of these files: delete them here.
        if (written.length > 0) {
          const store = await this.storeForParts();
          for (const f of written) await store.removeFile(SHARED_LOCATION, f.file).catch(() => {});
        }
        throw e;
      },
    );
  }

  /** The checkpoint store, for the parts a subtask writes itself (a worker thread opens its own). */
  private storeForParts(): Promise<CheckpointStore> {
    if (this.partStore === undefined) {
      const own = this.context.store;
      const dir = this.options.checkpointDir;
      this.partStore =
        own !== undefined
          ? Promise.resolve(own)
          : dir === undefined
            ? Promise.reject(new Error('incremental checkpoints need a checkpointDir'))
            : openCheckpointStore(dir, {
                objectStorage: this.options.objectStorage,
                log: this.context.log,
              });
    }
    return this.partStore;
  }

  private onAligned(s: Subtask, barrier: CheckpointBarrier, alignmentMs: number): void {
    this.snapshot(s, barrier, alignmentMs);
    if (s.source !== undefined) {
      s.output.emitBarrier(barrier);
      for (const e of s.sideOutputs.values()) e.emitBarrier(barrier);
    } else s.operator?.emitBarrier(barrier);
  }

  private snapshot(s: Subtask, barrier: CheckpointBarrier, alignmentMs: number): void {
    this.acked.set(s, barrier.id);
    const node = s.node;
    let encoded: EncodedState | Promise<EncodedState>;
    const chain = this.chains.get(s);
    const started = performance.now();
    try {
      const backend = s.operator?.backend;
      if (s.source !== undefined) {
        encoded = encode({ source: s.source.reader.snapshotState?.(barrier.id) });
      } else if (s.operator !== undefined && chain !== undefined && !barrier.savepoint) {
        encoded = this.snapshotIncremental(s, chain, backend as KeyedStateBackend, barrier.id);
      } else if (s.operator !== undefined && backend?.snapshotAsync !== undefined) {
        // The backend fixes its consistent view now; the entries are read off the record path.
        const keyed = backend.snapshotAsync();
        const rest = s.operator.snapshotState(barrier.id, false);
        encoded = Promise.all([keyed, rest]).then(([keyGroups, r]) => encode({ ...r, keyGroups }));
      } else {
        // A sink whose pre-commit waits for its destination (a broker's acknowledgement) answers
        // with a promise: the checkpoint waits for it, the record path does not.
        const state = s.operator?.snapshotState(barrier.id) ?? {};
        encoded = state instanceof Promise ? state.then(encode) : encode(state);
      }
    } catch (e) {
      this.acks.decline(
        barrier.id,
        `operator "${node.name}" subtask ${s.index} could not snapshot its state: ${e instanceof Error ? e.message : String(e)}`,
        !isDeclinedForNow(e),
      );
      return;
    }
    const syncMs = performance.now() - started;
    const timed = (e: EncodedState): EncodedState =>
      e.syncMs === undefined ? { ...e, syncMs } : e;
    this.acks.acknowledge(barrier.id, {
      nodeId: node.id,
      index: s.index,
      encoded: encoded instanceof Promise ? encoded.then(timed) : timed(encoded),
      keyGroups: node.keyed
        ? keyGroupRange(s.index, node.parallelism, this.plan.maxParallelism)
        : undefined,
      alignmentMs,
    });
  }
}

/**
 * Stored bytes of state per file of a snapshot: a base of several GiB is written (and restored)
 * in files of about this size, each serialized and written before the next is read, so the heap
 * holds one part at a time.
 */
const SNAPSHOT_PART_BYTES = 8 * 1024 * 1024;

/** Whether every state has one schema version over the chains (a condition of streaming them). */
function streamable(chains: readonly DeferredKeyedChain[]): boolean {
  const versions = new Map<string, number>();
  for (const c of chains) {
    for (const f of c.files) {
      if (f.states === undefined) return false;
      for (const st of f.states) {
        const v = versions.get(st.name);
        if (v !== undefined && v !== st.version) return false;
        versions.set(st.name, st.version);
      }
    }
  }
  return true;
}

/** A keyed subtask's incremental state chain. */
interface ChainTracker {
  /** The chain of the newest checkpoint known complete; the next one builds on it. */
  confirmed: readonly SharedStateFile[] | undefined;
  /** The chains of checkpoints taken but not known complete, by checkpoint id. */
  readonly pending: Map<number, readonly SharedStateFile[]>;
  /** The keyed states the chain holds (for `_metadata`). */
  readonly states: Map<string, StateInfo>;
}

function tolerableFailures(n: number | undefined): number {
  if (n === undefined) return 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new EddyError(`tolerableCheckpointFailures must be a non-negative integer, got ${n}`, {
      code: 'INVALID_ARGUMENT',
      domain: 'user',
      hint: 'tolerableCheckpointFailures: 3 rides out three failed checkpoints in a row (default 0)',
    });
  }
  return n;
}

function withoutInterval(o: EnvironmentOptions): EnvironmentOptions {
  const { checkpointInterval: _interval, ...rest } = o;
  return rest;
}

/** Serializes a subtask's state and lists its keyed states (names, kinds, versions). */
function encode(state: SubtaskState): EncodedState {
  const states = new Map<string, StateInfo>();
  for (const g of state.keyGroups ?? [])
    for (const st of g.states)
      states.set(st.name, { name: st.name, kind: st.kind, version: st.version });
  return { data: encodeSubtaskState(state), states: [...states.values()] };
}

function isEmpty(s: SubtaskState | undefined): boolean {
  if (s === undefined) return true;
  return (
    (s.keyGroups === undefined || s.keyGroups.length === 0) &&
    s.keyedChains === undefined &&
    (s.timers === undefined ||
      (s.timers.eventTime.length === 0 && s.timers.processingTime.length === 0)) &&
    (s.operatorState === undefined || s.operatorState.length === 0) &&
    s.source === undefined
  );
}

/** Whether `e` says a subtask could not take a checkpoint *now* (not counted as a failure). */
function isDeclinedForNow(e: unknown): boolean {
  return e instanceof EddyError && e.code === 'CHECKPOINT_DECLINED';
}
