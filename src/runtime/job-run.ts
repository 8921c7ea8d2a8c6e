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
  localCheckpointContext,
  periodicCheckpointing,
  type CheckpointContext,
} from './checkpoint/job-checkpointing.ts';
import type { AbstractStreamOperator } from './operators/abstract-stream-operator.ts';
import { operatorFactory } from './operators/operator-registry.ts';
import type { OperatorSetup } from './operator-setup.ts';
import { connectedTargets, createWriter } from './partitioners.ts';
import { SourceTask } from './source-task.ts';
import type { AttemptCheckpointStats, JobAttempt } from './recovery/job-attempt.ts';
import { sampleMetrics, type MetricSample } from '../metrics/metric-sample.ts';
import { fuseChains } from './fusion/chain-fusion.ts';
import { registerBuiltInMetrics } from './built-in-metrics.ts';
import { wallClock } from './wall-clock.ts';
import type { MetricLabels } from '../metrics/metrics-registry.ts';
import type { SlotPlacement } from './parallel/slot-placement.ts';
import { backPressureLevel, backPressureLevelValue, type TaskTimes } from './task-times.ts';

/** One parallel instance of a plan node. */
export interface Subtask {
  readonly node: PlanNode;
  readonly index: number;
  readonly output: Emitter;
  readonly sideOutputs: Map<string, Emitter>;
  readonly operator: AbstractStreamOperator | undefined;
  readonly source: SourceTask | undefined;
  readonly gate: InputGate | undefined;
  /** Busy / idle / backpressured time of the subtask. */
  readonly times: TaskTimes;
}

/**
 * Runs a job graph: every subtask in this thread, or (with a {@link SlotPlacement}) only the
 * subtasks of one slot, with cross-thread channels to the other slots.
 */
export class JobRun implements JobAttempt {
  readonly registry = new MetricsRegistry();
  readonly exporter: PrometheusExporter;
  readonly subtasks = new Map<number, Subtask[]>();
  readonly result: Promise<JobExecutionResult>;
  private readonly abort = new AbortController();
  private markFailed!: () => void;
  private readonly failed = new Promise<void>((resolve) => (this.markFailed = resolve));
  private readonly blockers = new Set<Promise<void>>();
  private failure: EddyError | undefined;
  private cancelled = false;
  private readonly started = Date.now();
  private resolveResult!: (r: JobExecutionResult) => void;
  private rejectResult!: (e: unknown) => void;
  private metricsServer: MetricsServer | undefined;
  private meterTicker: ReturnType<typeof setInterval> | undefined;
  private timesTicker: ReturnType<typeof setInterval> | undefined;
  private readonly sourcesDone: Promise<void>[] = [];
  private runningSince: number | undefined;
  private resolveRunning!: () => void;
  /** Resolves when every subtask is open and the sources are about to start. */
  readonly running = new Promise<void>((resolve) => (this.resolveRunning = resolve));
  /** Awaited after opening, before the sources start (the threaded runtime's start barrier). */
  beforeStart: (() => Promise<void>) | undefined;
  /** Checkpointing of this run (set once the subtasks are built). */
  checkpointing: JobCheckpointing | undefined;
  private stopSavepoint: Promise<unknown> | undefined;

  constructor(
    readonly graph: JobGraph,
    readonly options: EnvironmentOptions,
    private readonly checkpointContext: CheckpointContext = localCheckpointContext(),
    /** Restart attempt (0 for the first run). */
    readonly attempt = 0,
    /** Set in a worker thread of the parallel runtime: run only this slot's subtasks. */
    private readonly placement?: SlotPlacement,
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
   * Stops the sources; in-flight records drain to the sinks. (A savepoint on stop is the
   * supervisor's: it calls {@link JobRun.stopWithSavepoint}.)
   */
  cancel(): Promise<JobExecutionResult> {
    this.cancelled = true;
    for (const list of this.subtasks.values()) for (const s of list) s.source?.cancel();
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

  checkpointStats(): AttemptCheckpointStats | undefined {
    return this.checkpointing?.coordinator.stats();
  }

  metricsText(): Promise<string> {
    return this.exporter.render();
  }

  metrics(): readonly MetricSample[] {
    return sampleMetrics(this.registry);
  }

  /** Fails the job with `e` (the first failure wins). */
  fail(e: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = toEddyError(e);
    this.markFailed();
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
        addBlocker: (p) => this.addBlocker(p),
      },
    );
    this.checkpointing = checkpointing;
    checkpointing.registerMetrics(this.registry, { job: this.graph.plan.jobName });
    this.registry.derivedGauge(
      'restarts',
      'in-process restarts of the job so far',
      { job: this.graph.plan.jobName },
      () => this.attempt,
    );
    this.registry.derivedGauge(
      'uptime_ms',
      'time since this attempt of the job started',
      { job: this.graph.plan.jobName },
      () => Date.now() - this.started,
    );
    const restore = this.checkpointContext.restore;
    if (restore !== undefined) checkpointing.restore(restore);
    if (o.metricsPort !== undefined) {
      this.metricsServer = await startMetricsServer(this.exporter, o.metricsPort, o.metricsHost);
      process.stderr.write(`eddy: metrics at ${this.metricsServer.url}\n`);
    }
    this.meterTicker = setInterval(() => this.registry.tickMeters(Date.now()), 2000);
    this.meterTicker.unref();
    this.registry.tickMeters(Date.now());
    this.timesTicker = setInterval(() => this.tickTimes(), 1000);
    this.timesTicker.unref();
    try {
      // Open from the sinks back to the sources, as Flink does.
      const all = [...this.subtasks.values()].flat().reverse();
      for (const s of all) await s.operator?.open();
      for (const s of all) if (s.gate !== undefined && s.gate.channelCount === 0) s.gate.endAll();
      if (this.beforeStart !== undefined) await this.beforeStart();
      this.runningSince = Date.now();
      this.resolveRunning();
      // Cross-thread input is delivered from now on (messages that came earlier were queued).
      const inputsEnded = this.placement?.start({
        addBlocker: (p) => this.addBlocker(p),
        fail: (e) => this.fail(e),
      });
      for (const list of this.subtasks.values()) {
        for (const s of list) {
          if (s.source !== undefined) this.sourcesDone.push(this.runSource(s.source));
        }
      }
      checkpointing.coordinator.start();
      await Promise.all(this.sourcesDone);
      // A failed slot stops waiting for input that the other slots will never end.
      if (inputsEnded !== undefined) await Promise.race([inputsEnded, this.failed]);
      await this.drainBlockers();
      if (this.stopSavepoint !== undefined) await this.stopSavepoint;
      const remote = this.checkpointContext.remote;
      if (remote !== undefined) {
        // On a worker thread the main thread's coordinator takes the final checkpoint, once
        // every thread has finished; its completion commits the sinks here.
        if (this.failure === undefined) {
          await Promise.race([remote.finalCheckpoint(), this.failed]);
          await this.drainBlockers();
        }
      } else if (
        this.failure === undefined &&
        !this.cancelled &&
        checkpointing.coordinator.periodicEnabled
      ) {
        // Final checkpoint: every task has finished, so it snapshots them directly (exactly-once
        // at the end of input).
        await checkpointing.coordinator
          .triggerFinalCheckpoint()
          .catch((e: unknown) => this.fail(e));
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
    try {
      await this.waitForBlockers();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Computes the per-second busy / idle / backpressured values of every subtask. */
  tickTimes(): void {
    const now = performance.now();
    for (const list of this.subtasks.values()) for (const s of list) s.times.tick(now);
  }

  private async shutdown(): Promise<void> {
    if (this.meterTicker !== undefined) clearInterval(this.meterTicker);
    if (this.timesTicker !== undefined) clearInterval(this.timesTicker);
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
    const durationMs = Math.max(1, Date.now() - this.started);
    const runningMs = Math.max(1, Date.now() - (this.runningSince ?? this.started));
    for (const [id, list] of this.subtasks) {
      const node = list[0]?.node;
      if (node === undefined) continue;
      let recordsIn = 0;
      let recordsOut = 0;
      let busyMs = 0;
      let backPressuredMs = 0;
      for (const s of list) {
        recordsIn += s.gate?.recordsIn ?? 0;
        recordsOut += s.output.recordsOut;
        busyMs += s.times.busyMs;
        backPressuredMs = Math.max(backPressuredMs, s.times.backPressuredMs);
      }
      operators.push({
        id,
        name: node.name,
        recordsIn,
        recordsOut,
        busyMs: Math.round(busyMs),
        backPressuredMs: Math.round(backPressuredMs),
        backPressureLevel: backPressureLevel(backPressuredMs / runningMs),
      });
    }
    return { jobName: this.jobName, status, durationMs, operators };
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
        if (this.placement !== undefined && i !== this.placement.slot) continue;
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
          addBlocker: (p) => this.addBlocker(p),
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
        const times = source?.times ?? (gate as InputGate).times;
        registerTimeMetrics(this.registry, labels, times);
        list.push({ node, index: i, output, sideOutputs, operator, source, gate, times });
      }
      this.subtasks.set(node.id, list);
      if (this.placement === undefined && list.length > 0) {
        // The vertex level; in the parallel runtime the coordinator derives it over all slots.
        this.registry.derivedGauge(
          'backPressureLevel',
          'backpressure level of the vertex: 0 OK (< 10 %), 1 LOW (< 50 %), 2 HIGH',
          { ...jobLabels, operator: node.name, operator_id: String(node.id) },
          () => {
            let max = 0;
            for (const s of list) max = Math.max(max, s.times.backPressuredPerSecond);
            return backPressureLevelValue(backPressureLevel(max / 1000));
          },
        );
      }
    }
    // Channels are numbered the same way in every slot: edge by edge, producer by producer.
    let channel = 0;
    // Per producer subtask, the consumer of each channel of its main output (operator fusion).
    const mainConsumers = new Map<Subtask, (Subtask | undefined)[]>();
    const nodeById = new Map(plan.nodes.map((n) => [n.id, n]));
    for (const edge of plan.edges) {
      const producerNode = nodeById.get(edge.source) as PlanNode;
      const consumerNode = nodeById.get(edge.target) as PlanNode;
      const producers = this.subtasks.get(edge.source) ?? [];
      const consumers = this.subtasks.get(edge.target) ?? [];
      const keySelector = bindings.get(edge.target)?.keySelectors?.[edge.input] as
        ((v: unknown) => unknown) | undefined;
      const custom = bindings.get(edge.target)?.customPartitioners?.[edge.input];
      for (let pi = 0; pi < producerNode.parallelism; pi++) {
        const p = producers.find((s) => s.index === pi);
        const indexes = connectedTargets({
          partitioning: edge.partitioning,
          producerIndex: pi,
          producerParallelism: producerNode.parallelism,
          consumerParallelism: consumerNode.parallelism,
        });
        const targets: ChannelTarget[] = [];
        if (p !== undefined && edge.sideOutput === undefined) {
          const local =
            indexes.length === 1 ? consumers.find((s) => s.index === indexes[0]) : undefined;
          const list = mainConsumers.get(p) ?? [];
          list.push(local);
          mainConsumers.set(p, list);
        }
        for (const j of indexes) {
          const ch = channel++;
          const gate = consumers.find((s) => s.index === j)?.gate;
          if (p !== undefined && gate !== undefined) targets.push(gate.addChannel(edge.input));
          else if (p !== undefined) {
            targets.push((this.placement as SlotPlacement).outbound(ch, j, producerNode));
          } else if (gate !== undefined) {
            const placement = this.placement as SlotPlacement;
            placement.inbound(ch, pi, gate.addChannel(edge.input), gate.times);
          }
        }
        if (p === undefined) continue;
        const writer = createWriter({
          partitioning: edge.partitioning,
          targets,
          producerIndex: pi,
          producerParallelism: producerNode.parallelism,
          keySelector,
          maxParallelism: plan.maxParallelism,
          custom,
          producer: {
            name: producerNode.name,
            uid: producerNode.uid,
            definedAt: producerNode.definedAt,
            subtask: pi,
          },
        });
        const emitter =
          edge.sideOutput === undefined ? p.output : p.sideOutputs.get(edge.sideOutput);
        emitter?.addWriter(writer);
      }
    }
    for (const list of this.subtasks.values()) for (const s of list) s.gate?.seal();
    if (o.operatorChaining !== false) fuseChains(mainConsumers);
  }

  private runAction(action: () => void): void {
    if (this.failure !== undefined) return;
    try {
      action();
    } catch (e) {
      this.fail(e);
    }
  }

  private addBlocker(p: Promise<void>): void {
    const tracked: Promise<void> = p.then(
      () => {
        this.blockers.delete(tracked);
      },
      (e: unknown) => {
        this.blockers.delete(tracked);
        this.fail(e);
      },
    );
    this.blockers.add(tracked);
  }

  /** Resolves once no blocker is pending; rejects with the job's failure. */
  private async waitForBlockers(): Promise<void> {
    while (this.blockers.size > 0) await Promise.all(this.blockers);
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Registers Flink's per-second task time gauges of one subtask. */
function registerTimeMetrics(
  registry: MetricsRegistry,
  labels: MetricLabels,
  times: TaskTimes,
): void {
  registry.derivedGauge(
    'busyTimeMsPerSecond',
    'milliseconds per second the subtask was busy',
    labels,
    () => times.busyPerSecond,
  );
  registry.derivedGauge(
    'idleTimeMsPerSecond',
    'milliseconds per second the subtask was idle',
    labels,
    () => times.idlePerSecond,
  );
  registry.derivedGauge(
    'backPressuredTimeMsPerSecond',
    'milliseconds per second the subtask waited for downstream capacity',
    labels,
    () => times.backPressuredPerSecond,
  );
}
