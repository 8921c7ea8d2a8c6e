/**
 * Applications: a named, versioned deployment of an artifact with its configuration, as the
 * managed Flink service models them (CreateApplication, UpdateApplication, StartApplication …).
 *
 * @module
 */
import { Type, type Static } from 'typebox';
import { IdSchema, NameSchema, TimestampSchema } from './common.ts';

/** The lifecycle states of an application (see docs/guides/platform.md for the transitions). */
export const ApplicationStatusSchema = Type.Union([
  Type.Literal('READY'),
  Type.Literal('STARTING'),
  Type.Literal('RUNNING'),
  Type.Literal('UPDATING'),
  Type.Literal('STOPPING'),
  Type.Literal('ROLLING_BACK'),
  Type.Literal('AUTOSCALING'),
  Type.Literal('FAILED'),
  Type.Literal('DELETING'),
]);

/** The lifecycle states of an application. */
export type ApplicationStatus = Static<typeof ApplicationStatusSchema>;

const Millis = (description: string) => Type.Integer({ minimum: 0, description });

/** How a crashed or failed job is restarted (Flink's restart strategies). */
export const RestartStrategySchema = Type.Union([
  Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('exponential-backoff'),
      initialDelayMs: Type.Optional(Millis('first delay (default 1000)')),
      maxDelayMs: Type.Optional(Millis('largest delay (default 60000)')),
      attempts: Type.Optional(
        Type.Integer({ minimum: 0, description: 'restarts before FAILED (default 10)' }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('failure-rate'),
      maxFailures: Type.Integer({ minimum: 1 }),
      intervalMs: Millis('window in which maxFailures are tolerated'),
      delayMs: Type.Optional(Millis('delay before each restart (default 1000)')),
    },
    { additionalProperties: false },
  ),
]);

/** How a crashed or failed job is restarted. */
export type RestartStrategy = Static<typeof RestartStrategySchema>;

/**
 * Everything an application can be configured with. Every field is optional; the defaults are
 * listed in docs/guides/platform.md and returned by `GET /v1/applications/{name}` as `effective`.
 */
export const ApplicationConfigSchema = Type.Object(
  {
    parallelism: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    parallelismPerUnit: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    maxParallelism: Type.Optional(Type.Integer({ minimum: 1, maximum: 32768 })),
    resources: Type.Optional(
      Type.Object(
        {
          units: Type.Optional(
            Type.Number({
              minimum: 0.125,
              maximum: 1024,
              multipleOf: 0.125,
              description: 'resource units (1 unit = 1 core + the server unit memory, 4 GiB)',
            }),
          ),
          heapShare: Type.Optional(
            Type.Number({ minimum: 0.2, maximum: 0.95, description: 'V8 heap / memory (0.75)' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    session: Type.Optional(NameSchema),
    properties: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }),
        Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }), Type.String()),
        {
          description:
            'runtime property groups: {group: {key: value}} → ctx.properties "group.key"',
        },
      ),
    ),
    checkpoints: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          intervalMs: Type.Optional(Type.Integer({ minimum: 50 })),
          timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
          minPauseMs: Type.Optional(Millis('pause between checkpoints')),
          retained: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          tolerableFailures: Type.Optional(Type.Integer({ minimum: 0 })),
          mode: Type.Optional(
            Type.Union([Type.Literal('exactly-once'), Type.Literal('at-least-once')]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    restartStrategy: Type.Optional(RestartStrategySchema),
    stateBackend: Type.Optional(
      Type.Object(
        {
          type: Type.Optional(Type.Union([Type.Literal('heap'), Type.Literal('lmdb')])),
          memoryMb: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1_048_576,
              description:
                'lmdb: MiB of cache and write buffer for the whole application, shared by its slots (default 64 per keyed subtask)',
            }),
          ),
          incrementalCheckpoints: Type.Optional(
            Type.Boolean({
              description: 'lmdb: checkpoints write only what changed since the previous one',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536 })),
    autoWatermarkIntervalMs: Type.Optional(Type.Integer({ minimum: 1 })),
    failOnMalformedInput: Type.Optional(Type.Boolean()),
    systemRollback: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          startTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000 })),
          maxFailures: Type.Optional(Type.Integer({ minimum: 1 })),
          windowMs: Type.Optional(Type.Integer({ minimum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Everything an application can be configured with. */
export type ApplicationConfig = Static<typeof ApplicationConfigSchema>;

/** `POST /v1/applications`. */
export const CreateApplicationRequestSchema = Type.Object(
  { name: NameSchema, artifactId: IdSchema, config: Type.Optional(ApplicationConfigSchema) },
  { additionalProperties: false },
);

/** `POST /v1/applications`. */
export type CreateApplicationRequest = Static<typeof CreateApplicationRequestSchema>;

/** `PATCH /v1/applications/{name}`: a new version (new artifact, new config, or both). */
export const UpdateApplicationRequestSchema = Type.Object(
  { artifactId: Type.Optional(IdSchema), config: Type.Optional(ApplicationConfigSchema) },
  { additionalProperties: false, minProperties: 1 },
);

/** `PATCH /v1/applications/{name}`. */
export type UpdateApplicationRequest = Static<typeof UpdateApplicationRequestSchema>;

/** Where a started job takes its state from (the managed service's ApplicationRestoreType). */
export const RestoreModeSchema = Type.Union([
  Type.Literal('SKIP_RESTORE'),
  Type.Literal('RESTORE_FROM_LATEST_SNAPSHOT'),
  Type.Literal('RESTORE_FROM_CUSTOM_SNAPSHOT'),
]);

/** `POST /v1/applications/{name}/start`. */
export const StartApplicationRequestSchema = Type.Object(
  {
    restore: Type.Optional(
      Type.Object(
        {
          mode: RestoreModeSchema,
          snapshot: Type.Optional(IdSchema),
          allowNonRestoredState: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/applications/{name}/start`. */
export type StartApplicationRequest = Static<typeof StartApplicationRequestSchema>;

/** `POST /v1/applications/{name}/stop`. */
export const StopApplicationRequestSchema = Type.Object(
  { snapshot: Type.Optional(Type.Boolean()), force: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** `POST /v1/applications/{name}/stop`. */
export type StopApplicationRequest = Static<typeof StopApplicationRequestSchema>;

/** What an application is given to run with. */
export const ResourcesSchema = Type.Object({
  units: Type.Number(),
  parallelism: Type.Integer(),
  memoryMb: Type.Integer(),
  heapMb: Type.Integer(),
});

/** What an application used, for right-sizing. */
export const UsageSchema = Type.Object({
  cpuSeconds: Type.Number(),
  rssBytes: Type.Integer(),
  peakRssBytes: Type.Integer(),
  recordsPerSecond: Type.Number(),
});

/** Why an application last failed. */
export const FailureSchema = Type.Object({
  at: TimestampSchema,
  reason: Type.String(),
  kind: Type.String({ description: 'CRASH, OUT_OF_MEMORY, JOB_FAILED, START_TIMEOUT, …' }),
});

/** One application, as `GET /v1/applications/{name}` returns it. */
export const ApplicationDescriptionSchema = Type.Object({
  name: NameSchema,
  status: ApplicationStatusSchema,
  version: Type.Integer(),
  artifactId: IdSchema,
  config: ApplicationConfigSchema,
  effective: Type.Object({}, { additionalProperties: true }),
  resources: ResourcesSchema,
  session: Type.Optional(NameSchema),
  job: Type.Optional(
    Type.Object({
      status: Type.String(),
      startedAt: TimestampSchema,
      restoredFrom: Type.Optional(Type.String()),
      restarts: Type.Integer(),
      pid: Type.Optional(Type.Integer()),
    }),
  ),
  lastFailure: Type.Optional(FailureSchema),
  usage: UsageSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

/** One application. */
export type ApplicationDescription = Static<typeof ApplicationDescriptionSchema>;

/** One version of an application (`GET /v1/applications/{name}/versions`). */
export const ApplicationVersionSchema = Type.Object({
  version: Type.Integer(),
  artifactId: IdSchema,
  config: ApplicationConfigSchema,
  createdAt: TimestampSchema,
});

/** One version of an application. */
export type ApplicationVersion = Static<typeof ApplicationVersionSchema>;
