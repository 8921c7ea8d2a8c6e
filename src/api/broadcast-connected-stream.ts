/**
 * A stream connected to a broadcast stream, for a (Keyed)BroadcastProcessFunction.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import { userCallSite } from '../util/call-site.ts';
import type { PartitioningKind } from '../plan/plan.ts';
import type { BroadcastStream } from './broadcast-stream.ts';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from '../core/functions/broadcast-process-function.ts';
import type { StreamEnvironment } from './stream-environment.ts';
import type { StreamPort } from './transformation.ts';
import type { NodeSettings } from '../plan/node-kinds.ts';
import { ANY_SIDE_OUTPUT, DataStream, functionName } from './data-stream.ts';

interface NonBroadcastInput {
  readonly ports: readonly StreamPort[];
  readonly partitioning: PartitioningKind | undefined;
  readonly keySelector: ((value: never) => unknown) | undefined;
}

function addBroadcastOperator<O>(
  env: StreamEnvironment,
  input: NonBroadcastInput,
  broadcast: BroadcastStream<unknown>,
  fn: unknown,
): DataStream<O> {
  const keyed = input.keySelector !== undefined;
  const label = keyed ? 'KeyedBroadcastProcess' : 'BroadcastProcess';
  const f = fn as Record<string, unknown> | null;
  const missing = ['processElement', 'processBroadcastElement'].filter(
    (m) => typeof f?.[m] !== 'function',
  );
  if (typeof f !== 'object' || f === null || missing.length > 0) {
    throw userError(
      'INVALID_JOB',
      `${label} needs an object with processElement() and processBroadcastElement()`,
      {
        operator: { name: functionName(fn, label), definedAt: userCallSite() },
        hint: `add ${missing.map((m) => `${m}()`).join(' and ') || 'the methods'} to the object`,
      },
    );
  }
  const common = {
    name: functionName(fn, label),
    keyed,
    inputs: [input, { ports: broadcast.ports, partitioning: 'broadcast', keySelector: undefined }],
    config: { broadcastStates: broadcast.descriptors.map((d) => d.name) },
    sideOutputs: [ANY_SIDE_OUTPUT],
  } as const;
  const descriptors = broadcast.descriptors;
  const t = keyed
    ? env._addTransformation({
        ...common,
        kind: 'keyed-broadcast-process',
        settings: { fn: fn as NodeSettings<'keyed-broadcast-process'>['fn'], descriptors },
      })
    : env._addTransformation({
        ...common,
        kind: 'broadcast-process',
        settings: { fn: fn as NodeSettings<'broadcast-process'>['fn'], descriptors },
      });
  return new DataStream<O>(env, [{ node: t.id, tag: undefined }], t);
}

/**
 * A non-keyed stream connected to a broadcast stream (`stream.connect(broadcastStream)`).
 *
 * @example
 * ```ts
 * const blocked = new MapStateDescriptor<string, true>('blocked');
 * events.connect(blockList.broadcast(blocked)).process(new DropBlocked());
 * ```
 */
export class BroadcastConnectedStream<IN, BC> {
  /** @internal */
  constructor(
    readonly env: StreamEnvironment,
    /** @internal */ readonly input: NonBroadcastInput,
    readonly broadcastStream: BroadcastStream<BC>,
  ) {}

  /** Processes both sides with one function; every subtask holds the full broadcast state. */
  process<O>(fn: BroadcastProcessFunction<IN, BC, O>): DataStream<O> {
    return addBroadcastOperator<O>(
      this.env,
      this.input,
      this.broadcastStream as BroadcastStream<unknown>,
      fn,
    );
  }
}

/**
 * A keyed stream connected to a broadcast stream (`keyed.connect(broadcastStream)`).
 *
 * @example
 * ```ts
 * views.keyBy((v) => v.user).connect(botRules.broadcast(bots)).process(new TagBots());
 * ```
 */
export class KeyedBroadcastConnectedStream<K, IN, BC> {
  /** @internal */
  constructor(
    readonly env: StreamEnvironment,
    /** @internal */ readonly input: NonBroadcastInput,
    readonly broadcastStream: BroadcastStream<BC>,
  ) {}

  /** Processes both sides; keyed state and timers on the keyed side. */
  process<O>(fn: KeyedBroadcastProcessFunction<K, IN, BC, O>): DataStream<O> {
    return addBroadcastOperator<O>(
      this.env,
      this.input,
      this.broadcastStream as BroadcastStream<unknown>,
      fn,
    );
  }
}
