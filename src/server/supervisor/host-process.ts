/**
 * One application host process as the server sees it: spawns `eddy host` with a V8 heap limit,
 * sends it requests over IPC, writes its output to a rotating log, and kills it when its
 * resident memory passes the application's limit (V8's heap limit does not bound native memory,
 * worker threads or buffers).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyError } from '../../errors/eddy-error.ts';
import { parseAppLine } from '../host/app-output.ts';
import {
  HOST_WARM_SLOTS_ENV,
  type HostJobStatus,
  type HostMessage,
  type HostRequest,
} from '../host/host-protocol.ts';
import { RotatingLog } from '../logs/rotating-log.ts';
import { readProcStats, type ProcStats } from './proc-stats.ts';

const EDDY_BIN = fileURLToPath(new URL('../../../bin/eddy.js', import.meta.url));

/** How a host process ended. */
export interface HostExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** CRASH, OUT_OF_MEMORY, KILLED (asked for) or EXITED. */
  readonly kind: 'CRASH' | 'OUT_OF_MEMORY' | 'KILLED' | 'EXITED';
  readonly reason: string;
}

/** What the server needs to start a host. */
export interface HostProcessOptions {
  readonly id: string;
  readonly cwd: string;
  readonly logFile: string;
  readonly memoryMb: number;
  readonly heapMb: number;
  readonly onMessage: (m: HostMessage) => void;
  readonly onExit: (exit: HostExit) => void;
  /**
   * A session's host: its applications' marked lines also go, unmarked, to each one's own log
   * (this file); the process's log keeps everything.
   */
  readonly appLogFile?: ((app: string) => string) | undefined;
  /**
   * Slot worker threads the host starts before its job (see host-protocol.ts,
   * `HOST_WARM_SLOTS_ENV`): an application's own host, whose job runs on worker threads.
   */
  readonly warmSlots?: { readonly count: number; readonly typescript: boolean } | undefined;
  /** Watchdog period (default 500 ms). */
  readonly watchIntervalMs?: number;
}

/** A running host process. */
export class HostProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly log: RotatingLog;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private nextId = 1;
  private exited = false;
  private killReason: { kind: HostExit['kind']; reason: string } | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private readonly ready: Promise<void>;
  private lastOutput = '';
  /** A session's applications' own logs, opened on their first line. */
  private readonly appLogs = new Map<string, RotatingLog>();
  /** Latest /proc reading. */
  stats: ProcStats | undefined;
  /** Highest RSS seen. */
  peakRssBytes = 0;
  /** The resident-memory limit the watchdog enforces, MiB (a session's grows as applications join). */
  memoryLimitMb: number;

  constructor(private readonly options: HostProcessOptions) {
    this.memoryLimitMb = options.memoryMb;
    this.log = new RotatingLog(options.logFile);
    this.child = spawn(
      process.execPath,
      [`--max-old-space-size=${options.heapMb}`, EDDY_BIN, 'host'],
      {
        cwd: options.cwd,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          ...process.env,
          EDDY_HOST_ID: options.id,
          ...(options.appLogFile !== undefined && { EDDY_HOST_SESSION: '1' }),
          [HOST_WARM_SLOTS_ENV]:
            options.warmSlots === undefined
              ? ''
              : `${options.warmSlots.count}${options.warmSlots.typescript ? ',ts' : ''}`,
        },
      },
    );
    this.pid = this.child.pid ?? -1;
    const output = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.log.write(text);
      this.lastOutput = (this.lastOutput + text).slice(-4000);
    };
    const appLogFile = options.appLogFile;
    if (appLogFile === undefined) {
      this.child.stdout!.on('data', output);
      this.child.stderr!.on('data', output);
    } else {
      // Whole lines only: a mark starts a line, and one write may carry part of one.
      const demux = () => {
        let partial = '';
        return (chunk: Buffer) => {
          output(chunk);
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const marked = parseAppLine(line);
            if (marked === undefined) continue;
            let log = this.appLogs.get(marked.app);
            if (log === undefined) {
              const file = appLogFile(marked.app);
              mkdirSync(dirname(file), { recursive: true });
              log = new RotatingLog(file);
              this.appLogs.set(marked.app, log);
            }
            log.write(`${marked.text}\n`);
          }
        };
      };
      this.child.stdout!.on('data', demux());
      this.child.stderr!.on('data', demux());
    }
    let readyResolve: () => void = () => {};
    let readyReject: (e: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.ready.catch(() => {});
    this.child.on('message', (raw) => {
      const m = raw as HostMessage;
      if (m.kind === 'ready') readyResolve();
      else if (m.kind === 'reply' || m.kind === 'reply-error') this.settle(m);
      else options.onMessage(m);
    });
    this.child.on('error', (e) => readyReject(e));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      clearInterval(this.watchdog);
      const exit = this.describeExit(code, signal);
      readyReject(new Error(exit.reason));
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(
          new EddyError(`the application process ended: ${exit.reason}`, {
            code: 'INTERNAL',
            domain: 'external',
            retryable: true,
          }),
        );
      }
      this.pending.clear();
      // Let the last output reach the log before it closes.
      setImmediate(() => {
        this.log.write(`eddy server: process ${this.pid} ended: ${exit.reason}\n`);
        this.log.close();
        for (const log of this.appLogs.values()) {
          log.write(`eddy server: session process ${this.pid} ended: ${exit.reason}\n`);
          log.close();
        }
        options.onExit(exit);
      });
    });
    this.watchdog = setInterval(() => this.watch(), options.watchIntervalMs ?? 500);
    this.watchdog.unref();
  }

  /** Resolves when the host can take requests. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The log being written. */
  get logFile(): RotatingLog {
    return this.log;
  }

  /** Whether the process still runs. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Sends a request for `app`; rejects after `timeoutMs` or when the process ends. */
  request(app: string, req: HostRequest, timeoutMs: number): Promise<unknown> {
    if (this.exited || !this.child.connected) {
      return Promise.reject(
        new EddyError('the application process is not running', {
          code: 'INTERNAL',
          domain: 'external',
          retryable: true,
        }),
      );
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new EddyError(
            `the application process did not answer "${req.kind}" within ${timeoutMs} ms`,
            {
              code: 'TIMEOUT',
              domain: 'external',
              retryable: true,
            },
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ ...req, id, app });
    });
  }

  /** The job's status, or undefined when the host does not answer in time. */
  async status(app: string, timeoutMs = 2000): Promise<HostJobStatus | undefined> {
    try {
      return (
        ((await this.request(app, { kind: 'status' }, timeoutMs)) as HostJobStatus | null) ??
        undefined
      );
    } catch {
      return undefined;
    }
  }

  /** Kills the process (SIGKILL); `reason` is what the exit will report. */
  kill(kind: HostExit['kind'], reason: string): void {
    if (this.exited) return;
    this.killReason ??= { kind, reason };
    this.child.kill('SIGKILL');
  }

  /** Resolves when the process has ended. */
  ended(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private settle(m: Extract<HostMessage, { kind: 'reply' | 'reply-error' }>): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.kind === 'reply') p.resolve(m.value);
    else
      p.reject(
        new EddyError(m.message, {
          code: m.code,
          domain: m.domain,
          retryable: m.retryable,
          hint: m.hint,
        }),
      );
  }

  private watch(): void {
    const stats = readProcStats(this.pid);
    if (stats === undefined) return;
    this.stats = stats;
    if (stats.rssBytes > this.peakRssBytes) this.peakRssBytes = stats.rssBytes;
    const limit = this.memoryLimitMb * 1024 * 1024;
    if (stats.rssBytes > limit) {
      this.kill(
        'OUT_OF_MEMORY',
        `out of memory: resident memory ${Math.round(stats.rssBytes / 1048576)} MiB passed the limit of ${this.memoryLimitMb} MiB`,
      );
    }
  }

  private describeExit(code: number | null, signal: NodeJS.Signals | null): HostExit {
    if (this.killReason !== undefined) return { code, signal, ...this.killReason };
    if (/heap out of memory|Reached heap limit/i.test(this.lastOutput)) {
      return {
        code,
        signal,
        kind: 'OUT_OF_MEMORY',
        reason: `out of memory: the JavaScript heap passed its limit of ${this.options.heapMb} MiB (V8 --max-old-space-size)`,
      };
    }
    if (code === 0) return { code, signal, kind: 'EXITED', reason: 'exited' };
    const tail = lastError(this.lastOutput);
    return {
      code,
      signal,
      kind: 'CRASH',
      reason: `${signal !== null ? `killed by ${signal}` : `exit code ${code}`}${tail ? `: ${tail}` : ''}`,
    };
  }
}

/**
 * The error a dying process printed last (Node prints the uncaught error's line, then its stack
 * and its version): that line, or else the last line of output.
 */
function lastError(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Node.js v'));
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^(Uncaught )?([A-Z]\w*)?(Error|Exception)\b/.test(l) || l.startsWith('eddy: error:'))
      return l;
  }
  return lines.at(-1) ?? '';
}
