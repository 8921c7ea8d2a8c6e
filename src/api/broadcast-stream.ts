/**
 * `BroadcastStream<T>`: a stream whose every record reaches every parallel subtask of the
 * operator it is connected to, together with the broadcast state descriptors it updates.
 *
 * @module
 */
import type { MapStateDescriptor } from '../core/state-descriptor.ts';
import type { StreamEnvironment } from './stream-environment.ts';
import type { StreamPort } from './transformation.ts';

/**
 * A broadcast stream, made by `stream.broadcast(descriptor, ...)`; connect a stream (keyed or
 * not) to it and process both with a (Keyed)BroadcastProcessFunction.
 *
 * @example
 * ```ts
 * const rulesState = new MapStateDescriptor<string, Rule>('rules');
 * const rules = env.fromSource(ruleSource).broadcast(rulesState);
 * events.keyBy((e) => e.user).connect(rules).process(new ApplyRules());
 * ```
 */
export class BroadcastStream<T> {
  /** Marker for type inference; never set. */
  declare readonly __type?: T;

  /** @internal Use `DataStream.broadcast(...descriptors)`. */
  constructor(
    readonly env: StreamEnvironment,
    /** @internal */ readonly ports: readonly StreamPort[],
    /** The broadcast state this stream's function may write. */
    readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {}
}
