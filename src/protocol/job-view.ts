/**
 * What `GET /v1/applications/{name}/job` answers: the running job as the dashboard draws it —
 * the plan's vertices and edges with per-vertex and per-subtask metrics (records, rates, busy /
 * idle / backpressured time, watermarks), checkpoint history, exception history and Kafka lag —
 * plus the metrics history the server keeps (`GET …/job/history`) and flame-graph requests.
 *
 * Watermarks are epoch milliseconds; `null` where there is none yet (Flink's `Long.MIN_VALUE`).
 *
 * @module
 */
import { Type, type Static } from 'typebox';

const Num = (description?: string) => Type.Number(description === undefined ? {} : { description });
const Watermark = (description: string) =>
  Type.Union([Type.Number(), Type.Null()], { description });

/** Flink's backpressure levels: OK < 10 % of the time backpressured, LOW < 50 %, else HIGH. */
export const BackPressureLevelSchema = Type.Union([
  Type.Literal('OK'),
  Type.Literal('LOW'),
  Type.Literal('HIGH'),
]);

/** Flink's backpressure levels. */
export type BackPressureLevel = Static<typeof BackPressureLevelSchema>;

/** What one subtask (or, summed, one vertex) reports. */
export const TaskMetricsSchema = Type.Object({
  recordsIn: Num('records received (0 for sources)'),
  recordsOut: Num('records emitted'),
  recordsInPerSecond: Num(),
  recordsOutPerSecond: Num(),
  busyTimeMsPerSecond: Num('ms per second busy (a vertex: its busiest subtask)'),
  idleTimeMsPerSecond: Num('ms per second idle (a vertex: its least idle subtask)'),
  backPressuredTimeMsPerSecond: Num(
    'ms per second waiting for downstream capacity (a vertex: its most backpressured subtask)',
  ),
  inputWatermark: Watermark('combined watermark of the inputs (a vertex: the minimum)'),
  outputWatermark: Watermark('last watermark emitted (a vertex: the minimum)'),
  /** Wall clock minus the output watermark, when there is one. */
  watermarkLagMs: Watermark('wall clock minus the output watermark (ms)'),
  lateRecordsDropped: Num(),
});

/** What one subtask (or, summed, one vertex) reports. */
export type TaskMetrics = Static<typeof TaskMetricsSchema>;

/** One subtask of a vertex. */
export const SubtaskViewSchema = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  metrics: TaskMetricsSchema,
  /** The operator's own metrics (counters and gauges its functions registered), by name. */
  userMetrics: Type.Record(Type.String(), Type.Number()),
});

/** One subtask of a vertex. */
export type SubtaskView = Static<typeof SubtaskViewSchema>;

/** One operator of the job graph. */
export const VertexViewSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: Type.String({ description: 'operator kind: source, map, keyed-process, window, sink, …' }),
  uid: Type.Union([Type.String(), Type.Null()]),
  parallelism: Type.Integer({ minimum: 1 }),
  keyed: Type.Boolean(),
  chaining: Type.String(),
  definedAt: Type.Union([Type.String(), Type.Null()], { description: 'file:line:column' }),
  backPressureLevel: BackPressureLevelSchema,
  metrics: TaskMetricsSchema,
  subtasks: Type.Array(SubtaskViewSchema),
});

/** One operator of the job graph. */
export type VertexView = Static<typeof VertexViewSchema>;

/** A connection between two vertices. */
export const EdgeViewSchema = Type.Object({
  source: Type.Integer(),
  target: Type.Integer(),
  input: Type.Integer(),
  partitioning: Type.String(),
  sideOutput: Type.Union([Type.String(), Type.Null()]),
});

/** A connection between two vertices. */
export type EdgeView = Static<typeof EdgeViewSchema>;

/** One checkpoint or savepoint that completed or failed. */
export const CheckpointViewSchema = Type.Object({
  id: Type.Integer(),
  savepoint: Type.Boolean(),
  status: Type.Union([Type.Literal('COMPLETED'), Type.Literal('FAILED')]),
  path: Type.String(),
  triggeredAt: Num('epoch ms'),
  durationMs: Num(),
  sizeBytes: Num(),
  alignmentMs: Num('longest barrier alignment of any subtask'),
  failure: Type.Union([Type.String(), Type.Null()]),
});

/** One checkpoint or savepoint that completed or failed. */
export type CheckpointView = Static<typeof CheckpointViewSchema>;

/** Checkpoint counters and the recent history. */
export const CheckpointsViewSchema = Type.Object({
  completed: Type.Integer(),
  failed: Type.Integer(),
  restarts: Type.Integer({ description: 'in-process restarts of the job' }),
  restoredFrom: Type.Union([Type.String(), Type.Null()]),
  /** Newest first. */
  history: Type.Array(CheckpointViewSchema),
});

/** Checkpoint counters and the recent history. */
export type CheckpointsView = Static<typeof CheckpointsViewSchema>;

/** One failure of a job attempt. */
export const ExceptionViewSchema = Type.Object({
  time: Num('epoch ms'),
  attempt: Type.Integer(),
  operator: Type.Union([Type.String(), Type.Null()]),
  subtask: Type.Union([Type.Integer(), Type.Null()]),
  code: Type.String(),
  message: Type.String(),
  stack: Type.Union([Type.String(), Type.Null()]),
});

/** One failure of a job attempt. */
export type ExceptionView = Static<typeof ExceptionViewSchema>;

/** The consumer lag of one Kafka partition read by a source subtask. */
export const KafkaPartitionLagSchema = Type.Object({
  vertex: Type.Integer(),
  subtask: Type.Integer(),
  topic: Type.String(),
  partition: Type.Integer(),
  lag: Num('records behind the partition end'),
});

/** The consumer lag of one Kafka partition. */
export type KafkaPartitionLag = Static<typeof KafkaPartitionLagSchema>;

/** Kafka sources: lag per partition and offset commits to the consumer group. */
export const KafkaViewSchema = Type.Object({
  partitions: Type.Array(KafkaPartitionLagSchema),
  totalLag: Num(),
  commitsSucceeded: Num(),
  commitsFailed: Num(),
});

/** Kafka sources. */
export type KafkaView = Static<typeof KafkaViewSchema>;

/** The state of the application's job as the server sees it. */
export const JobStateSchema = Type.Union([
  Type.Literal('NOT_RUNNING'),
  Type.Literal('STARTING'),
  Type.Literal('RUNNING'),
  Type.Literal('FINISHED'),
  Type.Literal('CANCELED'),
  Type.Literal('FAILED'),
]);

/** The state of the application's job. */
export type JobState = Static<typeof JobStateSchema>;

/** `GET /v1/applications/{name}/job`. */
export const JobViewSchema = Type.Object({
  application: Type.String(),
  state: JobStateSchema,
  /** When the numbers were read (epoch ms). */
  sampledAt: Num(),
  jobName: Type.Union([Type.String(), Type.Null()]),
  parallelism: Type.Integer({ minimum: 0 }),
  maxParallelism: Type.Integer({ minimum: 0 }),
  uptimeMs: Type.Union([Type.Number(), Type.Null()]),
  heapUsedBytes: Type.Union([Type.Number(), Type.Null()]),
  vertices: Type.Array(VertexViewSchema),
  edges: Type.Array(EdgeViewSchema),
  checkpoints: CheckpointsViewSchema,
  /** Oldest first. */
  exceptions: Type.Array(ExceptionViewSchema),
  kafka: KafkaViewSchema,
});

/** `GET /v1/applications/{name}/job`. */
export type JobView = Static<typeof JobViewSchema>;

const Series = Type.Array(Type.Union([Type.Number(), Type.Null()]), {
  description: 'one value per point of `times`; null where nothing was sampled',
});

/** The history of one vertex. */
export const VertexHistorySchema = Type.Object({
  recordsInPerSecond: Series,
  recordsOutPerSecond: Series,
  busyTimeMsPerSecond: Series,
  backPressuredTimeMsPerSecond: Series,
  watermarkLagMs: Series,
});

/** The history of one vertex. */
export type VertexHistory = Static<typeof VertexHistorySchema>;

/** `GET /v1/applications/{name}/job/history`: what the server sampled, oldest first. */
export const JobHistorySchema = Type.Object({
  application: Type.String(),
  /** Milliseconds between two points. */
  stepMs: Type.Integer(),
  /** How much history the server keeps (ms). */
  retentionMs: Type.Integer(),
  /** Epoch ms of each point. */
  times: Type.Array(Type.Number()),
  /** Records per second out of the sources. */
  throughput: Series,
  /** Kafka consumer lag summed over partitions. */
  kafkaLag: Series,
  /** Busy ms per second of the busiest subtask. */
  busyTimeMsPerSecond: Series,
  /** Duration of the newest checkpoint completed in the step, ms. */
  checkpointDurationMs: Series,
  /** By vertex id. */
  vertices: Type.Record(Type.String(), VertexHistorySchema),
});

/** `GET /v1/applications/{name}/job/history`. */
export type JobHistory = Static<typeof JobHistorySchema>;

/** `POST /v1/applications/{name}/job/flamegraph`: sample one subtask's thread. */
export const FlameGraphRequestSchema = Type.Object(
  {
    vertex: Type.Integer({ minimum: 0, description: 'vertex id (from the job view)' }),
    subtask: Type.Integer({ minimum: 0 }),
    durationMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 60_000, description: 'how long to sample (5000)' }),
    ),
    intervalUs: Type.Optional(
      Type.Integer({
        minimum: 50,
        maximum: 100_000,
        description: 'sampling interval in microseconds (1000)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/applications/{name}/job/flamegraph`. */
export type FlameGraphRequest = Static<typeof FlameGraphRequestSchema>;

/** Who the caller is (`GET /v1/me`): the dashboard shows actions only to deployers and admins. */
export const CallerSchema = Type.Object({
  name: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('deployer'), Type.Literal('admin')]),
});

/** Who the caller is. */
export type Caller = Static<typeof CallerSchema>;
