/**
 * Eddy: stateful stream processing for TypeScript — Flink's DataStream model on Node.js.
 *
 * @example
 * ```ts
 * import { StreamEnvironment, ValueStateDescriptor } from 'eddy';
 *
 * const env = StreamEnvironment.create();
 * env
 *   .fromCollection([{ user: 'a' }, { user: 'b' }, { user: 'a' }])
 *   .keyBy((e) => e.user)
 *   .map(function count(e, ctx) {
 *     const seen = ctx.getState(new ValueStateDescriptor<number>('seen'));
 *     const n = (seen.value() ?? 0) + 1;
 *     seen.update(n);
 *     return { user: e.user, n };
 *   })
 *   .print();
 * await env.execute('count-per-user');
 * ```
 *
 * @module
 */
import { installLocalExecutor } from './runtime/install-local-executor.ts';

// The runtime is imported by the first env.execute(), not here.
installLocalExecutor();

// Environment and streams
export { StreamEnvironment } from './api/stream-environment.ts';
export type { EnvironmentOptions, ProcessingTimeService } from './core/environment-options.ts';
export { DataStream, DataStreamSink } from './api/data-stream.ts';
export { KeyedStream, type FieldArgument } from './api/keyed-stream.ts';
export type { NumberField, RollingAggregation } from './api/rolling-aggregation.ts';
export { ConnectedStreams } from './api/connected-streams.ts';
export { BroadcastStream } from './api/broadcast-stream.ts';
export {
  BroadcastConnectedStream,
  KeyedBroadcastConnectedStream,
} from './api/broadcast-connected-stream.ts';
export { OutputTag } from './core/output-tag.ts';
export { AsyncDataStream } from './api/async-data-stream.ts';
export { ASYNC_FAILURES } from './core/async-failure.ts';
export { LookupJoin } from './api/lookup-join.ts';
export type { LookupJoinOptions, LookupCacheOptions } from './api/lookup-join.ts';
export { LruCache } from './util/lru-cache.ts';
export type { LruEntry } from './util/lru-cache.ts';
export type { AsyncFailure } from './core/async-failure.ts';
export type {
  AsyncWaitOptions,
  AsyncRetryOptions,
  MapAsyncOptions,
} from './core/async-wait-options.ts';
export type { JobClient, JobExecutionResult, OperatorSummary } from './core/job-client.ts';
export type { JobExecutor } from './plan/job-executor.ts';
export type { RuntimeProperties } from './core/runtime-properties.ts';
export { createRuntimeProperties } from './core/create-runtime-properties.ts';

// User functions
export type { Collector } from './core/functions/collector.ts';
export type { Context, OnTimerContext, TaskInfo } from './core/functions/context.ts';
export type { RichFunction } from './core/functions/rich-function.ts';
export type { MapFn, MapFunction } from './core/functions/map-function.ts';
export type { FilterFn, FilterFunction } from './core/functions/filter-function.ts';
export type { FlatMapFn, FlatMapFunction } from './core/functions/flat-map-function.ts';
export type {
  ProcessFn,
  ProcessFunction,
  KeyedProcessFunction,
} from './core/functions/process-function.ts';
export type {
  CoProcessFunction,
  KeyedCoProcessFunction,
} from './core/functions/co-process-function.ts';
export type { ReduceFunction } from './core/functions/reduce-function.ts';
export type { KeySelector } from './core/functions/key-selector.ts';
export type { SinkFn, SinkFunction } from './core/functions/sink-function.ts';
export type { AsyncFn, AsyncFunction } from './core/functions/async-function.ts';
export type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  ReadOnlyContext,
  ReadOnlyOnTimerContext,
  BroadcastContext,
  KeyedBroadcastContext,
} from './core/functions/broadcast-process-function.ts';
export type { TimerService, TimeDomain } from './core/functions/timer-service.ts';

// State
export {
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
} from './core/state-descriptor.ts';
export type {
  AggregateFunction,
  StateTtlConfig,
  StateDescriptorOptions,
  TtlUpdateType,
} from './core/state-descriptor.ts';
export type {
  ValueState,
  ListState,
  MapState,
  ReducingState,
  AggregatingState,
} from './core/state.ts';
export type { BroadcastState, ReadOnlyBroadcastState } from './core/broadcast-state.ts';

// Time
export { WatermarkStrategy } from './time/watermark-strategy.ts';
export type { WatermarkGenerator, WatermarkOutput, TimestampAssigner } from './core/watermark.ts';
export { MIN_WATERMARK, MAX_WATERMARK } from './core/watermark.ts';
export type { Duration } from './util/duration.ts';
export { toMillis } from './util/duration.ts';

// Windows
export { WindowedStream } from './api/windowed-stream.ts';
export { AllWindowedStream } from './api/all-windowed-stream.ts';
export { TimeWindow, GlobalWindow } from './core/window.ts';
export type { Window } from './core/window.ts';
export type {
  WindowAssigner,
  MergingWindowAssigner,
  WindowAssignerContext,
} from './time/windowing/window-assigner.ts';
export type {
  Trigger,
  TriggerContext,
  TriggerResult,
  OnMergeContext,
} from './time/windowing/trigger.ts';
export { TumblingEventTimeWindows } from './time/windowing/assigners/tumbling-event-time-windows.ts';
export { SlidingEventTimeWindows } from './time/windowing/assigners/sliding-event-time-windows.ts';
export { EventTimeSessionWindows } from './time/windowing/assigners/event-time-session-windows.ts';
export { TumblingProcessingTimeWindows } from './time/windowing/assigners/tumbling-processing-time-windows.ts';
export { SlidingProcessingTimeWindows } from './time/windowing/assigners/sliding-processing-time-windows.ts';
export { ProcessingTimeSessionWindows } from './time/windowing/assigners/processing-time-session-windows.ts';
export { GlobalWindows } from './time/windowing/assigners/global-windows.ts';
export { EventTimeTrigger } from './time/windowing/triggers/event-time-trigger.ts';
export { ProcessingTimeTrigger } from './time/windowing/triggers/processing-time-trigger.ts';
export { CountTrigger } from './time/windowing/triggers/count-trigger.ts';
export { ContinuousEventTimeTrigger } from './time/windowing/triggers/continuous-event-time-trigger.ts';
export { ContinuousProcessingTimeTrigger } from './time/windowing/triggers/continuous-processing-time-trigger.ts';
export { PurgingTrigger } from './time/windowing/triggers/purging-trigger.ts';
export { NeverTrigger } from './time/windowing/triggers/never-trigger.ts';
export type { Evictor, EvictorContext, TimestampedValue } from './time/windowing/evictor.ts';
export { CountEvictor } from './time/windowing/evictors/count-evictor.ts';
export { TimeEvictor } from './time/windowing/evictors/time-evictor.ts';
export { DeltaEvictor, type DeltaFunction } from './time/windowing/evictors/delta-evictor.ts';
export type {
  ProcessWindowFunction,
  ProcessWindowFn,
  ProcessWindowContext,
  ProcessAllWindowFunction,
  ProcessAllWindowFn,
  KeyedStateStore,
} from './core/functions/process-window-function.ts';

// Joins
export { JoinedStreams, JoinWhereEqual, WindowedJoin } from './api/joined-streams.ts';
export type { JoinMode } from './api/joined-streams.ts';
export { IntervalJoin, IntervalJoined } from './api/interval-join.ts';
export type { SignedDuration } from './api/interval-join.ts';
export type {
  ProcessJoinFunction,
  ProcessJoinFn,
  ProcessJoinContext,
  JoinFunction,
  CoGroupFunction,
} from './core/functions/process-join-function.ts';

// Metrics
export type { MetricGroup, Counter, Gauge, Histogram, Meter } from './core/metric-group.ts';

// Connectors
export type {
  Source,
  SourceReader,
  SourceOutput,
  SplitOutput,
  SourceReaderContext,
  Sink,
  SinkWriter,
  SinkWriterContext,
  InputStatus,
  Boundedness,
  DeadLetter,
} from './core/connector-spi.ts';
export { CollectionSource } from './connectors/collection/collection-source.ts';
export { IterableSource } from './connectors/collection/iterable-source.ts';
export { CollectSink } from './connectors/collect/collect-sink.ts';
export { PrintSink } from './connectors/print/print-sink.ts';
export type { PrintSinkOptions } from './connectors/print/print-sink.ts';
export { BlackholeSink } from './connectors/blackhole/blackhole-sink.ts';
export { DataGenSource } from './connectors/datagen/datagen-source.ts';
export type { DataGenOptions } from './connectors/datagen/datagen-source.ts';
export { FileSource } from './connectors/files/file-source.ts';
export type { FileSourceOptions, LineDecoder } from './connectors/files/file-source.ts';
export { FileSink } from './connectors/files/file-sink.ts';
export type { FileSinkOptions } from './connectors/files/file-sink.ts';

export { DEAD_LETTERS } from './core/dead-letters.ts';

// Plan and errors
export type { Plan, PlanNode, PlanEdge, PartitioningKind, JobGraph } from './plan/plan.ts';
export { formatPlan } from './plan/format-plan.ts';
export { EddyError } from './errors/eddy-error.ts';
export type { EddyErrorCode, ErrorDomain, OperatorRef } from './errors/eddy-error.ts';
