/**
 * Maps plan node kinds to operator constructors (Arroyo's config-driven construction). Features
 * such as windows and joins register their kinds here.
 *
 * @module
 */
import type { OperatorSetup } from '../operator-setup.ts';
import type { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { AsyncWaitOperator } from './async-wait-operator.ts';
import { BroadcastProcessOperator } from './broadcast-process-operator.ts';
import { CoProcessOperator } from './co-process-operator.ts';
import { FilterOperator } from './filter-operator.ts';
import { FlatMapOperator } from './flat-map-operator.ts';
import { MapOperator } from './map-operator.ts';
import { ProcessOperator } from './process-operator.ts';
import { ReduceOperator } from './reduce-operator.ts';
import { SinkOperator } from './sink-operator.ts';
import { TimestampsWatermarksOperator } from './timestamps-watermarks-operator.ts';
import { SessionWindowOperator, canMergeSessions } from './session-window-operator.ts';
import { SlicingWindowOperator, canSlice } from './slicing-window-operator.ts';
import { WindowOperator } from './window-operator.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';
import type { WindowSpec } from '../../time/windowing/window-spec.ts';

/** Creates one operator subtask. */
export type OperatorFactory = (setup: OperatorSetup) => AbstractStreamOperator;

const factories = new Map<string, OperatorFactory>([
  ['map', (s) => new MapOperator(s)],
  ['filter', (s) => new FilterOperator(s)],
  ['flat-map', (s) => new FlatMapOperator(s)],
  ['process', (s) => new ProcessOperator(s)],
  ['keyed-process', (s) => new ProcessOperator(s)],
  ['reduce', (s) => new ReduceOperator(s)],
  ['co-process', (s) => new CoProcessOperator(s)],
  ['keyed-co-process', (s) => new CoProcessOperator(s)],
  ['sink', (s) => new SinkOperator(s)],
  ['timestamps-watermarks', (s) => new TimestampsWatermarksOperator(s)],
  ['async-wait', (s) => new AsyncWaitOperator(s)],
  ['broadcast-process', (s) => new BroadcastProcessOperator(s)],
  ['keyed-broadcast-process', (s) => new BroadcastProcessOperator(s)],
  ['interval-join', (s) => new IntervalJoinOperator(s)],
  ['window', (s) => windowOperator(s)],
]);

/** The window operator for a spec: a specialised one where it applies, else the general one. */
function windowOperator(s: OperatorSetup): AbstractStreamOperator {
  const spec = s.binding.extra?.['window'] as WindowSpec;
  if (canSlice(spec)) return new SlicingWindowOperator(s);
  if (canMergeSessions(spec)) return new SessionWindowOperator(s);
  return new WindowOperator(s);
}

/** Registers the constructor of an operator kind. */
export function registerOperator(kind: string, factory: OperatorFactory): void {
  factories.set(kind, factory);
}

/** The constructor of an operator kind, if known. */
export function operatorFactory(kind: string): OperatorFactory | undefined {
  return factories.get(kind);
}
