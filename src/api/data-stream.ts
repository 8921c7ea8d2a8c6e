/**
 * `DataStream<T>`: a stream of records of type `T` and the operations that build a job on it.
 * Output types are inferred from the functions; user code never declares a type for the engine.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import { userCallSite } from '../util/call-site.ts';
import { keyBySites } from './key-by-sites.ts';
import { CollectSink } from '../connectors/collect/collect-sink.ts';
import { FunctionSink } from '../connectors/function-sink.ts';
import { PrintSink, type PrintSinkOptions } from '../connectors/print/print-sink.ts';
import type { Sink } from '../core/connector-spi.ts';
import type { CustomPartitioning, PartitioningKind } from '../plan/plan.ts';
import type { MapStateDescriptor } from '../core/state-descriptor.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import { addAsyncWait } from './async-data-stream.ts';
import type { MapAsyncOptions } from '../core/async-wait-options.ts';
import type { AsyncFn, AsyncFunction } from '../core/functions/async-function.ts';
import type { FilterFn, FilterFunction } from '../core/functions/filter-function.ts';
import type { FlatMapFn, FlatMapFunction } from '../core/functions/flat-map-function.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { MapFn, MapFunction } from '../core/functions/map-function.ts';
import type { ProcessFn, ProcessFunction } from '../core/functions/process-function.ts';
import type { SinkFn, SinkFunction } from '../core/functions/sink-function.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { JobClient } from '../core/job-client.ts';
import type { StreamEnvironment } from './stream-environment.ts';
import type { NodeConfig, NodeKind, NodeSettings } from '../plan/node-kinds.ts';
import type { StreamPort, TransformationInput, TransformationOf } from './transformation.ts';
import { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { KeyedStream } from './keyed-stream.ts';
import { AllWindowedStream } from './all-windowed-stream.ts';
import { JoinedStreams } from './joined-streams.ts';
import type { WindowAssigner } from '../time/windowing/window-assigner.ts';
import type { GlobalWindow, Window } from '../core/window.ts';
import { GlobalWindows } from '../time/windowing/assigners/global-windows.ts';
import { countWindows } from './count-window.ts';

/** Side outputs any user function may emit. */
export const ANY_SIDE_OUTPUT = '*';

/**
 * A stream of records.
 *
 * @example
 * ```ts
 * const env = StreamEnvironment.create();
 * const lengths = env.fromCollection(['a', 'bb', 'ccc']).map((s) => s.length);
 * console.log(await lengths.executeAndCollect()); // [1, 2, 3]
 * ```
 */
export class DataStream<T> {
  /** Marker for type inference; never set. */
  declare readonly __type?: T;

  /** @internal Use the environment's and streams' methods to create streams. */
  constructor(
    readonly env: StreamEnvironment,
    /** @internal The operator outputs this stream reads (several after `union`). */
    readonly ports: readonly StreamPort[],
    /** @internal The operator this stream is the main output of, if exactly one. */
    protected readonly transformation: TransformationOf<NodeKind> | undefined,
  ) {}

  /** One record in, one record out. */
  map<O>(fn: MapFn<T, O> | MapFunction<T, O>): DataStream<O> {
    return this.oneInput<O, 'map'>('map', 'Map', fn as NodeSettings<'map'>['fn']);
  }

  /**
   * One record in, one result out through a promise: many requests in flight at once, in input
   * order (default) or as they arrive, with timeouts, retries and the `ASYNC_FAILURES` side
   * output. Sugar for {@link AsyncDataStream.orderedWait} / `unorderedWait`.
   *
   * @example
   * ```ts
   * const enriched = clicks.mapAsync(
   *   async (click) => ({ ...click, profile: await fetchProfile(click.user) }),
   *   { capacity: 100, timeout: '1s', ordered: false },
   * );
   * ```
   */
  mapAsync<O>(
    fn: AsyncFn<T, O> | AsyncFunction<T, O>,
    options: MapAsyncOptions<T, O> = {},
  ): DataStream<O> {
    return addAsyncWait(
      this,
      fn,
      options,
      options.ordered === false ? 'unordered' : 'ordered',
      'MapAsync',
    );
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: FilterFn<T> | FilterFunction<T>): DataStream<T> {
    return this.oneInput<T, 'filter'>('filter', 'Filter', fn as NodeSettings<'filter'>['fn']);
  }

  /** Zero or more records out per record in, through `out.collect(x)`. */
  flatMap<O>(fn: FlatMapFn<T, O> | FlatMapFunction<T, O>): DataStream<O> {
    return this.oneInput<O, 'flat-map'>(
      'flat-map',
      'FlatMap',
      fn as NodeSettings<'flat-map'>['fn'],
    );
  }

  /** The most general operation: records, side outputs, metrics. */
  process<O>(fn: ProcessFn<T, O> | ProcessFunction<T, O>): DataStream<O> {
    return this.oneInput<O, 'process'>('process', 'Process', fn as NodeSettings<'process'>['fn']);
  }

  /** Partitions the stream by key: keyed state and timers become available downstream. */
  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<K, T> {
    if (typeof keySelector !== 'function') {
      throw userError(
        'INVALID_ARGUMENT',
        'keyBy() takes a function that returns the key of a record',
        {
          hint: 'write keyBy((event) => event.userId)',
        },
      );
    }
    keyBySites.set(keySelector, userCallSite());
    return new KeyedStream<K, T>(this.env, this.ports, keySelector);
  }

  /**
   * Windows over the whole stream, computed by one non-parallel subtask. Prefer
   * `keyBy(...).window(...)`, which runs in parallel.
   *
   * @example
   * ```ts
   * events.windowAll(TumblingEventTimeWindows.of('1m')).aggregate(countAggregate);
   * ```
   */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  /**
   * Count windows over the whole stream (Flink's `countWindowAll`, one non-parallel subtask): every
   * `size` records, or with `slide`, every `slide` records the last `size` (see
   * `KeyedStream.countWindow`).
   */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const all = this.windowAll(GlobalWindows.create() as WindowAssigner<T, GlobalWindow>);
    return countWindows<T, AllWindowedStream<T, GlobalWindow>>(all, 'countWindowAll', size, slide);
  }

  /**
   * Window join with another stream: pairs of records with equal keys in the same window.
   *
   * @example
   * ```ts
   * a.join(b).where((x) => x.id).equalTo((y) => y.id)
   *   .window(TumblingEventTimeWindows.of('1m'))
   *   .apply((x, y) => ({ x, y }));
   * ```
   */
  join<U>(other: DataStream<U>): JoinedStreams<T, U, 'join'> {
    return new JoinedStreams<T, U, 'join'>(this, other, 'join');
  }

  /** Window coGroup with another stream: both sides' records of a key and window as two lists. */
  coGroup<U>(other: DataStream<U>): JoinedStreams<T, U, 'coGroup'> {
    return new JoinedStreams<T, U, 'coGroup'>(this, other, 'coGroup');
  }

  /**
   * Not available on a non-keyed stream: throws an error that says what to use instead. Windows
   * are per key (`keyBy(...).window(...)`) or over the whole stream (`windowAll(...)`).
   */
  window(_assigner: never): never {
    throw userError('INVALID_JOB', 'window() needs a keyed stream', {
      operator: { name: 'Window', definedAt: userCallSite() },
      hint: 'call keyBy(...) before window(), or use windowAll(...) for windows over the whole stream',
    });
  }

  /** Merges streams of the same type into one (no operator: records interleave). */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (o.env !== this.env)
        throw userError('INVALID_JOB', 'union() of streams from different environments');
    }
    return new DataStream<T>(
      this.env,
      [...this.ports, ...others.flatMap((o) => o.ports)],
      undefined,
    );
  }

  /** Connects two streams of possibly different types for a two-input function. */
  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  /** Connects to a broadcast stream, for a {@link BroadcastProcessFunction}. */
  connect<U>(other: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
  connect<U>(
    other: DataStream<U> | BroadcastStream<U>,
  ): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
    if (other instanceof BroadcastStream) {
      return new BroadcastConnectedStream<T, U>(
        this.env,
        { ports: this.ports, ...this.pendingInput() },
        other,
      );
    }
    return new ConnectedStreams<T, U>(this.env, this, other, undefined);
  }

  /** The records a function of this operator emitted with `ctx.output(tag, value)`. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.requireOperator('getSideOutput()');
    return new DataStream<X>(this.env, [{ node: t.id, tag: tag.id }], undefined);
  }

  /** Assigns event timestamps and watermarks to the records of this stream. */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    return this.addOperator<T, 'timestamps-watermarks'>({
      kind: 'timestamps-watermarks',
      name: 'Timestamps/Watermarks',
      partitioning: 'forward',
      settings: { strategy: strategy as WatermarkStrategy<unknown> },
      config: { strategy: strategy.description },
      sideOutputs: [],
    });
  }

  /** Sets the operator's display name. */
  name(name: string): this {
    this.requireOperator('name()').name = name;
    return this;
  }

  /** Sets the operator's stable id, which matches its state in savepoints. */
  uid(uid: string): this {
    if (uid.length === 0) throw userError('INVALID_ARGUMENT', 'uid() must not be empty');
    this.requireOperator('uid()').uid = uid;
    return this;
  }

  /**
   * Starts a new chain at this operator: it is not fused with the operator before it, though
   * operators after it may be (Flink's `startNewChain()`). Records then cross a batch boundary
   * here, and the operator's busy time is its own.
   */
  startNewChain(): this {
    this.requireOperator('startNewChain()').chaining = 'head';
    return this;
  }

  /**
   * Keeps this operator out of every fused chain (Flink's `disableChaining()`): it runs on its
   * own batches, so a profile or the busy-time metric shows it alone. For the whole job, use
   * `StreamEnvironment.create({ operatorChaining: false })`.
   */
  disableChaining(): this {
    this.requireOperator('disableChaining()').chaining = 'never';
    return this;
  }

  /** Sets how many parallel subtasks run the operator. */
  setParallelism(parallelism: number): this {
    const t = this.requireOperator('setParallelism()');
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw userError(
        'INVALID_ARGUMENT',
        `parallelism must be a positive integer, got ${parallelism}`,
        {
          operator: { name: t.name, uid: t.uid, definedAt: t.definedAt },
        },
      );
    }
    t.parallelism = parallelism;
    return this;
  }

  /** Sends records round-robin to all downstream subtasks. */
  rebalance(): DataStream<T> {
    return this.partition('rebalance');
  }

  /** Sends each record to a uniformly random downstream subtask (Flink's `shuffle()`). */
  shuffle(): DataStream<T> {
    return this.partition('shuffle');
  }

  /**
   * Sends each record to the downstream subtask `partitioner(key, numPartitions)` picks for its
   * key (Flink's `partitionCustom`), e.g. to spread a few hot keys by hand. The next operator is
   * not keyed: use `keyBy` for keyed state.
   *
   * @example
   * ```ts
   * events.partitionCustom((region: string, n) => (region === 'eu' ? 0 : 1 % n), (e) => e.region);
   * ```
   */
  partitionCustom<K>(
    partitioner: (key: K, numPartitions: number) => number,
    keySelector: KeySelector<T, K>,
  ): DataStream<T> {
    if (typeof partitioner !== 'function' || typeof keySelector !== 'function') {
      throw userError(
        'INVALID_JOB',
        'partitionCustom() takes a partitioner (key, numPartitions) => index and a key selector',
        { hint: 'partitionCustom((key, n) => hash(key) % n, (record) => record.key)' },
      );
    }
    return new PartitionedStream<T>(this.env, this.ports, 'custom', {
      key: keySelector as (value: never) => unknown,
      partition: partitioner as (key: never, numPartitions: number) => number,
    });
  }

  /** Sends records round-robin to a subset of downstream subtasks (local exchange). */
  rescale(): DataStream<T> {
    return this.partition('rescale');
  }

  /** Sends every record to every downstream subtask. */
  broadcast(): DataStream<T>;
  /**
   * A broadcast stream that updates the given broadcast state: connect a stream to it and every
   * subtask of the connected operator receives every record and holds the full state.
   *
   * @example
   * ```ts
   * const bots = new MapStateDescriptor<string, true>('bots');
   * views.keyBy((v) => v.user).connect(botRules.broadcast(bots)).process(new TagBots());
   * ```
   */
  broadcast(
    ...descriptors: [
      MapStateDescriptor<unknown, unknown>,
      ...MapStateDescriptor<unknown, unknown>[],
    ]
  ): BroadcastStream<T>;
  broadcast(
    ...descriptors: MapStateDescriptor<unknown, unknown>[]
  ): DataStream<T> | BroadcastStream<T> {
    if (descriptors.length === 0) return this.partition('broadcast');
    const names = new Set<string>();
    for (const d of descriptors) {
      if (d?.kind !== 'map') {
        throw userError('INVALID_ARGUMENT', 'broadcast() takes MapStateDescriptors', {
          hint: "write broadcast(new MapStateDescriptor<string, Rule>('rules'))",
        });
      }
      if (names.has(d.name)) {
        throw userError('INVALID_ARGUMENT', `broadcast state "${d.name}" is given twice`, {
          hint: 'give each broadcast state descriptor its own name',
        });
      }
      names.add(d.name);
    }
    return new BroadcastStream<T>(this.env, this.ports, descriptors);
  }

  /** Sends every record to the first downstream subtask. */
  global(): DataStream<T> {
    return this.partition('global');
  }

  /** Keeps records in the same subtask (needs equal parallelism). */
  forward(): DataStream<T> {
    return this.partition('forward');
  }

  /** Writes the stream to a sink: a {@link Sink}, or a function called per record. */
  sinkTo(sink: Sink<T> | SinkFn<T> | SinkFunction<T>): DataStreamSink {
    const s: Sink<T> =
      typeof sink === 'function' || !('createWriter' in sink) ? new FunctionSink<T>(sink) : sink;
    const t = this.env._addTransformation({
      kind: 'sink',
      name: s.name,
      inputs: [{ ports: this.ports, ...this.pendingInput() }],
      settings: { sink: s as Sink<unknown> },
      config: s.describe(),
      sideOutputs: [],
    });
    return new DataStreamSink(t);
  }

  /** Flink's name for {@link DataStream.sinkTo} with a function. */
  addSink(fn: SinkFn<T> | SinkFunction<T>): DataStreamSink {
    return this.sinkTo(fn);
  }

  /** Prints every record to stdout. */
  print(prefixOrOptions?: string | PrintSinkOptions<T>): DataStreamSink {
    const options =
      typeof prefixOrOptions === 'string' ? { prefix: prefixOrOptions } : prefixOrOptions;
    return this.sinkTo(new PrintSink<T>(options));
  }

  /** Runs the (bounded) job and resolves to every record of this stream. */
  executeAndCollect(jobName?: string): Promise<T[]>;
  /**
   * Runs the job until this stream emitted `limit` records (or its input ended), then cancels it
   * and resolves to those records — for unbounded sources too (Flink's `executeAndCollect(limit)`).
   *
   * @example
   * ```ts
   * const firstTen = await env.fromSource(new DataGenSource((i) => i)).executeAndCollect(10);
   * ```
   */
  executeAndCollect(limit: number, jobName?: string): Promise<T[]>;
  async executeAndCollect(limitOrName?: number | string, name?: string): Promise<T[]> {
    if (typeof limitOrName !== 'number') {
      const sink = new CollectSink<T>();
      this.sinkTo(sink);
      await this.env.execute(limitOrName);
      return sink.values;
    }
    const limit = limitOrName;
    if (!Number.isInteger(limit) || limit < 1) {
      throw userError(
        'INVALID_ARGUMENT',
        `executeAndCollect(${limit}): the limit must be a positive integer`,
        { hint: 'executeAndCollect(100) returns the first 100 records and cancels the job' },
      );
    }
    // The sink asks for the cancellation from the record path; the client may not exist yet.
    const job: { client: JobClient | undefined; full: boolean } = {
      client: undefined,
      full: false,
    };
    const sink = new CollectSink<T>('collect', limit, () => {
      job.full = true;
      void job.client?.cancel();
    });
    this.sinkTo(sink);
    const client = this.env.executeAsync(name);
    job.client = client;
    if (job.full) void client.cancel();
    await client.result;
    return sink.values;
  }

  /**
   * @internal How the next operator reads this stream: the partitioning (and partitioner)
   * rebalance()/broadcast()/partitionCustom()/… asked for, or the default.
   */
  protected pendingInput(): Omit<TransformationInput, 'ports'> {
    return { partitioning: undefined, keySelector: undefined };
  }

  private partition(kind: PartitioningKind): DataStream<T> {
    return new PartitionedStream<T>(this.env, this.ports, kind);
  }

  /** @internal */
  protected oneInput<O, K extends 'map' | 'filter' | 'flat-map' | 'process'>(
    kind: K,
    defaultName: string,
    fn: NodeSettings<K>['fn'],
  ): DataStream<O> {
    checkFunction(fn, kind, defaultName);
    return this.addOperator<O, K>({
      kind,
      name: functionName(fn, defaultName),
      // Whatever rebalance()/partitionCustom()/… asked for (see pendingInput()).
      partitioning: undefined,
      settings: { fn } as NodeSettings<K>,
      config: {} as NodeConfig<K>,
      sideOutputs: [ANY_SIDE_OUTPUT],
    });
  }

  /** @internal Adds a one-input operator reading this stream. */
  addOperator<O, K extends NodeKind>(
    spec: OneInputSpec<K> & { readonly partitioning: PartitioningKind | undefined },
  ): DataStream<O> {
    const input: TransformationInput = {
      ports: this.ports,
      ...(spec.partitioning !== undefined
        ? { partitioning: spec.partitioning, keySelector: undefined }
        : this.pendingInput()),
    };
    return addOneInputOperator<O, K>(this.env, input, spec, false);
  }

  private requireOperator(what: string): TransformationOf<NodeKind> {
    if (this.transformation === undefined) {
      throw userError(
        'INVALID_JOB',
        `${what} applies to an operator, but this stream is a union, a side output or a partitioning`,
        {
          hint: 'call it on the stream returned by map/filter/process/... directly',
          ...(this.ports[0] !== undefined ? {} : {}),
        },
      );
    }
    return this.transformation;
  }
}

/** A stream with a partitioning chosen for the next operator (`rebalance()`, `broadcast()`, …). */
class PartitionedStream<T> extends DataStream<T> {
  constructor(
    env: StreamEnvironment,
    ports: readonly StreamPort[],
    private readonly kind: PartitioningKind,
    private readonly custom?: CustomPartitioning,
  ) {
    super(env, ports, undefined);
  }
  protected override pendingInput(): Omit<TransformationInput, 'ports'> {
    return { partitioning: this.kind, keySelector: undefined, custom: this.custom };
  }
}

/** @internal What a stream class says about a one-input operator it adds. */
export type OneInputSpec<K extends NodeKind> = Pick<
  TransformationOf<K>,
  'kind' | 'name' | 'settings' | 'config' | 'sideOutputs'
>;

/** @internal Adds a one-input operator of kind `K` reading `input`; returns its output stream. */
export function addOneInputOperator<O, K extends NodeKind>(
  env: StreamEnvironment,
  input: TransformationInput,
  spec: OneInputSpec<K>,
  keyed: boolean,
): DataStream<O> {
  const t = env._addTransformation<K>({
    kind: spec.kind,
    name: spec.name,
    keyed,
    inputs: [input],
    config: spec.config,
    settings: spec.settings,
    sideOutputs: spec.sideOutputs,
  });
  return new DataStream<O>(env, [{ node: t.id, tag: undefined }], t);
}

/** The end of a stream in a sink; lets the sink be named and configured. */
export class DataStreamSink {
  /** @internal */
  constructor(private readonly t: TransformationOf<'sink'>) {}
  /** Sets the sink's display name. */
  name(name: string): this {
    this.t.name = name;
    return this;
  }
  /** Sets the sink's stable id. */
  uid(uid: string): this {
    this.t.uid = uid;
    return this;
  }
  /** Sets the sink's parallelism. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw userError(
        'INVALID_ARGUMENT',
        `parallelism must be a positive integer, got ${parallelism}`,
      );
    }
    this.t.parallelism = parallelism;
    return this;
  }
}

/** @internal Checks that a user function is a function or an object with the right method. */
export function checkFunction(fn: unknown, kind: NodeKind, label: string): void {
  if (typeof fn === 'function') return;
  const methods: Partial<Readonly<Record<NodeKind, readonly string[]>>> = {
    map: ['map'],
    filter: ['filter'],
    'flat-map': ['flatMap'],
    process: ['processElement'],
    'keyed-process': ['processElement'],
    'co-process': ['processElement1', 'processElement2'],
    'keyed-co-process': ['processElement1', 'processElement2'],
  };
  const needed = methods[kind] ?? [];
  const obj = fn as Record<string, unknown> | null;
  const missing = needed.filter((m) => typeof obj?.[m] !== 'function');
  if (obj === null || typeof obj !== 'object' || missing.length > 0) {
    throw userError(
      'INVALID_JOB',
      `${label} needs a function or an object with ${needed.map((m) => `${m}()`).join(' and ')}`,
      {
        operator: { name: label, definedAt: userCallSite() },
        hint:
          missing.length > 0
            ? `add ${missing.map((m) => `${m}()`).join(', ')} to the object`
            : 'pass a function',
      },
    );
  }
}

/** @internal A readable default name for a user function. */
export function functionName(fn: unknown, fallback: string): string {
  if (typeof fn === 'function' && fn.name !== '' && !fn.name.startsWith('bound ')) return fn.name;
  if (typeof fn === 'object' && fn !== null) {
    const ctor = (fn as { constructor?: { name?: string } }).constructor?.name;
    if (ctor !== undefined && ctor !== 'Object') return ctor;
  }
  return fallback;
}
