/**
 * Starting an application's job: the version's artifact, the host process it runs in (its own,
 * or its session's) and the environment it starts with — from its checkpoints when the
 * checkpoint directory holds one to resume from, else from a snapshot.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SnapshotRecord } from '../store/snapshot-repository.ts';
import type { HostSpec } from '../supervisor/run-supervisor.ts';
import {
  effectiveSettings,
  environmentOptionsOf,
  memoryOf,
  type EffectiveSettings,
} from './application-settings.ts';
import type { LifecycleContext } from './lifecycle-context.ts';
import { hasResumableCheckpoint } from './resumable-checkpoint.ts';
import type { StageTimer } from './stage-timer.ts';

/** Starts applications' jobs. */
export class JobLauncher {
  constructor(private readonly c: LifecycleContext) {}

  /** Starts the job of `version`; resumes from its checkpoints, else from `from`. */
  async launch(
    name: string,
    version: number,
    from: SnapshotRecord | undefined,
    allowNonRestoredState: boolean,
    restarts: number,
    stages?: StageTimer,
  ): Promise<void> {
    const v = this.c.o.applications.version(name, version)!;
    const s = effectiveSettings(v.config);
    const extracted = await this.c.o.artifacts.extract(v.artifactId);
    stages?.mark('artifact');
    const spec = this.hostSpec(name, s, v.artifactId);
    await mkdir(dirname(spec.logFile), { recursive: true });
    const checkpointDir = this.c.o.paths.checkpoints(name);
    const options = environmentOptionsOf(s, {
      checkpointDir,
      stateDir: join(this.c.o.paths.work(name), 'state'),
      // The snapshot only when the directory holds nothing newer (a start, an update and a
      // rollback discard it first; a restart resumes from it).
      fromSavepoint: hasResumableCheckpoint(checkpointDir) ? undefined : from?.path,
      allowNonRestoredState,
    });
    try {
      await this.c.runs.start(
        name,
        spec,
        extracted.entryPath,
        options,
        s.systemRollback.startTimeoutMs,
        stages,
      );
    } catch (e) {
      await this.c.runs.kill(name).catch(() => {});
      throw e;
    }
    const usage = this.c.runs.usage(name);
    this.c.o.applications.update(
      name,
      {
        status: 'RUNNING',
        job: {
          status: 'RUNNING',
          startedAt: this.c.o.now(),
          restoredFrom: from?.id,
          restarts,
          pid: usage?.pid,
        },
      },
      this.c.o.now(),
    );
  }

  /**
   * The process that runs `name` with settings `s` and artifact `artifactId`: its own (which
   * starts a slot worker per parallel subtask before the job, see warm-slot-workers.ts), or its
   * session's.
   */
  hostSpec(name: string, s: EffectiveSettings, artifactId: string): HostSpec {
    const { memoryMb, heapMb } =
      s.session === undefined
        ? memoryOf(s.units, s.heapShare, this.c.o.unitMemoryMb)
        : this.sessionMemory(s.session);
    return s.session === undefined
      ? {
          id: `app-${name}`,
          cwd: this.c.o.paths.work(name),
          logFile: this.c.o.paths.log(name),
          memoryMb,
          heapMb,
          // (A job of parallelism 1 runs on the host's thread: environmentOptionsOf.)
          warmSlots:
            s.parallelism > 1
              ? {
                  count: s.parallelism,
                  typescript: /\.[cm]?tsx?$/.test(
                    this.c.o.artifacts.get(artifactId).manifest.entry,
                  ),
                }
              : undefined,
        }
      : {
          id: `session-${s.session}`,
          cwd: join(this.c.o.paths.root, 'sessions', s.session),
          logFile: join(this.c.o.paths.root, 'sessions', s.session, 'session.log'),
          memoryMb,
          heapMb,
          appLogFile: (app) => this.c.o.paths.log(app),
        };
  }

  /**
   * The memory of a session's process: the sum of what its applications' units give them (one
   * process, one budget — an application that joins raises the watchdog's limit; the V8 heap
   * limit is fixed when the process starts).
   */
  private sessionMemory(session: string): { memoryMb: number; heapMb: number } {
    let memoryMb = 0;
    let heapMb = 0;
    for (const a of this.c.o.applications.list()) {
      if (a.session !== session) continue;
      const s = this.c.settingsOf(a.name, a.version);
      const m = memoryOf(s.units, s.heapShare, this.c.o.unitMemoryMb);
      memoryMb += m.memoryMb;
      heapMb += m.heapMb;
    }
    return { memoryMb: Math.max(memoryMb, 64), heapMb: Math.max(heapMb, 32) };
  }
}
