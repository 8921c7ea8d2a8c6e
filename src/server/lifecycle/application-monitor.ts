/**
 * Watches the running applications once a period: their processes' CPU time and memory (read
 * from /proc by the supervisor), their sources' records per second and the failures their
 * engines restarted from (read from the job's status over IPC). It keeps the figures describe
 * shows — so a team can right-size an application from what it actually used — and tells the
 * manager about job failures, which count against an update's probation.
 *
 * @module
 */
import { readSources } from '../../cli/run-progress.ts';
import type { ApplicationRepository, UsageRecord } from '../store/application-repository.ts';
import type { RunSupervisor } from '../supervisor/run-supervisor.ts';

/** What one run of an application has used so far. */
interface RunWatch {
  readonly pid: number;
  /** CPU seconds of earlier runs (persisted), added to this run's. */
  readonly baseCpuSeconds: number;
  peakRssBytes: number;
  lastRecords: number;
  lastAt: number;
  /** Newest exception time seen (ms), so each failure is reported once. */
  lastExceptionAt: number;
  usage: UsageRecord;
}

/** What the monitor reports. */
export interface MonitorEvents {
  /** `count` new job failures (the engine restarted the job, or will) were seen in `app`. */
  jobFailures(app: string, count: number, lastMessage: string): void;
}

/** Polls running applications for usage and failures. */
export class ApplicationMonitor {
  private readonly runs = new Map<string, RunWatch>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private busy = false;

  constructor(
    private readonly applications: ApplicationRepository,
    private readonly supervisor: () => RunSupervisor,
    private readonly events: MonitorEvents,
    private readonly now: () => string,
    private readonly intervalMs = 1000,
    /** Usage is written to the metadata store every this many ticks (and when a run ends). */
    private readonly persistEvery = 10,
  ) {}

  /** Starts polling. */
  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops polling and writes what it has. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const app of [...this.runs.keys()]) this.runEnded(app);
  }

  /** The live usage of `app`'s current run, when it runs. */
  usage(app: string): UsageRecord | undefined {
    return this.runs.get(app)?.usage;
  }

  /** Persists `app`'s usage and forgets its run (it stopped, failed or is being restarted). */
  runEnded(app: string): void {
    const w = this.runs.get(app);
    if (w === undefined) return;
    this.runs.delete(app);
    // CPU seconds and peak RSS add up over runs; a stopped run holds no memory and moves nothing.
    if (this.applications.get(app) !== undefined)
      this.applications.update(
        app,
        { usage: { ...w.usage, rssBytes: 0, recordsPerSecond: 0 } },
        this.now(),
      );
  }

  private async tick(): Promise<void> {
    // A slow host (a loaded machine) must not pile up status requests.
    if (this.busy) return;
    this.busy = true;
    try {
      const persist = ++this.ticks % this.persistEvery === 0;
      const runs = this.supervisor();
      for (const a of this.applications.list()) {
        if (a.status !== 'RUNNING') continue;
        const live = runs.usage(a.name);
        if (live === undefined) continue;
        let w = this.runs.get(a.name);
        if (w === undefined || w.pid !== live.pid) {
          if (w !== undefined) this.runEnded(a.name);
          const usage = this.applications.get(a.name)?.usage ?? a.usage;
          w = {
            pid: live.pid,
            baseCpuSeconds: usage.cpuSeconds,
            peakRssBytes: usage.peakRssBytes,
            lastRecords: 0,
            lastAt: Date.now(),
            // Failures since this run's job started (not only since the first poll).
            lastExceptionAt: a.job === undefined ? Date.now() : Date.parse(a.job.startedAt) - 1,
            usage,
          };
          this.runs.set(a.name, w);
        }
        const status = await runs.status(a.name);
        const at = Date.now();
        let recordsPerSecond = w.usage.recordsPerSecond;
        if (status !== undefined) {
          const { records } = readSources(status.metrics);
          // A job restarted in-process counts from zero again.
          if (records >= w.lastRecords && at > w.lastAt) {
            recordsPerSecond = Math.round(((records - w.lastRecords) * 1000) / (at - w.lastAt));
          }
          w.lastRecords = records;
          w.lastAt = at;
          let fresh = 0;
          let newest = w.lastExceptionAt;
          let message = '';
          for (const e of status.exceptions) {
            if (e.time <= w.lastExceptionAt) continue;
            fresh++;
            if (e.time >= newest) {
              newest = e.time;
              message = e.message;
            }
          }
          w.lastExceptionAt = newest;
          if (fresh > 0) this.events.jobFailures(a.name, fresh, message);
        }
        const stats = live.stats;
        w.peakRssBytes = Math.max(w.peakRssBytes, live.peakRssBytes);
        w.usage = {
          cpuSeconds: Math.round((w.baseCpuSeconds + (stats?.cpuSeconds ?? 0)) * 100) / 100,
          rssBytes: stats?.rssBytes ?? 0,
          peakRssBytes: w.peakRssBytes,
          recordsPerSecond,
        };
        if (persist) this.applications.update(a.name, { usage: w.usage }, this.now());
      }
    } finally {
      this.busy = false;
    }
  }
}
