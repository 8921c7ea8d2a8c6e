/**
 * Samples every application whose job may be running, every `history.stepMs`, into the
 * {@link MetricsHistory}: the dashboard's charts then cover the last hour even when nobody had
 * the page open. One application at a time (each sample is one IPC status request answered by
 * its host within two seconds), never two rounds at once.
 *
 * @module
 */
import type { ApplicationStatus } from '../../protocol/application.ts';
import type { ApplicationManager } from '../lifecycle/application-manager.ts';
import { buildJobView } from './job-view-builder.ts';
import type { MetricsHistory } from './metrics-history.ts';

/** Statuses in which an application has a job worth sampling. */
const SAMPLED: readonly ApplicationStatus[] = ['RUNNING', 'UPDATING', 'AUTOSCALING'];

/** Feeds the metrics history. */
export class MetricsSampler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private round: Promise<void> | undefined;

  constructor(
    private readonly apps: ApplicationManager,
    private readonly history: MetricsHistory,
  ) {}

  /** Starts sampling. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.round ??= this.sample().finally(() => (this.round = undefined));
    }, this.history.stepMs);
    this.timer.unref();
  }

  /** Stops sampling (waits for a round in progress). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: a point for every sampled application; deleted applications are forgotten. */
  async sample(): Promise<void> {
    const list = this.apps.list();
    this.history.retain(new Set(list.map((a) => a.name)));
    for (const app of list) {
      if (!SAMPLED.includes(app.status)) continue;
      try {
        const status = await this.apps.job(app.name);
        if (status?.plan === undefined) continue;
        this.history.record(buildJobView(app.name, app.status, status, Date.now()));
      } catch {
        // Deleted or stopped meanwhile: the next round sees it.
      }
    }
  }
}
