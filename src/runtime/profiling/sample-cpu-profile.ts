/**
 * Samples the calling thread's V8 CPU profile with `node:inspector` (a session connected to this
 * thread's own inspector: no debugging port is opened). Works in worker threads, where each slot
 * of a threaded job runs; V8 samples from its own sampler thread, so the profile shows what the
 * thread's JavaScript does without stopping it.
 *
 * @module
 */
import { Session } from 'node:inspector';
import type { CpuProfile, CpuProfileOptions } from '../../core/cpu-profile.ts';
import { EddyError } from '../../errors/eddy-error.ts';

// One profile at a time per thread: a second session's Profiler.start would share V8's profiler.
let sampling = false;

/** A profile being taken; `stop()` ends it and returns it. */
export interface RunningCpuProfile {
  stop(): Promise<CpuProfile>;
}

/** Starts sampling this thread every `intervalUs` microseconds until `stop()`. */
export async function startCpuProfile(intervalUs: number): Promise<RunningCpuProfile> {
  if (sampling) {
    throw new EddyError('a CPU profile of this thread is being taken already', {
      code: 'CONFLICT',
      domain: 'user',
      hint: 'wait for it to finish, then ask again',
    });
  }
  sampling = true;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params ?? {}, (err: Error | null, result?: unknown) =>
        err === null ? resolve(result) : reject(err),
      ),
    );
  const end = async () => {
    await post('Profiler.disable').catch(() => {});
    session.disconnect();
    sampling = false;
  };
  try {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: intervalUs });
    await post('Profiler.start');
  } catch (e) {
    await end();
    throw e;
  }
  return {
    async stop() {
      try {
        return ((await post('Profiler.stop')) as { profile: CpuProfile }).profile;
      } finally {
        await end();
      }
    },
  };
}

/** Samples this thread for `o.durationMs` at `o.intervalUs` and returns the profile. */
export async function sampleCpuProfile(o: CpuProfileOptions): Promise<CpuProfile> {
  const running = await startCpuProfile(o.intervalUs);
  await new Promise((resolve) => setTimeout(resolve, o.durationMs));
  return running.stop();
}
