/**
 * What every {@link JobAttempt} has in common, whether its subtasks run in this thread
 * (`JobRun`) or on worker threads (`ThreadedJob`): the result and running promises, the metrics
 * registry with its Prometheus exporter, the meter ticker, the metrics server, and the summary of
 * the operators at the end.
 *
 * @module
 */
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import type { JobExecutionResult, OperatorSummary } from '../../core/job-client.ts';
import { MetricsRegistry } from '../../metrics/metrics-registry.ts';
import { startMetricsServer, type MetricsServer } from '../../metrics/metrics-server.ts';
import { PrometheusExporter } from '../../metrics/prometheus-exporter.ts';
import type { JobGraph } from '../../plan/plan.ts';
import { backPressureLevel } from '../task-times.ts';

/** Records, busy and backpressured time of one operator, summed over the subtasks counted. */
export type OperatorTotals = Omit<OperatorSummary, 'backPressureLevel'>;

/** The lifecycle and metrics plumbing shared by the attempts of both runtimes. */
export abstract class AttemptBase {
  readonly registry = new MetricsRegistry();
  readonly exporter: PrometheusExporter;
  /** The attempt's outcome; never unhandled when nobody awaits it. */
  readonly result: Promise<JobExecutionResult>;
  /** Resolves when every subtask is open and the sources start. */
  readonly running: Promise<void>;
  protected readonly started = Date.now();
  /** When the sources started (the summary's backpressure shares are relative to it). */
  protected runningSince: number | undefined;
  private resolveResult!: (r: JobExecutionResult) => void;
  private rejectResult!: (e: unknown) => void;
  private resolveRunning!: () => void;
  private metricsServer: MetricsServer | undefined;
  private meterTicker: ReturnType<typeof setInterval> | undefined;
  private metricsClosed = false;

  protected constructor(
    readonly graph: JobGraph,
    readonly options: EnvironmentOptions,
  ) {
    this.exporter = new PrometheusExporter(this.registry, { job: graph.plan.jobName });
    this.result = new Promise<JobExecutionResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(() => {});
    this.running = new Promise<void>((resolve) => (this.resolveRunning = resolve));
  }

  get jobName(): string {
    return this.graph.plan.jobName;
  }

  metricsText(): Promise<string> {
    return this.exporter.render();
  }

  /** The sources start now. */
  protected markRunning(): void {
    this.runningSince = Date.now();
    this.resolveRunning();
  }

  protected settle(outcome: { result: JobExecutionResult } | { failure: unknown }): void {
    if ('result' in outcome) this.resolveResult(outcome.result);
    else this.rejectResult(outcome.failure);
  }

  /**
   * Ticks the meters every 2 s and serves Prometheus text on `metricsPort` when one is set;
   * resolves once the server listens (rejects when it cannot).
   */
  protected async startMetrics(): Promise<void> {
    this.registry.tickMeters(Date.now());
    this.meterTicker = setInterval(() => this.registry.tickMeters(Date.now()), 2000);
    this.meterTicker.unref();
    const o = this.options;
    if (o.metricsPort === undefined) return;
    const server = await startMetricsServer(this.exporter, o.metricsPort, o.metricsHost);
    this.metricsServer = server;
    process.stderr.write(`eddy: metrics at ${server.url}\n`);
    // The attempt may have ended while the server was starting.
    if (this.metricsClosed) await server.close();
  }

  /** Stops the meter ticker and the metrics server. */
  protected async stopMetrics(): Promise<void> {
    this.metricsClosed = true;
    if (this.meterTicker !== undefined) clearInterval(this.meterTicker);
    await this.metricsServer?.close();
  }

  /** The job's result: each operator's totals with its backpressure level over the run. */
  protected summary(
    status: JobExecutionResult['status'],
    totals: Iterable<OperatorTotals>,
  ): JobExecutionResult {
    const durationMs = Math.max(1, Date.now() - this.started);
    const runningMs = Math.max(1, Date.now() - (this.runningSince ?? this.started));
    const operators = [...totals]
      .sort((a, b) => a.id - b.id)
      .map((op) => ({
        ...op,
        busyMs: Math.round(op.busyMs ?? 0),
        backPressuredMs: Math.round(op.backPressuredMs ?? 0),
        backPressureLevel: backPressureLevel((op.backPressuredMs ?? 0) / runningMs),
      }));
    return { jobName: this.jobName, status, durationMs, operators };
  }
}
