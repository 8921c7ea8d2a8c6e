/**
 * The engine behind every harness: one production operator, created by the same factory the
 * executor uses, wired to a manual clock, collecting outputs and its own metrics registry, and
 * driven synchronously through a real {@link InputGate}.
 *
 * @module
 */
import type { OutputTag } from '../core/output-tag.ts';
import { createRuntimeProperties } from '../core/create-runtime-properties.ts';
import { EddyError, userError } from '../errors/eddy-error.ts';
import { sampleMetrics } from '../metrics/sample-metrics.ts';
import { MetricsRegistry } from '../metrics/metrics-registry.ts';
import { registerBuiltInMetrics } from '../runtime/built-in-metrics.ts';
import type { ChannelTarget } from '../runtime/channel.ts';
import { Emitter } from '../runtime/emitter.ts';
import { InputGate } from '../runtime/input-gate.ts';
import type { OperatorSetup } from '../runtime/operator-setup.ts';
import type { AbstractStreamOperator } from '../runtime/operators/abstract-stream-operator.ts';
import { createOperator } from '../runtime/operators/operator-registry.ts';
import { RecordBatch } from '../runtime/record-batch.ts';
import type { TimerEntry } from '../runtime/timers/internal-timer-service.ts';
import type { KeyGroupSnapshot } from '../state/keyed-state-backend.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../core/state-descriptor.ts';
import { toMillis, type Duration } from '../util/duration.ts';
import { CollectingWriter, type TimestampedValue } from './collecting-writer.ts';
import type { HarnessPlan, HarnessPlanOptions } from './harness-plan.ts';
import { ManualClock } from './manual-clock.ts';
import { toMetricValues, type MetricValues } from './metric-values.ts';

/** Settings of a harness. Everything has a default that suits a unit test. */
export interface HarnessOptions extends HarnessPlanOptions {
  /** Which parallel subtask the operator believes it is (default 0). */
  readonly subtaskIndex?: number;
  /** The parallelism the operator believes it runs at (default 1). */
  readonly parallelism?: number;
  /** Runtime properties (`ctx.properties`). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Initial processing time in ms (default 0). */
  readonly processingTime?: number;
  /** Interval of periodic watermarks in processing time (default 200 ms, as in a job). */
  readonly autoWatermarkInterval?: Duration;
  /**
   * The keyed state backend (default `'heap'`); `'lmdb'` keeps state in a working directory under
   * `stateDir` (default the system's temp directory) until the harness is closed.
   */
  readonly stateBackend?: 'heap' | 'lmdb';
  /** Parent directory of the `'lmdb'` backend's working directory. */
  readonly stateDir?: string;
}

/** A timer that has not fired yet. */
export interface PendingTimer<K> {
  /** The key it was registered for, as the key selector returned it. */
  readonly key: K;
  readonly timestamp: number;
  /** The namespace (e.g. a window) of operator-internal timers; absent for user timers. */
  readonly namespace?: string | number;
}

/** Pending timers by time domain, each list in firing order. */
export interface PendingTimers<K> {
  readonly eventTime: readonly PendingTimer<K>[];
  readonly processingTime: readonly PendingTimer<K>[];
}

/**
 * Everything an operator would put in a checkpoint: keyed state by key group (the backend's own
 * snapshot format, so it is portable like a savepoint), timers, and operator state for operators
 * that have some. Plain, structured-cloneable data.
 */
export interface HarnessSnapshot {
  /** Name of the operator it was taken from (for messages). */
  readonly operator: string;
  readonly keyedState: readonly KeyGroupSnapshot[];
  readonly timers: {
    readonly eventTime: readonly TimerEntry[];
    readonly processingTime: readonly TimerEntry[];
  };
  /**
   * Operator (non-keyed) list state, from operators that implement `snapshotOperatorState()`
   * (async I/O queues, broadcast state, sinks' pending commits).
   */
  readonly operatorState: readonly unknown[] | undefined;
}

/** Side outputs of a harness: every tag a function emits to is captured, declared or not. */
class CapturingSideOutputs extends Map<string, Emitter> {
  readonly writers = new Map<string, CollectingWriter>();
  constructor(private readonly capacity: number) {
    super();
  }
  override get(tag: string): Emitter {
    let e = super.get(tag);
    if (e === undefined) {
      e = new Emitter(this.capacity);
      const w = new CollectingWriter();
      e.addWriter(w);
      this.writers.set(tag, w);
      this.set(tag, e);
    }
    return e;
  }
}

type Lifecycle = 'created' | 'opening' | 'open' | 'closed';

const BATCH = 1024;

/**
 * What every harness can do: read outputs, side outputs, state, timers and metrics; move
 * processing time; snapshot and restore. The input methods (`processElement`, …) are on the
 * concrete harnesses: {@link OneInputHarness}, {@link KeyedOneInputHarness},
 * {@link TwoInputHarness}, {@link KeyedTwoInputHarness}.
 *
 * Everything is synchronous. The operator opens on first use; only when its user function's
 * `open()` returns a promise must the test call `await harness.open()` first.
 */
export abstract class OperatorHarness<OUT, K = unknown> {
  /** The virtual processing-time clock of this harness. */
  readonly clock: ManualClock;
  /** The production operator under test (for advanced assertions). */
  readonly operator: AbstractStreamOperator;
  private readonly gate: InputGate;
  private readonly channels: ChannelTarget[] = [];
  private readonly main = new CollectingWriter();
  private readonly sides: CapturingSideOutputs;
  private readonly registry = new MetricsRegistry();
  private readonly batch = new RecordBatch();
  private lifecycle: Lifecycle = 'created';
  private opening: Promise<void> | undefined;
  private readonly blockers: Promise<void>[] = [];

  /** @internal Use the static `of` / `for…` constructors of the concrete harnesses. */
  protected constructor(
    protected readonly plan: HarnessPlan,
    options: HarnessOptions,
  ) {
    const { node, binding } = plan;
    this.clock = new ManualClock(options.processingTime ?? 0);
    const output = new Emitter(BATCH);
    output.addWriter(this.main);
    this.sides = new CapturingSideOutputs(BATCH);
    const subtaskIndex = options.subtaskIndex ?? 0;
    const labels = {
      job: plan.jobName,
      operator: node.name,
      operator_id: String(node.id),
      subtask: String(subtaskIndex),
    };
    const setup: OperatorSetup = {
      jobName: plan.jobName,
      node,
      binding,
      subtaskIndex,
      parallelism: options.parallelism ?? 1,
      maxParallelism: plan.maxParallelism,
      attempt: 0,
      output,
      sideOutputs: this.sides,
      metrics: this.registry.group(labels),
      properties: createRuntimeProperties(options.properties),
      clock: this.clock,
      batchSize: BATCH,
      autoWatermarkInterval: toMillis(
        options.autoWatermarkInterval ?? 200,
        'autoWatermarkInterval',
      ),
      failOnMalformedInput: false,
      stateBackend: options.stateBackend ?? 'heap',
      stateDir: options.stateDir,
      checkpointing: false,
      // Timers and periodic work run right inside setProcessingTime(); a failure surfaces there.
      runAction: (action) => {
        try {
          action();
        } catch (e) {
          throw this.operator.wrapFailure(e);
        }
      },
      addBlocker: (p) => {
        this.blockers.push(p);
      },
      signal: new AbortController().signal,
    };
    this.operator = createOperator(setup);
    this.gate = new InputGate(this.operator);
    for (let i = 0; i < node.inputs; i++) this.channels.push(this.gate.addChannel(i));
    this.gate.seal();
    registerBuiltInMetrics(this.registry, labels, {
      output,
      gate: this.gate,
      operator: this.operator,
    });
  }

  /**
   * Opens the operator (calls the user function's `open`). Harnesses open by themselves on first
   * use; call this (and await it) only when `open()` is async.
   */
  open(): void | Promise<void> {
    if (this.lifecycle === 'open') return;
    if (this.lifecycle === 'opening') return this.opening;
    if (this.lifecycle === 'closed') throw this.closedError();
    const r = this.operator.open();
    if (r instanceof Promise) {
      this.lifecycle = 'opening';
      this.opening = r.then(() => {
        this.lifecycle = 'open';
      });
      return this.opening;
    }
    this.lifecycle = 'open';
  }

  /** @internal Opens synchronously or explains why it cannot. */
  protected ensureOpen(): void {
    if (this.lifecycle === 'open') return;
    if (this.lifecycle === 'created') {
      this.open();
      if ((this.lifecycle as Lifecycle) === 'open') return;
    }
    if (this.lifecycle === 'closed') throw this.closedError();
    throw userError(
      'INVALID_ARGUMENT',
      "the function's open() is async, so the harness cannot open it synchronously",
      { operator: this.plan.node, hint: 'call `await harness.open()` before the first element' },
    );
  }

  /** @internal Pushes one record into input `input` (0 or 1). */
  protected pushElement(input: number, value: unknown, timestamp: number | undefined): void {
    this.ensureOpen();
    const b = this.batch;
    b.size = 0;
    b.push(value, timestamp ?? Number.NaN);
    this.channel(input).pushBatch(b);
  }

  /** @internal Pushes a watermark into one input, or into all when `input` is undefined. */
  protected pushWatermark(input: number | undefined, watermark: number): void {
    this.ensureOpen();
    if (input !== undefined) this.channel(input).pushWatermark(watermark);
    else for (const c of this.channels) c.pushWatermark(watermark);
  }

  private channel(input: number): ChannelTarget {
    const index = this.plan.inputIndex[input] ?? input;
    const c = this.channels[index];
    if (c === undefined) {
      throw new EddyError(`the operator has no input ${input}`, {
        code: 'INTERNAL',
        domain: 'internal',
      });
    }
    return c;
  }

  /**
   * Moves processing time to `time` (ms), firing every processing-time timer (and periodic work
   * such as watermark generation) due up to it, in time order, before returning.
   */
  setProcessingTime(time: number): void {
    this.ensureOpen();
    this.clock.advanceTo(time);
  }

  /** The current processing time of the harness. */
  get processingTime(): number {
    return this.clock.now();
  }

  /** The last watermark the operator processed. */
  get watermark(): number {
    return this.operator.currentWatermark;
  }

  /** Ends all inputs, as at the end of bounded input: operators flush what they buffer. */
  endInput(): void {
    this.ensureOpen();
    for (const c of this.channels) c.pushEnd();
  }

  /** Records emitted on the main output so far. */
  output(): OUT[] {
    return this.main.values.slice() as OUT[];
  }

  /** Records emitted on the main output so far, with their event timestamps. */
  outputWithTimestamps(): TimestampedValue<OUT>[] {
    return this.main.withTimestamps<OUT>();
  }

  /** Watermarks the operator emitted, in order. */
  watermarks(): number[] {
    return this.main.watermarks.slice();
  }

  /** Records emitted to a side output (`ctx.output(tag, value)`). */
  sideOutput<X>(tag: OutputTag<X>): X[] {
    return (this.sides.writers.get(tag.id)?.values.slice() ?? []) as X[];
  }

  /** Records emitted to a side output, with their event timestamps. */
  sideOutputWithTimestamps<X>(tag: OutputTag<X>): TimestampedValue<X>[] {
    return this.sides.writers.get(tag.id)?.withTimestamps<X>() ?? [];
  }

  /** Forgets the records and watermarks collected so far (main and side outputs). */
  clearOutput(): void {
    this.main.clear();
    for (const w of this.sides.writers.values()) w.clear();
  }

  /** The value of a key's ValueState. */
  state<T>(descriptor: ValueStateDescriptor<T>, key: K): T | undefined;
  /** The elements of a key's ListState (empty when unset). */
  state<T>(descriptor: ListStateDescriptor<T>, key: K): T[];
  /** A copy of a key's MapState (empty when unset). */
  state<UK, UV>(descriptor: MapStateDescriptor<UK, UV>, key: K): Map<UK, UV>;
  /** The value of a key's ReducingState. */
  state<T>(descriptor: ReducingStateDescriptor<T>, key: K): T | undefined;
  /** The result of a key's AggregatingState. */
  state<IN, ACC, OUT2>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT2>,
    key: K,
  ): OUT2 | undefined;
  state(descriptor: StateDescriptor, key: K): unknown {
    const backend = this.operator.backend;
    if (backend === undefined) {
      throw userError(
        'NOT_KEYED',
        'this operator has no keyed state (it is not on a keyed stream)',
        {
          operator: this.plan.node,
          hint: 'use KeyedOneInputHarness / KeyedTwoInputHarness for operators after keyBy()',
        },
      );
    }
    const previous = backend.currentRawKey;
    const previousNormalized = backend.currentKey;
    backend.setCurrentKey(key);
    try {
      switch (descriptor.kind) {
        case 'value':
          return backend.getValueState(descriptor as ValueStateDescriptor<unknown>).value();
        case 'list':
          return backend.getListState(descriptor as ListStateDescriptor<unknown>).get();
        case 'map':
          return new Map(
            backend.getMapState(descriptor as MapStateDescriptor<unknown, unknown>).entries(),
          );
        case 'reducing':
          return backend.getReducingState(descriptor as ReducingStateDescriptor<unknown>).get();
        case 'aggregating':
          return backend
            .getAggregatingState(
              descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>,
            )
            .get();
      }
    } finally {
      backend.setCurrentKeyNormalized(previousNormalized, previous);
    }
  }

  /** Timers registered and not yet fired, in firing order. */
  timers(): PendingTimers<K> {
    const t = this.operator.timers?.timers() ?? { eventTime: [], processingTime: [] };
    const view = (list: readonly TimerEntry[]): PendingTimer<K>[] =>
      list
        .slice()
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((e) => ({
          key: e.rawKey as K,
          timestamp: e.timestamp,
          ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
        }));
    return { eventTime: view(t.eventTime), processingTime: view(t.processingTime) };
  }

  /**
   * The operator's metrics as plain data: the built-in ones (`records_in`, `records_out`,
   * `current_input_watermark`, `current_output_watermark`, `late_records_dropped`, rates) and
   * whatever the function registered through `ctx.metrics`.
   */
  metrics(): MetricValues {
    return toMetricValues(sampleMetrics(this.registry));
  }

  /**
   * Takes a snapshot as a checkpoint would: keyed state by key group, timers and operator state,
   * deep-copied (state must be structured-cloneable, as it must be to reach a checkpoint).
   */
  snapshot(): HarnessSnapshot {
    const op = this.operator;
    const raw: HarnessSnapshot = {
      operator: this.plan.node.name,
      keyedState: op.backend?.snapshot() ?? [],
      timers: op.timers?.timers() ?? { eventTime: [], processingTime: [] },
      operatorState: op.snapshotOperatorState?.(0),
    };
    try {
      return structuredClone(raw);
    } catch (e) {
      throw userError('NOT_SERIALIZABLE', 'the operator state cannot be copied into a snapshot', {
        operator: this.plan.node,
        cause: e,
        hint: 'keep only plain data in state (objects, arrays, Maps, numbers, strings), no functions or class instances with methods',
      });
    }
  }

  /**
   * Loads a snapshot taken by {@link OperatorHarness.snapshot} (of this or another harness of the
   * same operator), as a restart from a checkpoint does. Call it on a fresh harness, before the
   * first element.
   */
  restore(snapshot: HarnessSnapshot): void {
    if (this.lifecycle !== 'created') {
      throw userError('INVALID_ARGUMENT', 'restore() must be called before the first element', {
        operator: this.plan.node,
        hint: 'create a fresh harness and call restore(snapshot) right away',
      });
    }
    const op = this.operator;
    const copy = structuredClone(snapshot);
    if (copy.keyedState.length > 0 || copy.timers.eventTime.length > 0) {
      if (op.backend === undefined || op.timers === undefined) {
        throw userError(
          'RESTORE_FAILED',
          `the snapshot of "${copy.operator}" has keyed state, but this operator is not keyed`,
          { operator: this.plan.node, hint: 'restore into a keyed harness of the same operator' },
        );
      }
    }
    // As a job restores a subtask (operators may convert what older versions saved).
    op.restoreState({
      keyGroups: copy.keyedState,
      timers: copy.timers,
      ...(copy.operatorState !== undefined ? { operatorState: copy.operatorState } : {}),
    });
  }

  /** Closes the operator (the user function's `close`). */
  close(): void | Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    return this.operator.close();
  }

  /** Waits for asynchronous work the operator started (async sink writes). */
  async settle(): Promise<void> {
    while (this.blockers.length > 0) await Promise.all(this.blockers.splice(0));
  }

  private closedError(): EddyError {
    return userError('INVALID_ARGUMENT', 'the harness is closed', {
      operator: this.plan.node,
      hint: 'create a new harness (restore a snapshot into it to continue)',
    });
  }
}
