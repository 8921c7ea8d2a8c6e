/**
 * One run of a job in this process: builds operator subtasks from the plan, wires their channels,
 * opens them, runs the sources, and ends with a result (or the first failure).
 *
 * @module
 */
import type { EnvironmentOptions } from '../api/environment-options.ts';
import type { JobExecutionResult, OperatorSummary } from '../api/job-executor.ts';
import { createRuntimeProperties } from '../api/properties.ts';
import { EddyError, toEddyError } from '../errors/eddy-error.ts';
import { MetricsRegistry } from '../metrics/metrics-registry.ts';
import { PrometheusExporter } from '../metrics/prometheus-exporter.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.ts';
import type { JobGraph, PlanNode } from '../plan/plan.ts';
import { toMillis } from '../util/duration.ts';
import type { ChannelTarget } from './channel.ts';
import { Emitter } from './emitter.ts';
import { InputGate } from './input-gate.ts';
import {
  JobCheckpointing,
  periodicCheckpointing,
  type CheckpointContext,
} from './checkpoint/job-checkpointing.ts';
import type { AbstractStreamOperator } from './operators/abstract-stream-operator.ts';
import { operatorFactory } from './operators/operator-registry.ts';
import type { OperatorSetup } from './operator-setup.ts';
import { connectedTargets, createWriter } from './partitioners.ts';
import { SourceTask } from './source-task.ts';
import { registerBuiltInMetrics } from './built-in-metrics.ts';
import { wallClock } from './wall-clock.ts';

/** One parallel instance of a plan node. */
export interface Subtask {
  readonly node: PlanNode;
  readonly index: number;
  readonly output: Emitter;
  readonly sideOutputs: Map<string, Emitter>;
  readonly operator: AbstractStreamOperator | undefined;
  readonly source: SourceTask | undefined;
  readonly gate: InputGate | undefined;
}

export class JobRun {
  readonly registry = new MetricsRegistry();
  readonly exporter: PrometheusExporter;
  readonly subtasks = new Map<number, Subtask[]>();
  readonly result: Promise<JobExecutionResult>;
  private readonly abort = new AbortController();
  private blockers: Promise<void>[] = [];
  private failure: EddyError | undefined;
  private cancelled = false;
  private readonly started = Date.now();
  private resolveResult!: (r: JobExecutionResult) => void;
  private rejectResult!: (e: unknown) => void;
  private metricsServer: MetricsServer | undefined;
  private meterTicker: ReturnType<typeof setInterval> | undefined;
  private readonly sourcesDone: Promise<void>[] = [];
  /** Checkpointing of this run (set once the subtasks are built). */
  checkpointing: JobCheckpointing | undefined;
  private stopSavepoint: Promise<unknown> | undefined;

  constructor(
    readonly graph: JobGraph,
    readonly options: EnvironmentOptions,
    private readonly checkpointContext: CheckpointContext = {
      store: undefined,
      restore: undefined,
      firstId: 1,
      existing: [],
      log: (m) => process.stderr.write(`eddy: ${m}\n`),
    },
    /** Restart attempt (0 for the first run). */
    readonly attempt = 0,
  ) {
    this.exporter = new PrometheusExporter(this.registry, { job: graph.plan.jobName });
    this.result = new Promise<JobExecutionResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // A failed job is reported through `result`; never leave it unhandled if nobody awaits.
    this.result.catch(() => {});
  }

  get jobName(): string {
    return this.graph.plan.jobName;
  }

  /** Builds, opens and starts the job; the outcome arrives through {@link JobRun.result}. */
  start(): void {
    this.run().then(
      (r) => this.resolveResult(r),
      (e: unknown) => this.rejectResult(toEddyError(e)),
    );
  }

  /**
   * Stops the sources; in-flight records drain to the sinks. With `savepointOnStop`, a savepoint
   * is taken first and the sources stop right after its barrier.
   */
  cancel(): Promise<JobExecutionResult> {
    const dir = this.options.savepointOnStop;
    if (dir !== undefined && !this.cancelled && this.checkpointing !== undefined) {
      this.stopWithSavepoint(dir).then(
        (path) => this.checkpointContext.log(`savepoint written to ${path}`),
        (e: unknown) => {
          this.checkpointContext.log(`savepoint on stop failed: ${(e as Error).message}`);
          this.cancel().catch(() => {});
        },
      );
      return this.result;
    }
    if (!this.cancelled) {
      this.cancelled = true;
      for (const list of this.subtasks.values()) for (const s of list) s.source?.cancel();
    }
    return this.result;
  }

  /** Takes a savepoint into `dir` while the job goes on; resolves with its path. */
  triggerSavepoint(dir: string): Promise<string> {
    const c = this.checkpointing;
    if (c === undefined) return Promise.reject(new Error('the job has not started yet'));
    return c.savepoint(dir, false);
  }

  /** Takes a savepoint into `dir`, stops the sources right after its barrier, ends the job. */
  stopWithSavepoint(dir: string): Promise<string> {
    const c = this.checkpointing;
    if (c === undefined) return Promise.reject(new Error('the job has not started yet'));
    this.cancelled = true;
    const p = c.savepoint(dir, true);
    this.stopSavepoint = p.catch(() => {});
    return p;
  }

  /** Fails the job with `e` (the first failure wins). */
  fail(e: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = toEddyError(e);
    this.abort.abort(this.failure);
    for (const list of this.subtasks.values()) for (const s of list) s.source?.cancel();
  }

  private async run(): Promise<JobExecutionResult> {
    const o = this.options;
    this.build();
    const checkpointing = new JobCheckpointing(
      this.graph.plan,
      this.subtasks,
      o,
      this.checkpointContext,
      {
        runAction: (a) => this.runAction(a),
        addBlocker: (p) => {
          this.blockers.push(p);
        },
      },
    );
    this.checkpointing = checkpointing;
    checkpointing.registerMetrics(this.registry, { job: this.graph.plan.jobName });
    const restore = this.checkpointContext.restore;
    if (restore !== undefined) checkpointing.restore(restore);
    if (o.metricsPort !== undefined) {
      this.metricsServer = await startMetricsServer(this.exporter, o.metricsPort, o.metricsHost);
      process.stderr.write(`eddy: metrics at ${this.metricsServer.url}\n`);
    }
    this.meterTicker = setInterval(() => this.registry.tickMeters(Date.now()), 2000);
    this.meterTicker.unref();
    this.registry.tickMeters(Date.now());
    try {
      // Open from the sinks back to the sources, as Flink does.
      const all = [...this.subtasks.values()].flat().reverse();
      for (const s of all) await s.operator?.open();
      for (const s of all) if (s.gate !== undefined && s.gate.channelCount === 0) s.gate.endAll();
      for (const list of this.subtasks.values()) {
        for (const s of list) {
          if (s.source !== undefined) this.sourcesDone.push(this.runSource(s.source));
        }
      }
      checkpointing.coordinator.start();
      await Promise.all(this.sourcesDone);
      await this.drainBlockers();
      if (this.stopSavepoint !== undefined) await this.stopSavepoint;
      if (
        this.failure === undefined &&
        !this.cancelled &&
        checkpointing.coordinator.periodicEnabled
      ) {
        // Final checkpoint: every task has finished, so it snapshots them directly; completing
        // it commits what the sinks wrote since the last one (exactly-once at the end of input).
        checkpointing.coordinator.pausePeriodic();
        try {
          await checkpointing.coordinator.triggerCheckpoint();
        } catch (e) {
          this.fail(
            new EddyError(`the final checkpoint failed: ${(e as Error).message}`, {
              code: 'CHECKPOINT_FAILED',
              domain: 'external',
              retryable: true,
              cause: e,
            }),
          );
        }
        await this.drainBlockers();
      }
      if (this.failure !== undefined) throw this.failure;
      return this.summary(this.cancelled ? 'CANCELED' : 'FINISHED');
    } finally {
      await this.shutdown();
    }
  }

  private async runSource(task: SourceTask): Promise<void> {
    try {
      await task.run();
    } catch (e) {
      this.fail(e);
    }
  }

  private async drainBlockers(): Promise<void> {
    while (this.blockers.length > 0) {
      const pending = this.blockers;
      this.blockers = [];
      try {
        await Promise.all(pending);
      } catch (e) {
        this.fail(e);
      }
    }
  }

  private async shutdown(): Promise<void> {
    if (this.meterTicker !== undefined) clearInterval(this.meterTicker);
    this.checkpointing?.coordinator.stop();
    if (this.failure !== undefined) await this.checkpointing?.abortPending().catch(() => {});
    for (const list of this.subtasks.values()) {
      for (const s of list) {
        try {
          await s.operator?.close();
          await s.source?.reader.close?.();
        } catch (e) {
          if (this.failure === undefined) this.fail(e);
        }
      }
    }
    await this.metricsServer?.close();
  }

  private summary(status: 'FINISHED' | 'CANCELED'): JobExecutionResult {
    const operators: OperatorSummary[] = [];
    for (const [id, list] of this.subtasks) {
      const node = list[0]?.node;
      if (node === undefined) continue;
      let recordsIn = 0;
      let recordsOut = 0;
      for (const s of list) {
        recordsIn += s.gate?.recordsIn ?? 0;
        recordsOut += s.output.recordsOut;
      }
      operators.push({ id, name: node.name, recordsIn, recordsOut });
    }
    return { jobName: this.jobName, status, durationMs: Date.now() - this.started, operators };
  }

  private build(): void {
    const { plan, bindings } = this.graph;
    const o = this.options;
    const properties = createRuntimeProperties(o.properties);
    const clock = o.processingTimeService ?? wallClock;
    const batchSize = o.batchSize ?? 1024;
    const autoWatermarkInterval = toMillis(o.autoWatermarkInterval ?? 200, 'autoWatermarkInterval');
    const consumedTags = new Map<number, Set<string>>();
    for (const e of plan.edges) {
      if (e.sideOutput === undefined) continue;
      const set = consumedTags.get(e.source) ?? new Set<string>();
      set.add(e.sideOutput);
      consumedTags.set(e.source, set);
    }
    const jobLabels = { job: plan.jobName };
    for (const node of plan.nodes) {
      const binding = bindings.get(node.id) ?? {};
      const list: Subtask[] = [];
      for (let i = 0; i < node.parallelism; i++) {
        const output = new Emitter(batchSize);
        const sideOutputs = new Map<string, Emitter>();
        for (const tag of consumedTags.get(node.id) ?? [])
          sideOutputs.set(tag, new Emitter(batchSize));
        const labels = {
          ...jobLabels,
          operator: node.name,
          operator_id: String(node.id),
          subtask: String(i),
        };
        const metrics = this.registry.group(labels);
        const setup: OperatorSetup = {
          jobName: plan.jobName,
          node,
          binding,
          subtaskIndex: i,
          parallelism: node.parallelism,
          maxParallelism: plan.maxParallelism,
          attempt: this.attempt,
          output,
          sideOutputs,
          metrics,
          properties,
          clock,
          batchSize,
          autoWatermarkInterval,
          failOnMalformedInput: o.failOnMalformedInput ?? false,
          checkpointing: periodicCheckpointing(o),
          stateBackend: o.stateBackend ?? 'heap',
          stateDir: o.stateDir,
          runAction: (action) => this.runAction(action),
          addBlocker: (p) => {
            this.blockers.push(p);
          },
          signal: this.abort.signal,
        };
        let operator: AbstractStreamOperator | undefined;
        let source: SourceTask | undefined;
        let gate: InputGate | undefined;
        if (node.kind === 'source') {
          source = new SourceTask(setup, () => this.waitForBlockers());
          this.registry.derivedCounter(
            'dead_letters',
            'malformed records sent to the dead-letter output',
            labels,
            () => source?.deadLetters ?? 0,
          );
        } else {
          const factory = operatorFactory(node.kind);
          if (factory === undefined) {
            throw new EddyError(`no operator is registered for kind "${node.kind}"`, {
              code: 'INTERNAL',
              domain: 'internal',
              operator: node,
            });
          }
          operator = factory(setup);
          gate = new InputGate(operator);
        }
        registerBuiltInMetrics(this.registry, labels, { output, gate, operator });
        list.push({ node, index: i, output, sideOutputs, operator, source, gate });
      }
      this.subtasks.set(node.id, list);
    }
    for (const edge of plan.edges) {
      const producers = this.subtasks.get(edge.source) ?? [];
      const consumers = this.subtasks.get(edge.target) ?? [];
      const keySelector = bindings.get(edge.target)?.keySelectors?.[edge.input] as
        ((v: unknown) => unknown) | undefined;
      for (const p of producers) {
        const indexes = connectedTargets({
          partitioning: edge.partitioning,
          producerIndex: p.index,
          producerParallelism: producers.length,
          consumerParallelism: consumers.length,
        });
        const targets: ChannelTarget[] = indexes.map((j) =>
          (consumers[j]?.gate as InputGate).addChannel(edge.input),
        );
        const writer = createWriter({
          partitioning: edge.partitioning,
          targets,
          producerIndex: p.index,
          producerParallelism: producers.length,
          keySelector,
          maxParallelism: plan.maxParallelism,
        });
        const emitter =
          edge.sideOutput === undefined ? p.output : p.sideOutputs.get(edge.sideOutput);
        emitter?.addWriter(writer);
      }
    }
    for (const list of this.subtasks.values()) for (const s of list) s.gate?.seal();
  }

  private runAction(action: () => void): void {
    if (this.failure !== undefined) return;
    try {
      action();
    } catch (e) {
      this.fail(e);
    }
  }

  private async waitForBlockers(): Promise<void> {
    if (this.blockers.length > 0) {
      const pending = this.blockers;
      this.blockers = [];
      await Promise.all(pending);
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
