/**
 * The context every user function receives — the same in map, filter, flatMap, process,
 * window and sink functions, so metrics, state and side outputs work everywhere.
 *
 * @module
 */
import type { MetricGroup } from '../metric-group.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state-descriptor.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state.ts';
import type { OutputTag } from '../output-tag.ts';
import type { RuntimeProperties } from '../runtime-properties.ts';
import type { TimeDomain, TimerService } from './timer-service.ts';

/** Identity of the running subtask. */
export interface TaskInfo {
  readonly jobName: string;
  readonly operatorName: string;
  readonly operatorUid: string | undefined;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Restart attempt, 0 for the first run. */
  readonly attempt: number;
}

/**
 * The context of a user function.
 *
 * Keyed state and timers are only available on keyed streams (after `keyBy`); asking for them
 * elsewhere throws an error that names the operator.
 */
export interface Context<K = unknown> {
  /** Metrics scoped to this operator and subtask. */
  readonly metrics: MetricGroup;
  /** The job's runtime properties. */
  readonly properties: RuntimeProperties;
  /** Which operator and subtask is running. */
  readonly taskInfo: TaskInfo;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /** The key of the record or timer being processed. */
  getCurrentKey(): K;
  /** Event timestamp of the current record (or the firing time in `onTimer`), if it has one. */
  timestamp(): number | undefined;
  /** Timers of the current key. */
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The context of `onTimer`: also says which kind of timer fired. */
export interface OnTimerContext<K = unknown> extends Context<K> {
  timeDomain(): TimeDomain;
}
