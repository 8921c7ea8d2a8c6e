/**
 * Runs a BroadcastProcessFunction or KeyedBroadcastProcessFunction: input 0 is the (keyed)
 * stream, reading broadcast state; input 1 is the broadcast stream, writing it. Every subtask
 * receives every broadcast record, so every subtask holds the full broadcast state; checkpoints
 * store it per subtask with `union` distribution (any copy restores it).
 *
 * @module
 */
import type { Collector } from '../../core/functions/collector.ts';
import type { Context } from '../../core/functions/context.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import { userError } from '../../errors/eddy-error.ts';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../core/broadcast-state.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type {
  ListStateDescriptor,
  MapStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../core/state-descriptor.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import { UdfOperator } from './udf-operator.ts';

interface BroadcastFunctionObject {
  processElement(value: unknown, ctx: unknown, out: Collector<unknown>): void;
  processBroadcastElement(value: unknown, ctx: unknown, out: Collector<unknown>): void;
  onTimer?(timestamp: number, ctx: unknown, out: Collector<unknown>): void;
}

/** One broadcast state in a checkpoint. */
export interface BroadcastStateSnapshot {
  readonly name: string;
  readonly entries: readonly (readonly [unknown, unknown])[];
}

class ReadOnlyView implements ReadOnlyBroadcastState<unknown, unknown> {
  constructor(protected readonly map: Map<unknown, unknown>) {}
  get(key: unknown): unknown {
    return this.map.get(key);
  }
  contains(key: unknown): boolean {
    return this.map.has(key);
  }
  entries(): IterableIterator<[unknown, unknown]> {
    return this.map.entries();
  }
  keys(): IterableIterator<unknown> {
    return this.map.keys();
  }
  values(): IterableIterator<unknown> {
    return this.map.values();
  }
  isEmpty(): boolean {
    return this.map.size === 0;
  }
  get size(): number {
    return this.map.size;
  }
}

class WritableView extends ReadOnlyView implements BroadcastState<unknown, unknown> {
  put(key: unknown, value: unknown): void {
    this.map.set(key, value);
  }
  putAll(entries: Iterable<readonly [unknown, unknown]>): void {
    for (const [k, v] of entries) this.map.set(k, v);
  }
  remove(key: unknown): void {
    this.map.delete(key);
  }
  clear(): void {
    this.map.clear();
  }
}

export class BroadcastProcessOperator extends UdfOperator<
  'broadcast-process' | 'keyed-broadcast-process'
> {
  /** Checkpoints give every new subtask every old subtask's copy. */
  override readonly operatorStateDistribution = 'union' as const;
  private readonly states = new Map<string, Map<unknown, unknown>>();
  private readonly readOnly = new Map<string, ReadOnlyView>();
  private readonly writable = new Map<string, WritableView>();
  /** The context of `processElement` and `onTimer`. */
  private readonly readOnlyCtx: Context<unknown>;
  /** The context of `processBroadcastElement`. */
  private readonly broadcastCtx: object;

  constructor(setup: OperatorSetup<'broadcast-process' | 'keyed-broadcast-process'>) {
    super(setup);
    const descriptors = setup.binding.settings.descriptors;
    for (const d of descriptors) {
      const map = new Map<unknown, unknown>();
      this.states.set(d.name, map);
      this.readOnly.set(d.name, new ReadOnlyView(map));
      this.writable.set(d.name, new WritableView(map));
    }
    const ctx = this.ctx;
    // Both contexts delegate to the operator's context (no allocation per record).
    this.readOnlyCtx = Object.assign(Object.create(ctx) as Context<unknown>, {
      getBroadcastState: (d: MapStateDescriptor<unknown, unknown>) => this.view(this.readOnly, d),
    });
    const noKey = (): never => {
      throw userError('NOT_KEYED', 'processBroadcastElement() has no current key', {
        operator: this.ref,
        hint: 'update keyed state from the broadcast side with ctx.applyToKeyedState(descriptor, (key, state) => ...)',
      });
    };
    this.broadcastCtx = {
      metrics: ctx.metrics,
      properties: ctx.properties,
      taskInfo: ctx.taskInfo,
      timestamp: () => ctx.timestamp(),
      currentProcessingTime: () => setup.clock.now(),
      currentWatermark: () => this.currentWatermark,
      output: (tag: { id: string }, value: unknown) =>
        ctx.output(tag as Parameters<typeof ctx.output>[0], value),
      getBroadcastState: (d: MapStateDescriptor<unknown, unknown>) => this.view(this.writable, d),
      applyToKeyedState: (d: StateDescriptor, fn: (key: unknown, state: unknown) => void) =>
        this.applyToKeyedState(d, fn),
      getState: noKey,
      getListState: noKey,
      getMapState: noKey,
      getCurrentKey: noKey,
    };
  }

  processBatch(batch: RecordBatch, input: number): void {
    const { values, timestamps, size } = batch;
    // Both function kinds, seen with the contexts this operator builds.
    const fn: BroadcastFunctionObject = this.fn;
    const ctx = this.ctx;
    const out = this.out;
    if (input === 0) {
      const ks = this.keySelector;
      const backend = this.backend;
      const roCtx = this.readOnlyCtx;
      for (let i = 0; i < size; i++) {
        const v = values[i];
        const t = timestamps[i] as number;
        if (ks !== undefined) backend!.setCurrentKey(ks(v));
        ctx.currentTimestamp = t;
        out.timestamp = t;
        fn.processElement(v, roCtx, out);
      }
    } else {
      const bCtx = this.broadcastCtx;
      for (let i = 0; i < size; i++) {
        const t = timestamps[i] as number;
        ctx.currentTimestamp = t;
        out.timestamp = t;
        fn.processBroadcastElement(values[i], bCtx, out);
      }
    }
    this.flushOutputs();
  }

  protected override onTimer(timer: TimerEntry, domain: TimeDomain): void {
    this.fireOnTimer(timer, domain, this.readOnlyCtx);
  }

  /** Every broadcast state, as `[key, value]` lists. */
  override snapshotOperatorState(_checkpointId?: number): readonly BroadcastStateSnapshot[] {
    return [...this.states].map(([name, map]) => ({ name, entries: [...map] }));
  }

  /**
   * Loads broadcast state from a checkpoint. With `union` distribution every old subtask's copy
   * arrives; they are equal, so loading all of them gives the same map.
   */
  override restoreOperatorState(entries: readonly unknown[]): void {
    for (const e of entries) {
      const s = e as BroadcastStateSnapshot;
      let map = this.states.get(s.name);
      if (map === undefined) {
        // A state no descriptor declares any more: keep it so the next checkpoint still has it.
        map = new Map();
        this.states.set(s.name, map);
      }
      for (const [k, v] of s.entries) map.set(k, v);
    }
  }

  private view<V extends ReadOnlyView>(
    views: Map<string, V>,
    d: MapStateDescriptor<unknown, unknown>,
  ): V {
    const v = views.get(d.name);
    if (v === undefined) {
      const declared = [...this.states.keys()].map((n) => `"${n}"`).join(', ') || 'none';
      throw userError('STATE_ERROR', `broadcast state "${d.name}" was not declared`, {
        operator: this.ref,
        hint: `pass its descriptor to stream.broadcast(...) (declared: ${declared})`,
      });
    }
    return v;
  }

  private applyToKeyedState(d: StateDescriptor, fn: (key: unknown, state: unknown) => void): void {
    const backend = this.backend as HeapKeyedStateBackend | undefined;
    if (backend === undefined) {
      throw userError('NOT_KEYED', 'applyToKeyedState() needs a keyed stream', {
        operator: this.ref,
        hint: 'call keyBy(...) on the non-broadcast stream before connect(broadcastStream)',
      });
    }
    let state: unknown;
    switch (d.kind) {
      case 'value':
        state = backend.getValueState(d as ValueStateDescriptor<unknown>);
        break;
      case 'list':
        state = backend.getListState(d as ListStateDescriptor<unknown>);
        break;
      case 'map':
        state = backend.getMapState(d as MapStateDescriptor<unknown, unknown>);
        break;
      default:
        throw userError('STATE_ERROR', `applyToKeyedState() does not support ${d.kind} state`, {
          operator: this.ref,
          hint: 'use a ValueStateDescriptor, ListStateDescriptor or MapStateDescriptor',
        });
    }
    const table = backend.states.get(d.name);
    if (table === undefined) return;
    const previous = backend.currentRawKey;
    const previousNormalized = backend.currentKey;
    try {
      for (const k of [...table.entries.keys()]) {
        const raw = backend.rawKeys.get(k) ?? k;
        backend.setCurrentKeyNormalized(k, raw);
        fn(raw, state);
      }
    } finally {
      backend.setCurrentKeyNormalized(previousNormalized, previous);
    }
  }
}
