/**
 * `StreamEnvironment`: where a job is built and from where it is executed.
 *
 * @module
 */
import { NO_CHECKPOINT_STATS } from '../core/job-status.ts';
import { userError } from '../errors/eddy-error.ts';
import { userCallSite } from '../util/call-site.ts';
import type { Source } from '../core/connector-spi.ts';
import { CollectionSource } from '../connectors/collection/collection-source.ts';
import type { JobGraph, Plan } from '../plan/plan.ts';
import type { WatermarkStrategy } from '../time/watermark-strategy.ts';
import { compilePlan } from './compile-plan.ts';
import { DataStream } from './data-stream.ts';
import type { EnvironmentOptions } from '../core/environment-options.ts';
import { getDefaultExecutor } from '../plan/job-executor.ts';
import type { JobClient, JobExecutionResult } from '../core/job-client.ts';
import { getLaunchContext } from '../plan/launch-context.ts';
import { createRuntimeProperties } from '../core/create-runtime-properties.ts';
import type { RuntimeProperties } from '../core/runtime-properties.ts';
import type { NodeKind } from '../plan/node-kinds.ts';
import type { Transformation, TransformationOf } from './transformation.ts';

/**
 * Fields of a transformation the streams provide; the environment adds id, call site and defaults.
 *
 * @typeParam K - the node kind
 */
export type TransformationSpec<K extends NodeKind> = Omit<
  TransformationOf<K>,
  'id' | 'definedAt' | 'uid' | 'parallelism' | 'keyed' | 'maxParallelism'
> & {
  readonly keyed?: boolean;
  readonly maxParallelism?: number;
};

/**
 * The entry point of every job.
 *
 * @example
 * ```ts
 * import { StreamEnvironment } from 'eddy';
 *
 * const env = StreamEnvironment.create({ parallelism: 1 });
 * env
 *   .fromCollection([{ user: 'a', page: '/' }, { user: 'b', page: '/buy' }])
 *   .filter((e) => e.page === '/buy')
 *   .print();
 * await env.execute('buyers');
 * ```
 */
export class StreamEnvironment {
  /** The settings in force: the launcher's defaults overridden by the options given in code. */
  readonly options: EnvironmentOptions;
  /** Runtime properties, readable while the job is being built. */
  readonly properties: RuntimeProperties;
  private readonly transformations: Transformation[] = [];
  private nextId = 1;

  private constructor(options: EnvironmentOptions) {
    const launch = getLaunchContext();
    const merged: EnvironmentOptions = {
      ...(launch?.defaults ?? {}),
      ...options,
      properties: { ...(launch?.defaults.properties ?? {}), ...(options.properties ?? {}) },
    };
    checkOptions(merged);
    this.options = merged;
    this.properties = createRuntimeProperties(merged.properties);
  }

  /** Creates an environment. Under `eddy run`, the CLI's flags are the defaults. */
  static create(options: EnvironmentOptions = {}): StreamEnvironment {
    return new StreamEnvironment(options);
  }

  /** The default parallelism of operators. */
  get parallelism(): number {
    return this.options.parallelism ?? 1;
  }

  /** A bounded stream of the given items, in order (a non-parallel source). */
  fromCollection<T>(items: Iterable<T>, name = 'Collection'): DataStream<T> {
    return this.fromSource(new CollectionSource<T>(items, name), undefined, name);
  }

  /** A bounded stream of the arguments. */
  fromElements<T>(...items: T[]): DataStream<T> {
    return this.fromCollection(items, 'Elements');
  }

  /** A stream read from a source, with an optional watermark strategy and name. */
  fromSource<T>(
    source: Source<T>,
    watermarkStrategy?: WatermarkStrategy<T>,
    name?: string,
  ): DataStream<T> {
    if (
      source === null ||
      typeof source !== 'object' ||
      typeof source.createReader !== 'function'
    ) {
      throw userError(
        'INVALID_ARGUMENT',
        'fromSource() needs a Source (an object with createReader())',
        {
          hint: 'use a built-in source such as new DataGenSource(...) or FileSource.lines(path)',
        },
      );
    }
    const t = this._addTransformation({
      kind: 'source',
      name: name ?? source.name,
      inputs: [],
      ...(source.maxParallelism !== undefined ? { maxParallelism: source.maxParallelism } : {}),
      settings: {
        source: source as Source<unknown>,
        watermarkStrategy: watermarkStrategy as WatermarkStrategy<unknown> | undefined,
      },
      config: {
        ...source.describe(),
        boundedness: source.boundedness,
        ...(watermarkStrategy !== undefined ? { watermarks: watermarkStrategy.description } : {}),
      },
      sideOutputs: ['dead-letters'],
    });
    return new DataStream<T>(this, [{ node: t.id, tag: undefined }], t);
  }

  /** Builds and validates the job's plan without running it. */
  getJobGraph(jobName?: string): JobGraph {
    return compilePlan(this.transformations, {
      jobName: jobName ?? this.options.jobName ?? 'eddy-job',
      parallelism: this.parallelism,
      maxParallelism: this.options.maxParallelism ?? 128,
    });
  }

  /** The job's plan as frozen data. */
  getPlan(jobName?: string): Plan {
    return this.getJobGraph(jobName).plan;
  }

  /** Starts the job and returns a handle without waiting for it to end. */
  executeAsync(jobName?: string): JobClient {
    const graph = this.getJobGraph(jobName);
    const launch = getLaunchContext();
    if (launch?.mode === 'plan') {
      launch.onPlan(graph.plan);
      const result: JobExecutionResult = {
        jobName: graph.plan.jobName,
        status: 'CANCELED',
        durationMs: 0,
        operators: [],
      };
      return {
        jobName: graph.plan.jobName,
        result: new Promise<JobExecutionResult>(() => {}),
        cancel: async () => result,
        metricsText: async () => '',
        triggerSavepoint: () => Promise.reject(new Error('the job only prints its plan')),
        stopWithSavepoint: () => Promise.reject(new Error('the job only prints its plan')),
        checkpointStats: () => NO_CHECKPOINT_STATS,
        exceptionHistory: () => [],
      };
    }
    if (launch?.mode === 'worker' && launch.submit !== undefined) {
      return launch.submit(graph, this.options);
    }
    const executor = getDefaultExecutor();
    if (executor === undefined) {
      throw userError('INVALID_JOB', 'no runtime is loaded', {
        hint: "import from 'eddy' (its index loads the runtime)",
      });
    }
    const client = executor.execute(graph, this.options);
    launch?.onJob(client, graph.plan);
    return client;
  }

  /**
   * Runs the job. Resolves when a bounded job has processed all input (or a job is cancelled),
   * with its duration and records in/out per operator; rejects with an EddyError on failure.
   */
  execute(jobName?: string): Promise<JobExecutionResult> {
    return this.executeAsync(jobName).result;
  }

  /** @internal Registers an operator; called by the stream classes. */
  _addTransformation<K extends NodeKind>(spec: TransformationSpec<K>): TransformationOf<K> {
    const t: TransformationOf<K> = {
      ...spec,
      id: this.nextId++,
      uid: undefined,
      parallelism: undefined,
      keyed: spec.keyed ?? false,
      maxParallelism: spec.maxParallelism,
      definedAt: userCallSite(),
    };
    // A TransformationOf<K> is one member of the Transformation union; TypeScript cannot see that
    // for a K it does not know yet.
    this.transformations.push(t as Transformation);
    return t;
  }
}

function checkOptions(o: EnvironmentOptions): void {
  const positiveInt = (v: number | undefined, what: string, hint: string) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw userError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${v}`, { hint });
    }
  };
  positiveInt(o.parallelism, 'parallelism', 'use e.g. { parallelism: 2 } or --parallelism 2');
  positiveInt(o.maxParallelism, 'maxParallelism', 'the default, 128, suits most jobs');
  positiveInt(o.batchSize, 'batchSize', 'the default, 1024, suits most jobs');
  if (
    o.runtimeMode !== undefined &&
    o.runtimeMode !== 'threads' &&
    o.runtimeMode !== 'in-process'
  ) {
    throw userError('INVALID_ARGUMENT', `runtimeMode must be 'threads' or 'in-process'`, {
      hint: "use { runtimeMode: 'threads' } or { runtimeMode: 'in-process' }",
    });
  }
  if (
    o.maxParallelism !== undefined &&
    o.parallelism !== undefined &&
    o.parallelism > o.maxParallelism
  ) {
    throw userError(
      'INVALID_ARGUMENT',
      `parallelism ${o.parallelism} exceeds maxParallelism ${o.maxParallelism}`,
    );
  }
}
