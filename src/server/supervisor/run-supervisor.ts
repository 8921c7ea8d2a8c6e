/**
 * Runs applications' jobs in host processes: one process per application, or one per session
 * shared by the session's applications. Starts and stops jobs through IPC, records every process
 * it starts (so a restarted server can stop what it left behind), and reports jobs that end or
 * processes that die.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import type { HostJobStatus, HostMessage } from '../host/host-protocol.ts';
import type { HostRepository } from '../store/host-repository.ts';
import { HostProcess, type HostExit } from './host-process.ts';
import { isSameProcess, readProcStats, type ProcStats } from './proc-stats.ts';

/** Where and how big a host process is. */
export interface HostSpec {
  /** `app-<name>` or `session-<name>`. */
  readonly id: string;
  readonly cwd: string;
  readonly logFile: string;
  readonly memoryMb: number;
  readonly heapMb: number;
  /**
   * A session's host: where each application's own lines go (the host marks them, see
   * host/app-output.ts); `logFile` keeps the whole output.
   */
  readonly appLogFile?: ((app: string) => string) | undefined;
  /** Slot worker threads to start before the job (see `HostProcessOptions.warmSlots`). */
  readonly warmSlots?: { readonly count: number; readonly typescript: boolean } | undefined;
}

/** What the supervisor tells the application manager. */
export interface RunEvents {
  /** The application's job ended by itself (input finished, or failed past its restarts). */
  jobEnded(
    app: string,
    status: 'FINISHED' | 'CANCELED' | 'FAILED',
    error: string | undefined,
  ): void;
  /** The process running the application died without being asked to. */
  hostDied(app: string, exit: HostExit): void;
}

interface Host {
  readonly spec: HostSpec;
  readonly process: HostProcess;
  readonly apps: Set<string>;
  /** Set when the server itself is ending the process. */
  stopping: boolean;
  /** Its row in the hosts table (a spare's differs from its host id until a start takes it). */
  recordId: string;
  startTicks: number;
}

/** The record id of a spare process: `<host id>~spare`. */
const SPARE_SUFFIX = '~spare';

/** Receives the end of each stage of a start or stop (see lifecycle/stage-timer.ts). */
export interface StageMarks {
  mark(stage: string): void;
}

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

/** Runs jobs in host processes. */
export class RunSupervisor {
  private readonly hosts = new Map<string, Host>();
  /**
   * Processes started ahead of a start (an update starts the new version's process while the old
   * one takes its savepoint), by host id; the next start with that id takes it.
   */
  private readonly spares = new Map<string, Host>();
  private readonly hostOfApp = new Map<string, Host>();
  private readonly runningWaiters = new Map<string, Waiter>();
  /**
   * Set by {@link RunSupervisor.shutdown}: no process starts after it. An operation still in
   * flight (an update between its savepoint and its start) would otherwise start one that
   * nothing ends, and keep the server alive.
   */
  private closed = false;

  constructor(
    private readonly records: HostRepository,
    private readonly events: RunEvents,
    private readonly now: () => string,
  ) {}

  /** Stops (SIGKILL) every process a previous server recorded that still runs. */
  async killLeftovers(): Promise<number> {
    let killed = 0;
    for (const h of this.records.list()) {
      if (isSameProcess(h.pid, h.startTicks)) {
        try {
          process.kill(h.pid, 'SIGKILL');
          killed++;
        } catch {
          // It ended meanwhile.
        }
        const deadline = Date.now() + 10_000;
        while (isSameProcess(h.pid, h.startTicks) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      this.records.remove(h.id, h.pid);
    }
    return killed;
  }

  /**
   * Starts `app`'s job from `entryPath` in the host `spec` (started if needed); resolves when the
   * job's sources run, rejects when it fails first or does not run within `timeoutMs`.
   */
  async start(
    app: string,
    spec: HostSpec,
    entryPath: string,
    options: EnvironmentOptions,
    timeoutMs: number,
    stages?: StageMarks,
  ): Promise<void> {
    const host = this.hostFor(spec);
    host.apps.add(app);
    this.hostOfApp.set(app, host);
    const running = new Promise<void>((resolve, reject) => {
      this.runningWaiters.set(app, { resolve, reject });
    });
    running.catch(() => {});
    const timer = setTimeout(() => {
      this.settleWaiter(
        app,
        new EddyError(`the job did not start running within ${timeoutMs} ms`, {
          code: 'TIMEOUT',
          domain: 'user',
          hint: 'look at the application log (eddy apps logs NAME); raise systemRollback.startTimeoutMs for slow starts',
        }),
      );
    }, timeoutMs);
    try {
      const started = (async () => {
        await host.process.whenReady();
        stages?.mark('process-start');
        await host.process.request(app, { kind: 'start', entryPath, options }, timeoutMs);
        stages?.mark('job-start');
      })();
      started.catch(() => {});
      // The start timeout's own error wins over the request's (a job module that hangs while
      // it builds never answers "start"): it names the setting to raise.
      await Promise.race([started.then(() => running), running]);
      stages?.mark('running');
    } catch (e) {
      this.settleWaiter(app, e instanceof Error ? e : new Error(String(e)));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops `app`'s job (with a savepoint into `savepointDir` when given); resolves with its path. */
  async stop(
    app: string,
    savepointDir: string | undefined,
    timeoutMs: number,
    stages?: StageMarks,
  ): Promise<string | undefined> {
    const host = this.hostOfApp.get(app);
    if (host === undefined || !host.process.alive) return undefined;
    const path = (await host.process.request(app, { kind: 'stop', savepointDir }, timeoutMs)) as
      string | null;
    stages?.mark(savepointDir === undefined ? 'job-stop' : 'savepoint');
    await this.release(app);
    stages?.mark('process-exit');
    return path ?? undefined;
  }

  /** Ends `app`'s job at once: its process is killed (a session's process only if it runs nothing else). */
  async kill(app: string): Promise<void> {
    const host = this.hostOfApp.get(app);
    if (host === undefined) return;
    if (host.apps.size > 1 && host.process.alive) {
      try {
        await host.process.request(app, { kind: 'stop' }, 10_000);
        await this.release(app);
        return;
      } catch {
        // The shared process does not answer: kill it; the others restart from their checkpoints.
      }
    }
    host.stopping = host.apps.size <= 1;
    this.detach(app);
    host.process.kill('KILLED', 'stopped by force');
    await host.process.ended();
  }

  /** A savepoint of `app`'s running job; resolves with its path. */
  async snapshot(app: string, dir: string, timeoutMs: number): Promise<string> {
    const host = this.requireHost(app);
    return (await host.process.request(app, { kind: 'snapshot', dir }, timeoutMs)) as string;
  }

  /** Samples the CPU profile of the thread running subtask `subtask` of `app`'s job. */
  async profile(
    app: string,
    subtask: number,
    durationMs: number,
    intervalUs: number,
  ): Promise<unknown> {
    const host = this.requireHost(app);
    // The host answers after sampling: allow the sampling time plus the usual answer time.
    return host.process.request(
      app,
      { kind: 'profile', subtask, durationMs, intervalUs },
      durationMs + 30_000,
    );
  }

  /** `app`'s job status, when its process answers. */
  status(app: string): Promise<HostJobStatus | undefined> {
    const host = this.hostOfApp.get(app);
    return host?.process.alive === true ? host.process.status(app) : Promise.resolve(undefined);
  }

  /** The process resources of `app`'s host. */
  usage(
    app: string,
  ): { stats: ProcStats | undefined; peakRssBytes: number; pid: number } | undefined {
    const host = this.hostOfApp.get(app);
    return (
      host && {
        stats: host.process.stats,
        peakRssBytes: host.process.peakRssBytes,
        pid: host.process.pid,
      }
    );
  }

  /** The log `app`'s host writes. */
  logFileOf(app: string): string | undefined {
    return this.hostOfApp.get(app)?.spec.logFile;
  }

  /** Whether `app` has a live process. */
  isRunning(app: string): boolean {
    return this.hostOfApp.get(app)?.process.alive === true;
  }

  /**
   * Starts the process of host `spec` ahead of the start that will use it, so that its start-up
   * (Node, Eddy's modules) overlaps with what comes first — an update's savepoint and stop. Only
   * the process: the job starts with {@link RunSupervisor.start}. A spare nobody takes is ended
   * by {@link RunSupervisor.dropSpare}.
   */
  prepare(spec: HostSpec): void {
    const spare = this.spares.get(spec.id);
    if (spare !== undefined && spare.process.alive) return;
    const host = this.spawn(spec, `${spec.id}${SPARE_SUFFIX}`);
    this.spares.set(spec.id, host);
  }

  /** Ends the spare process of host `id`, if there is one. */
  async dropSpare(id: string): Promise<void> {
    const spare = this.spares.get(id);
    if (spare === undefined) return;
    this.spares.delete(id);
    spare.stopping = true;
    spare.process.kill('EXITED', 'spare not needed');
    await spare.process.ended();
  }

  /** Kills every process (server shutdown: applications restart from checkpoints with the next server). */
  async shutdown(): Promise<void> {
    this.closed = true;
    const spares = [...this.spares.keys()];
    await Promise.all(spares.map((id) => this.dropSpare(id)));
    const hosts = [...this.hosts.values()];
    for (const h of hosts) {
      h.stopping = true;
      h.process.kill('KILLED', 'server shut down');
    }
    await Promise.all(hosts.map((h) => h.process.ended()));
  }

  private hostFor(spec: HostSpec): Host {
    const existing = this.hosts.get(spec.id);
    if (existing !== undefined && existing.process.alive && !existing.stopping) {
      existing.process.memoryLimitMb = Math.max(existing.process.memoryLimitMb, spec.memoryMb);
      return existing;
    }
    const spare = this.spares.get(spec.id);
    if (spare !== undefined) {
      this.spares.delete(spec.id);
      if (spare.process.alive) {
        // Recorded under its host id from now on (the spare's row goes). Its spec is the same:
        // both come from the version being started.
        this.records.put(
          { id: spec.id, pid: spare.process.pid, startTicks: spare.startTicks },
          this.now(),
        );
        this.records.remove(spare.recordId, spare.process.pid);
        spare.recordId = spec.id;
        this.hosts.set(spec.id, spare);
        return spare;
      }
    }
    const host = this.spawn(spec, spec.id);
    this.hosts.set(spec.id, host);
    return host;
  }

  /** Whether {@link RunSupervisor.shutdown} has begun. */
  get shuttingDown(): boolean {
    return this.closed;
  }

  /** Starts a host process, recorded under `recordId`. */
  private spawn(spec: HostSpec, recordId: string): Host {
    if (this.closed) {
      throw new EddyError('the server is shutting down: no application process starts', {
        code: 'CONFLICT',
        domain: 'user',
        retryable: true,
        hint: 'the application starts again from its latest checkpoint with the next server',
      });
    }
    mkdirSync(spec.cwd, { recursive: true });
    const host: Host = {
      spec,
      apps: new Set(),
      stopping: false,
      process: new HostProcess({
        id: spec.id,
        cwd: spec.cwd,
        logFile: spec.logFile,
        memoryMb: spec.memoryMb,
        heapMb: spec.heapMb,
        appLogFile: spec.appLogFile,
        warmSlots: spec.warmSlots,
        onMessage: (m) => this.onMessage(m),
        onExit: (exit) => this.onExit(host, exit),
      }),
      recordId,
      startTicks: 0,
    };
    // Recorded before anything runs in it: a server killed from here on still finds it.
    let startTicks = 0;
    for (let i = 0; i < 50 && startTicks === 0; i++) {
      startTicks = readProcStats(host.process.pid)?.startTicks ?? 0;
    }
    host.startTicks = startTicks;
    this.records.put({ id: recordId, pid: host.process.pid, startTicks }, this.now());
    return host;
  }

  private onMessage(m: HostMessage): void {
    if (m.kind === 'job-running') this.settleWaiter(m.app);
    else if (m.kind === 'job-ended') {
      this.settleWaiter(m.app, new Error(m.error ?? `the job ended (${m.status}) before it ran`));
      if (this.hostOfApp.has(m.app)) this.events.jobEnded(m.app, m.status, m.error);
    }
  }

  private onExit(host: Host, exit: HostExit): void {
    this.records.remove(host.recordId, host.process.pid);
    if (this.hosts.get(host.spec.id) === host) this.hosts.delete(host.spec.id);
    if (this.spares.get(host.spec.id) === host) this.spares.delete(host.spec.id);
    const apps = [...host.apps];
    for (const app of apps) {
      this.settleWaiter(app, new Error(`the application process died: ${exit.reason}`));
      if (this.hostOfApp.get(app) === host) this.hostOfApp.delete(app);
    }
    if (host.stopping) return;
    for (const app of apps) this.events.hostDied(app, exit);
  }

  /** Forgets `app`'s job (it ended); its process ends when it runs nothing else. */
  async release(app: string): Promise<void> {
    const host = this.hostOfApp.get(app);
    if (host === undefined) return;
    this.detach(app);
    if (host.apps.size === 0) {
      host.stopping = true;
      // The job has ended; the process has nothing left to flush.
      host.process.kill('EXITED', 'stopped');
      await host.process.ended();
    }
  }

  private detach(app: string): void {
    const host = this.hostOfApp.get(app);
    host?.apps.delete(app);
    this.hostOfApp.delete(app);
  }

  private requireHost(app: string): Host {
    const host = this.hostOfApp.get(app);
    if (host === undefined || !host.process.alive) {
      throw new EddyError(`application ${app} has no running process`, {
        code: 'CONFLICT',
        domain: 'user',
      });
    }
    return host;
  }

  private settleWaiter(app: string, error?: Error): void {
    const w = this.runningWaiters.get(app);
    if (w === undefined) return;
    this.runningWaiters.delete(app);
    if (error === undefined) w.resolve();
    else w.reject(error);
  }
}
