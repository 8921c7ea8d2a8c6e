/**
 * Loads a job file under a launch context: the file builds its job(s) and calls `env.execute()`
 * (or default-exports `(env) => void`, and the CLI executes). TypeScript job files load through
 * tsx, registered on first use; `.eddy` artifacts are extracted and their entry module loaded.
 *
 * @module
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EnvironmentOptions } from '../core/environment-options.ts';
import type { JobClient } from '../core/job-client.ts';
import { setLaunchContext } from '../plan/launch-context.ts';
import { JOB_MODULE_RUNNER_URL, runJobModule } from '../api/job-module.ts';
import { EddyError } from '../errors/eddy-error.ts';
import type { Plan } from '../plan/plan.ts';
import { extractArtifact } from '../artifact/extract-artifact.ts';
import { eddyVersion } from './eddy-version.ts';
import { ensureTypeScriptLoader } from './typescript-loader.ts';
// Loads the runtime and registers the default executor, even for job files that import only types.
import '../index.ts';

/** What loading a job file produced. */
export interface LoadedJob {
  readonly plans: readonly Plan[];
  readonly jobs: readonly JobClient[];
}

/** Resolves a job path or fails with a hint listing nearby job files. */
export function resolveJobFile(file: string): string {
  const abs = resolve(file);
  if (existsSync(abs) && statSync(abs).isFile()) return abs;
  const dir = existsSync(dirname(abs)) ? dirname(abs) : process.cwd();
  const candidates = readdirSync(dir)
    .filter((f) => /\.(ts|mts|js|mjs|eddy)$/.test(f) && !f.endsWith('.test.ts'))
    .slice(0, 8)
    .map((f) => relative(process.cwd(), resolve(dir, f)));
  throw new EddyError(`job file not found: ${file}`, {
    code: 'JOB_FILE_NOT_FOUND',
    domain: 'user',
    hint:
      candidates.length > 0
        ? `job files in ${relative(process.cwd(), dir) || '.'}: ${candidates.join(', ')}`
        : 'pass the path of a .ts or .js file that builds a job, or of an .eddy artifact',
  });
}

/**
 * Imports `file` with `defaults` as the environment defaults. In `plan` mode no job runs: the
 * plans are captured instead. `onJob` sees each job as it starts (before the import finishes).
 */
export async function loadJob(
  file: string,
  mode: 'run' | 'plan',
  defaults: EnvironmentOptions,
  onJob?: (client: JobClient) => void,
): Promise<LoadedJob> {
  const given = resolveJobFile(file);
  const abs = given.endsWith('.eddy') ? await extractForRun(given) : given;
  await ensureTypeScriptLoader(abs);
  const plans: Plan[] = [];
  const jobs: JobClient[] = [];
  let planned: () => void = () => {};
  const planCaptured = new Promise<void>((r) => (planned = r));
  setLaunchContext({
    mode,
    defaults,
    jobUrl: pathToFileURL(abs).href,
    jobModuleRunner: JOB_MODULE_RUNNER_URL,
    onPlan: (plan) => {
      plans.push(plan);
      planned();
    },
    onJob: (client) => {
      jobs.push(client);
      onJob?.(client);
    },
  });
  try {
    const built = () => plans.length > 0 || jobs.length > 0;
    // In plan mode a job file that awaits execute() never finishes importing: stop at the plan.
    await runJobModule(pathToFileURL(abs).href, built, mode === 'plan' ? planCaptured : undefined);
    if (plans.length === 0 && jobs.length === 0) {
      throw new EddyError(`${relative(process.cwd(), given)} built no job`, {
        code: 'JOB_BUILD_FAILED',
        domain: 'user',
        hint: 'call env.execute() at the end of the file, or export default (env) => { ...build the job on env... }',
      });
    }
    return { plans, jobs };
  } finally {
    setLaunchContext(undefined);
  }
}

/**
 * Extracts an artifact into a new temporary directory, removed when the process exits, and
 * returns its entry module. Stack traces map to the job's sources through the bundled source map.
 */
async function extractForRun(file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-app-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const { manifest, entryPath } = await extractArtifact(await readFile(file), dir);
  if (manifest.eddyVersion !== eddyVersion()) {
    process.stderr.write(
      `eddy: note: ${relative(process.cwd(), file)} was packaged by Eddy ${manifest.eddyVersion}; ` +
        `this is Eddy ${eddyVersion()}\n`,
    );
  }
  process.setSourceMapsEnabled(true);
  return entryPath;
}
