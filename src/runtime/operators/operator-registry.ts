/**
 * The operator of every plan node kind (Arroyo's config-driven construction): one table, typed by
 * the node kinds of `plan/node-kinds.ts`, so a kind added there without an operator here fails to
 * compile, and each factory receives a setup whose node config and binding settings are typed by
 * its kind. Sources are not operators: the wiring gives them a `SourceTask`.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';
import type { OperatorKind } from '../../plan/node-kinds.ts';
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

/**
 * Creates one subtask of the operator of kind `K`.
 *
 * @typeParam K - the node kind
 */
export type OperatorFactory<K extends OperatorKind> = (
  setup: OperatorSetup<K>,
) => AbstractStreamOperator;

/** Every operator kind and its factory. */
const OPERATORS: { readonly [K in OperatorKind]: OperatorFactory<K> } = {
  map: (s) => new MapOperator(s),
  filter: (s) => new FilterOperator(s),
  'flat-map': (s) => new FlatMapOperator(s),
  process: (s) => new ProcessOperator(s),
  'keyed-process': (s) => new ProcessOperator(s),
  reduce: (s) => new ReduceOperator(s),
  'co-process': (s) => new CoProcessOperator(s),
  'keyed-co-process': (s) => new CoProcessOperator(s),
  sink: (s) => new SinkOperator(s),
  'timestamps-watermarks': (s) => new TimestampsWatermarksOperator(s),
  'async-wait': (s) => new AsyncWaitOperator(s),
  'broadcast-process': (s) => new BroadcastProcessOperator(s),
  'keyed-broadcast-process': (s) => new BroadcastProcessOperator(s),
  'interval-join': (s) => new IntervalJoinOperator(s),
  // A specialised window operator where one applies (ADR 0004, ADR 0007), else the general one.
  window: (s) => {
    if (canSlice(s.binding.settings)) return new SlicingWindowOperator(s);
    if (canMergeSessions(s.binding.settings)) return new SessionWindowOperator(s);
    return new WindowOperator(s);
  },
};

/** Whether a setup is that of an operator (not a source), its node and binding of one kind. */
function isOperatorSetup(setup: OperatorSetup): setup is OperatorSetup<OperatorKind> {
  return setup.node.kind !== 'source' && setup.binding.kind === setup.node.kind;
}

function create<K extends OperatorKind>(kind: K, setup: OperatorSetup<K>): AbstractStreamOperator {
  const factory: OperatorFactory<K> = OPERATORS[kind];
  return factory(setup);
}

/** Creates the operator subtask of a setup (any node kind but `source`). */
export function createOperator(setup: OperatorSetup): AbstractStreamOperator {
  if (!isOperatorSetup(setup)) {
    throw new EddyError(
      `a ${setup.node.kind} node with a ${setup.binding.kind} binding is not an operator`,
      { code: 'INTERNAL', domain: 'internal', operator: setup.node },
    );
  }
  return create(setup.node.kind, setup);
}
