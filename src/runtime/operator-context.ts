/**
 * The context object user functions receive. One per operator subtask, reused for every record
 * (no allocation on the record path): the operator updates its current timestamp and the state
 * backend's current key before calling user code.
 *
 * @module
 */
import type { OnTimerContext, TaskInfo } from '../core/functions/context.ts';
import type { TimeDomain, TimerService } from '../core/functions/timer-service.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { RuntimeProperties } from '../core/runtime-properties.ts';
import { userError, type OperatorRef } from '../errors/eddy-error.ts';
import type { MetricGroup } from '../core/metric-group.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../core/state-descriptor.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../core/state.ts';
import type { ProcessingTimeService } from '../core/environment-options.ts';
import type { Emitter } from './emitter.ts';
import type { InternalTimerService } from './timers/internal-timer-service.ts';

export class OperatorContext implements OnTimerContext<unknown> {
  /** Timestamp of the record or timer being processed (NaN: none). */
  currentTimestamp = Number.NaN;
  /** Domain of the timer being fired. */
  currentTimeDomain: TimeDomain = 'EVENT_TIME';
  /** The operator's current watermark (for non-keyed operators, which have no timer service). */
  currentWatermark = Number.NEGATIVE_INFINITY;
  private readonly timerServiceView: TimerService;

  constructor(
    readonly metrics: MetricGroup,
    readonly properties: RuntimeProperties,
    readonly taskInfo: TaskInfo,
    private readonly operator: OperatorRef,
    private readonly sideOutputs: ReadonlyMap<string, Emitter>,
    private readonly backend: KeyedStateBackend | undefined,
    timers: InternalTimerService | undefined,
    clock: ProcessingTimeService,
  ) {
    this.timerServiceView =
      timers !== undefined ? keyedTimerService(timers, clock) : this.nonKeyedTimerService(clock);
  }

  private keyed(): KeyedStateBackend {
    if (this.backend === undefined) {
      throw userError('NOT_KEYED', 'keyed state is only available on a keyed stream', {
        operator: this.operator,
        hint: 'call keyBy(...) before this operator, or keep the value in a field of the function',
      });
    }
    return this.backend;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyed().getValueState(descriptor);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyed().getListState(descriptor);
  }
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.keyed().getMapState(descriptor);
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyed().getReducingState(descriptor);
  }
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> {
    return this.keyed().getAggregatingState(descriptor);
  }
  getCurrentKey(): unknown {
    return this.keyed().currentRawKey;
  }
  timestamp(): number | undefined {
    const t = this.currentTimestamp;
    return t === t ? t : undefined;
  }
  timerService(): TimerService {
    return this.timerServiceView;
  }
  timeDomain(): TimeDomain {
    return this.currentTimeDomain;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    const e = this.sideOutputs.get(tag.id);
    if (e !== undefined) e.collectWithTimestamp(value, this.currentTimestamp);
  }

  private nonKeyedTimerService(clock: ProcessingTimeService): TimerService {
    const fail = (): never => {
      throw userError('NOT_KEYED', 'timers are only available on a keyed stream', {
        operator: this.operator,
        hint: 'call keyBy(...) before this operator to register timers',
      });
    };
    return {
      currentProcessingTime: () => clock.now(),
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: fail,
      registerProcessingTimeTimer: fail,
      deleteEventTimeTimer: fail,
      deleteProcessingTimeTimer: fail,
    };
  }
}

function keyedTimerService(
  timers: InternalTimerService,
  clock: ProcessingTimeService,
): TimerService {
  return {
    currentProcessingTime: () => clock.now(),
    currentWatermark: () => timers.currentWatermark,
    registerEventTimeTimer: (t) => timers.registerEventTimeTimer(t),
    registerProcessingTimeTimer: (t) => timers.registerProcessingTimeTimer(t),
    deleteEventTimeTimer: (t) => timers.deleteEventTimeTimer(t),
    deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(t),
  };
}
