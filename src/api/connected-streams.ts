/**
 * Two streams connected for a two-input function (merging topics, enrichment, control streams).
 *
 * @module
 */
import type {
  CoProcessFunction,
  KeyedCoProcessFunction,
} from '../core/functions/co-process-function.ts';
import type { KeySelector } from '../core/functions/key-selector.ts';
import type { StreamEnvironment } from './stream-environment.ts';
import type { NodeSettings } from '../plan/node-kinds.ts';
import type { DataStream as DataStreamType } from './data-stream.ts';
import { ANY_SIDE_OUTPUT, DataStream, checkFunction, functionName } from './data-stream.ts';

/**
 * Two connected streams. Keyed (after `keyBy` on both, or `keyedA.connect(keyedB)`), their
 * function gets keyed state and timers shared by both inputs.
 *
 * @example
 * ```ts
 * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process({
 *   processElement1(order, ctx, out) { ... },
 *   processElement2(payment, ctx, out) { ... },
 * });
 * ```
 */
export class ConnectedStreams<T1, T2, K = unknown> {
  /** @internal */
  constructor(
    readonly env: StreamEnvironment,
    readonly first: DataStreamType<T1>,
    readonly second: DataStreamType<T2>,
    /** @internal Key selectors of both inputs when keyed. */
    readonly keySelectors: readonly [(v: never) => unknown, (v: never) => unknown] | undefined,
  ) {}

  /** Partitions both inputs by key. */
  keyBy<K2>(key1: KeySelector<T1, K2>, key2: KeySelector<T2, K2>): ConnectedStreams<T1, T2, K2> {
    return new ConnectedStreams<T1, T2, K2>(this.env, this.first, this.second, [
      key1 as (v: never) => unknown,
      key2 as (v: never) => unknown,
    ]);
  }

  /** Processes both inputs with one function (keyed when the streams are keyed). */
  process<O>(
    fn: CoProcessFunction<T1, T2, O> | KeyedCoProcessFunction<K, T1, T2, O>,
  ): DataStream<O> {
    const keyed = this.keySelectors !== undefined;
    checkFunction(fn, keyed ? 'keyed-co-process' : 'co-process', 'CoProcess');
    const ks = this.keySelectors;
    const common = {
      name: functionName(fn, keyed ? 'KeyedCoProcess' : 'CoProcess'),
      keyed,
      inputs: [
        { ports: this.first.ports, partitioning: ks ? 'hash' : undefined, keySelector: ks?.[0] },
        { ports: this.second.ports, partitioning: ks ? 'hash' : undefined, keySelector: ks?.[1] },
      ],
      config: {},
      sideOutputs: [ANY_SIDE_OUTPUT],
    } as const;
    const t = keyed
      ? this.env._addTransformation({
          ...common,
          kind: 'keyed-co-process',
          settings: { fn: fn as NodeSettings<'keyed-co-process'>['fn'] },
        })
      : this.env._addTransformation({
          ...common,
          kind: 'co-process',
          settings: { fn: fn as NodeSettings<'co-process'>['fn'] },
        });
    return new DataStream<O>(this.env, [{ node: t.id, tag: undefined }], t);
  }
}
