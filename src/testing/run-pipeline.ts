/**
 * `runPipeline`: a whole job through the production runtime, with named sources replaced by
 * in-memory scripts, every sink collected, and virtual processing time.
 *
 * @module
 */
import { getDefaultExecutor } from '../plan/job-executor.ts';
import type { JobClient, JobExecutionResult } from '../core/job-client.ts';
import type { OutputTag } from '../core/output-tag.ts';
import { StreamEnvironment } from '../api/stream-environment.ts';
import { CollectSink } from '../connectors/collect/collect-sink.ts';
import { userError } from '../errors/eddy-error.ts';
import type { MetricSample, MetricValue } from '../core/metric-sample.ts';
import { bindingOf } from '../plan/binding-of.ts';
import type { JobGraph, NodeBinding, PlanEdge, PlanNode } from '../plan/plan.ts';
import { validatePlan } from '../plan/validate-plan.ts';
import { LocalExecutor } from '../runtime/local-executor.ts';
import type { Duration } from '../util/duration.ts';
import type { TimestampedValue } from './collecting-writer.ts';
import { ManualClock } from './manual-clock.ts';
import { metricKey, type MetricValues } from './metric-values.ts';
import { TestSource } from './test-source.ts';

/** Settings of {@link runPipeline}. */
export interface RunPipelineOptions {
  /**
   * Sources to replace, by the name given in `fromSource(source, strategy, name)` /
   * `fromCollection(items, name)` or by uid: an array of records, or a scripted
   * {@link TestSource}. The source's watermark strategy is kept. Other sources run as they are.
   */
  readonly sources?: Readonly<Record<string, readonly unknown[] | TestSource<unknown>>>;
  /** Side outputs to collect from every operator that may emit them (by tag). */
  readonly sideOutputs?: readonly OutputTag<unknown>[];
  /**
   * `true` (default): test sources end after their script, with a final watermark at +∞, as
   * bounded input does. `false`: they go quiet instead and the job is cancelled once every test
   * source has played its script — no final watermark, so pending event-time windows and timers
   * do not fire.
   */
  readonly bounded?: boolean;
  /** Initial virtual processing time in ms (default 0). */
  readonly processingTime?: number;
  /** Default parallelism (default 1). */
  readonly parallelism?: number;
  /** Number of key groups (default 128). */
  readonly maxParallelism?: number;
  /** Runtime properties. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Records per batch (default 1024). */
  readonly batchSize?: number;
  /** Periodic watermark interval, in virtual processing time (default 200 ms). */
  readonly autoWatermarkInterval?: Duration;
  /** Job name (default `test-pipeline`). */
  readonly jobName?: string;
}

/** What a pipeline run produced. */
export interface PipelineResult {
  /** Records that reached each sink, by sink uid or name (`name (2)` for a repeated name). */
  readonly sinks: Readonly<Record<string, readonly unknown[]>>;
  /** Records of each collected side output, by tag id. */
  readonly sideOutputs: Readonly<Record<string, readonly unknown[]>>;
  /**
   * Metrics by operator uid or name: counters and meters summed over subtasks, gauges the
   * minimum over subtasks (watermarks combine that way).
   */
  readonly metrics: Readonly<Record<string, MetricValues>>;
  /** How the job ended, with records in/out per operator. */
  readonly result: JobExecutionResult;
  /** The records of one sink; fails listing the sink names when there is no such sink. */
  sink<T>(name: string): T[];
  /** The records of one sink with their event timestamps. */
  sinkWithTimestamps<T>(name: string): TimestampedValue<T>[];
  /** The records of a side output given in {@link RunPipelineOptions.sideOutputs}. */
  sideOutput<T>(tag: OutputTag<T>): T[];
}

/**
 * Runs the job `build` defines on a fresh environment, through the same executor
 * `env.execute()` uses, with the named sources replaced by in-memory records and every sink
 * collected. Processing time is virtual (a {@link ManualClock} starting at 0) and moves only with
 * the `processingTime` steps of test sources. `build` must only build the job, not execute it.
 *
 * @example
 * ```ts
 * // job.ts
 * export function buildJob(env: StreamEnvironment) {
 *   env
 *     .fromSource(kafkaSource, undefined, 'events')
 *     .keyBy((e) => e.user)
 *     .flatMap(new BotTagEnrichment())
 *     .sinkTo(kafkaSink)
 *     .name('tagged');
 * }
 * // job.test.ts
 * const { sink } = await runPipeline(buildJob, { sources: { events: [e1, e2, e3] } });
 * assert.deepEqual(sink('tagged'), [...]);
 * ```
 */
export async function runPipeline(
  build: (env: StreamEnvironment) => void | Promise<void>,
  options: RunPipelineOptions = {},
): Promise<PipelineResult> {
  const clock = new ManualClock(options.processingTime ?? 0);
  const env = StreamEnvironment.create({
    parallelism: options.parallelism ?? 1,
    jobName: options.jobName ?? 'test-pipeline',
    handleSignals: false,
    processingTimeService: clock,
    ...(options.maxParallelism !== undefined ? { maxParallelism: options.maxParallelism } : {}),
    ...(options.properties !== undefined ? { properties: options.properties } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.autoWatermarkInterval !== undefined
      ? { autoWatermarkInterval: options.autoWatermarkInterval }
      : {}),
  });
  await build(env);
  const original = env.getJobGraph();
  const bounded = options.bounded ?? true;

  // The job is cancelled from inside a source's poll, once every test source has played its
  // script (unbounded runs only), so the client is looked up when that happens.
  const running: { client?: JobClient } = {};
  let pendingSources = 0;
  const onExhausted = () => {
    pendingSources--;
    if (pendingSources === 0 && !bounded) void running.client?.cancel();
  };

  const { plan } = original;
  const bindings = new Map(original.bindings);
  const keys = operatorKeys(plan.nodes);

  // Sources: replace the named ones.
  for (const [name, spec] of Object.entries(options.sources ?? {})) {
    const matches = plan.nodes.filter(
      (n) => n.kind === 'source' && (n.name === name || n.uid === name),
    );
    if (matches.length === 0) {
      const names = plan.nodes
        .filter((n) => n.kind === 'source')
        .map((n) => `"${n.name}"${n.uid !== undefined ? ` (uid "${n.uid}")` : ''}`);
      throw userError('INVALID_ARGUMENT', `runPipeline: the job has no source named "${name}"`, {
        hint: `the job's sources are ${names.join(', ') || '(none)'}; name a source with fromSource(source, strategy, 'name') or .uid('name')`,
      });
    }
    if (matches.length > 1) {
      throw userError(
        'INVALID_ARGUMENT',
        `runPipeline: ${matches.length} sources are named "${name}"`,
        { hint: 'give each source a distinct uid with .uid(...) and replace it by uid' },
      );
    }
    const node = matches[0] as PlanNode;
    const source = (Array.isArray(spec) ? TestSource.of(spec) : (spec as TestSource<unknown>)).bind(
      { clock, bounded, onExhausted },
    );
    pendingSources++;
    const binding = bindingOf(original, node);
    const watermarkStrategy =
      binding.kind === 'source' ? binding.settings.watermarkStrategy : undefined;
    bindings.set(node.id, { kind: 'source', settings: { source, watermarkStrategy } });
  }

  // Sinks: collect every one.
  const sinks = new Map<string, CollectSink<unknown>>();
  for (const node of plan.nodes) {
    if (node.kind !== 'sink') continue;
    const key = keys.get(node.id) as string;
    const sink = new CollectSink<unknown>(node.name);
    sinks.set(key, sink);
    bindings.set(node.id, { kind: 'sink', settings: { sink } });
  }

  // Side outputs: a collecting sink on every operator that may emit the tag.
  const nodes = [...plan.nodes];
  const edges: PlanEdge[] = [...plan.edges];
  const sideSinks = new Map<string, CollectSink<unknown>>();
  let nextId = Math.max(0, ...plan.nodes.map((n) => n.id)) + 1;
  for (const tag of options.sideOutputs ?? []) {
    const sink = new CollectSink<unknown>(`side-output:${tag.id}`);
    sideSinks.set(tag.id, sink);
    for (const node of plan.nodes) {
      if (!node.sideOutputs.includes('*') && !node.sideOutputs.includes(tag.id)) continue;
      const id = nextId++;
      nodes.push(
        Object.freeze({
          id,
          kind: 'sink',
          name: `side-output:${tag.id}`,
          uid: undefined,
          parallelism: node.parallelism,
          keyed: false,
          inputs: 1,
          sideOutputs: Object.freeze([]),
          definedAt: undefined,
          config: Object.freeze({ kind: 'collect' }),
          chaining: 'always' as const,
        }),
      );
      edges.push(
        Object.freeze({
          source: node.id,
          target: id,
          input: 0,
          partitioning: 'forward',
          sideOutput: tag.id,
        }),
      );
      bindings.set(id, Object.freeze<NodeBinding>({ kind: 'sink', settings: { sink } }));
    }
  }

  const testPlan = Object.freeze({
    ...plan,
    nodes: Object.freeze(nodes),
    edges: Object.freeze(edges),
  });
  validatePlan(testPlan);
  const graph: JobGraph = Object.freeze({ plan: testPlan, bindings });
  const executor = getDefaultExecutor() ?? new LocalExecutor();
  const client = executor.execute(graph, env.options);
  running.client = client;
  const result = await client.result;

  const sinkRecords: Record<string, readonly unknown[]> = {};
  for (const [k, s] of sinks) sinkRecords[k] = s.values;
  const sideRecords: Record<string, readonly unknown[]> = {};
  for (const [k, s] of sideSinks) sideRecords[k] = s.values;
  const metrics = metricsByOperator(client.metrics?.() ?? [], keys);

  const sinkOf = (name: string): CollectSink<unknown> => {
    const s = sinks.get(name);
    if (s === undefined) {
      throw userError('INVALID_ARGUMENT', `runPipeline: the job has no sink named "${name}"`, {
        hint: `its sinks are ${[...sinks.keys()].map((k) => `"${k}"`).join(', ') || '(none)'}; name a sink with .name('...') or .uid('...')`,
      });
    }
    return s;
  };
  return {
    sinks: sinkRecords,
    sideOutputs: sideRecords,
    metrics,
    result,
    sink: <T>(name: string) => sinkOf(name).values as T[],
    sinkWithTimestamps: <T>(name: string) => {
      const s = sinkOf(name);
      return s.values.map((value, i) => {
        const t = s.timestamps[i] as number;
        return { value: value as T, timestamp: t === t ? t : undefined };
      });
    },
    sideOutput: <T>(tag: OutputTag<T>) => {
      const s = sideSinks.get(tag.id);
      if (s === undefined) {
        throw userError(
          'INVALID_ARGUMENT',
          `runPipeline: side output "${tag.id}" was not collected`,
          {
            hint: 'list the tag in runPipeline(build, { sideOutputs: [tag] })',
          },
        );
      }
      return s.values as T[];
    },
  };
}

/** A readable, unique key per operator: its uid, else its name (`name (2)` when repeated). */
function operatorKeys(nodes: readonly PlanNode[]): Map<number, string> {
  const keys = new Map<number, string>();
  const used = new Map<string, number>();
  for (const n of nodes) {
    const base = n.uid ?? n.name;
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    keys.set(n.id, count === 1 ? base : `${base} (${count})`);
  }
  return keys;
}

/** Combines the samples of each operator's subtasks. */
function metricsByOperator(
  samples: readonly MetricSample[],
  keys: ReadonlyMap<number, string>,
): Record<string, MetricValues> {
  const out: Record<string, Record<string, MetricValue>> = {};
  for (const s of samples) {
    const id = Number(s.labels['operator_id']);
    const op = keys.get(id) ?? s.labels['operator'] ?? '?';
    const values = (out[op] ??= {});
    const key = metricKey(s);
    const prev = values[key];
    values[key] = prev === undefined ? s.value : combine(s.type, prev, s.value);
  }
  return out;
}

function combine(type: MetricSample['type'], a: MetricValue, b: MetricValue): MetricValue {
  if (typeof a === 'number' && typeof b === 'number')
    return type === 'gauge' ? Math.min(a, b) : a + b;
  if (typeof a === 'object' && typeof b === 'object') {
    if ('rate' in a && 'rate' in b) return { count: a.count + b.count, rate: a.rate + b.rate };
    if ('sum' in a && 'sum' in b)
      return {
        ...a,
        count: a.count + b.count,
        sum: a.sum + b.sum,
        min: Math.min(a.min, b.min),
        max: Math.max(a.max, b.max),
      };
  }
  return a;
}
