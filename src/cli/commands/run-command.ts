import { toBytes } from '../../util/memory-size.ts';
import { RunProgress, summaryJson, type ProgressMode } from '../run-progress.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import { toMillis, type Duration } from '../../util/duration.ts';
import type { EnvironmentOptions } from '../../core/environment-options.ts';
import { loadJob } from '../load-job.ts';
import { outputClosed } from '../closed-output.ts';
import { usageError } from '../cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';
import { objectStorageFlags, s3EndpointFlag } from '../object-storage-flags.ts';

export const runFlags: readonly FlagSpec[] = [
  {
    name: 'parallelism',
    short: 'p',
    type: 'number',
    placeholder: '<n>',
    description: 'default parallelism of operators (default 1)',
  },
  {
    name: 'max-parallelism',
    type: 'number',
    placeholder: '<n>',
    description: 'number of key groups (default 128)',
  },
  {
    name: 'metrics-port',
    type: 'number',
    placeholder: '<port>',
    description: 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics',
  },
  {
    name: 'metrics-host',
    type: 'string',
    placeholder: '<host>',
    description: 'address to bind the metrics server to (default 127.0.0.1)',
  },
  {
    name: 'prop',
    type: 'list',
    placeholder: '<group.key=value>',
    description: 'a runtime property, readable as ctx.properties.get("group.key"); repeatable',
  },
  {
    name: 'job-name',
    type: 'string',
    placeholder: '<name>',
    description: 'job name, when the job file does not set one',
  },
  {
    name: 'batch-size',
    type: 'number',
    placeholder: '<n>',
    description: 'records per batch on the record path (default 1024)',
  },
  {
    name: 'checkpoint-interval',
    type: 'string',
    placeholder: '<duration>',
    description: 'take a checkpoint every <duration> (e.g. 10s); off by default',
  },
  {
    name: 'checkpoint-dir',
    type: 'string',
    placeholder: '<dir|s3://bucket/prefix>',
    description: 'where checkpoints go; a restarted job resumes from the newest one here',
  },
  {
    name: 'tolerable-checkpoint-failures',
    type: 'number',
    placeholder: '<n>',
    description: 'checkpoint failures in a row to ride out before the job fails (default 0)',
  },
  {
    name: 'checkpointing-mode',
    type: 'string',
    placeholder: '<mode>',
    description: 'exactly-once (default) or at-least-once',
  },
  {
    name: 'from-savepoint',
    type: 'string',
    placeholder: '<path|s3://…>',
    description: 'start from a savepoint (state matched by operator uid)',
  },
  {
    name: 'allow-non-restored-state',
    type: 'boolean',
    description: 'with --from-savepoint: skip state whose operator no longer exists',
  },
  {
    name: 'savepoint-on-stop',
    type: 'string',
    placeholder: '<dir|s3://…>',
    description: 'on Ctrl-C/SIGTERM, take a savepoint into <dir> before stopping',
  },
  s3EndpointFlag,
  {
    name: 'state-backend',
    type: 'string',
    placeholder: '<kind>',
    description: 'keyed state backend: heap (default) or lmdb (larger than memory)',
  },
  {
    name: 'state-dir',
    type: 'string',
    placeholder: '<dir>',
    description: 'working directory of the lmdb state backend',
  },
  {
    name: 'state-memory',
    type: 'string',
    placeholder: '<size>',
    description: 'memory of the lmdb state backend (cache and write buffer), e.g. 256mb',
  },
  {
    name: 'incremental-checkpoints',
    type: 'boolean',
    description: 'lmdb checkpoints write only what changed since the previous one',
  },
  {
    name: 'restart-strategy',
    type: 'string',
    placeholder: '<kind>',
    description: 'none, or exponential-backoff (default with checkpoints)',
  },
  {
    name: 'fail-on-malformed-input',
    type: 'boolean',
    description: 'fail instead of sending malformed input to the dead-letter output',
  },
  {
    name: 'runtime-mode',
    type: 'string',
    placeholder: '<threads|in-process>',
    description: 'threads: one worker thread per slot when parallelism > 1 (default); in-process',
  },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'do not print the job summary' },
  {
    name: 'json',
    type: 'boolean',
    description: 'progress (every second) and the final summary as JSON lines on stderr',
  },
  {
    name: 'no-progress',
    type: 'boolean',
    description: 'no progress line on a terminal (records, rate, elapsed, watermark)',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const runHelp = `Usage: eddy run <job.ts|job.js> [flags]

Runs a job file in this process until its input ends (bounded sources) or until Ctrl-C / SIGTERM,
which stops it gracefully. The file builds a job with StreamEnvironment.create() and calls
env.execute(), or default-exports (env) => { ... }.

Flags:
${formatFlags(runFlags)}

Examples:
  eddy run examples/bot-tagging.ts --metrics-port 9249
  eddy run job.ts -p 2 --prop bots.threshold=5
  eddy run job.ts --checkpoint-interval 10s --checkpoint-dir /var/lib/eddy/job --savepoint-on-stop ./savepoints
  eddy run job.ts -p 4 --from-savepoint ./savepoints/savepoint-3-1a2b3c4d
  eddy run job.ts --checkpoint-interval 10s --checkpoint-dir s3://my-bucket/eddy/job`;

/** Parses run/plan flags into environment defaults. */
export function environmentDefaults(flags: Readonly<Record<string, unknown>>): EnvironmentOptions {
  const properties: Record<string, string> = {};
  for (const p of (flags['prop'] as string[] | undefined) ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw usageError(`--prop "${p}" is not key=value`, 'write --prop group.key=value');
    properties[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const positive = (name: string): number | undefined => {
    const v = flags[name] as number | undefined;
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw usageError(`--${name} must be a positive integer, got ${v}`);
    return v;
  };
  const port = flags['metrics-port'] as number | undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw usageError(`--metrics-port must be a port number (0-65535), got ${port}`);
  }
  const o: Record<string, unknown> = { properties };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  set('parallelism', positive('parallelism'));
  set('maxParallelism', positive('max-parallelism'));
  set('batchSize', positive('batch-size'));
  set('metricsPort', port);
  set('metricsHost', flags['metrics-host']);
  set('jobName', flags['job-name']);
  if (flags['fail-on-malformed-input'] === true) o['failOnMalformedInput'] = true;
  const oneOf = (name: string, allowed: readonly string[]): string | undefined => {
    const v = flags[name] as string | undefined;
    if (v !== undefined && !allowed.includes(v)) {
      throw usageError(`--${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    }
    return v;
  };
  const interval = flags['checkpoint-interval'] as string | undefined;
  if (interval !== undefined) {
    try {
      set(
        'checkpointInterval',
        toMillis(
          /^\d+$/.test(interval) ? Number(interval) : (interval as Duration),
          '--checkpoint-interval',
        ),
      );
    } catch {
      throw usageError(
        `--checkpoint-interval "${interval}" is not a duration`,
        'write e.g. --checkpoint-interval 10s or 500ms',
      );
    }
  }
  set('checkpointDir', flags['checkpoint-dir']);
  const tolerable = flags['tolerable-checkpoint-failures'] as number | undefined;
  if (tolerable !== undefined && (!Number.isInteger(tolerable) || tolerable < 0)) {
    throw usageError(
      `--tolerable-checkpoint-failures must be a non-negative integer, got ${tolerable}`,
    );
  }
  set('tolerableCheckpointFailures', tolerable);
  set('checkpointingMode', oneOf('checkpointing-mode', ['exactly-once', 'at-least-once']));
  set('fromSavepoint', flags['from-savepoint']);
  if (flags['allow-non-restored-state'] === true) o['allowNonRestoredState'] = true;
  set('savepointOnStop', flags['savepoint-on-stop']);
  set('objectStorage', objectStorageFlags(flags));
  set('stateBackend', oneOf('state-backend', ['heap', 'lmdb']));
  set('stateDir', flags['state-dir']);
  const memory = flags['state-memory'] as string | undefined;
  if (memory !== undefined) {
    try {
      o['stateMemory'] = toBytes(memory, '--state-memory');
    } catch {
      throw usageError(
        `--state-memory "${memory}" is not a memory size`,
        'write e.g. --state-memory 256mb',
      );
    }
  }
  if (flags['incremental-checkpoints'] === true) o['incrementalCheckpoints'] = true;
  const restart = oneOf('restart-strategy', ['none', 'exponential-backoff']);
  if (restart !== undefined) o['restartStrategy'] = { type: restart };
  set('runtimeMode', oneOf('runtime-mode', ['threads', 'in-process']));
  return o as EnvironmentOptions;
}

/** `eddy run`. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, runFlags, 'run');
  if (flags['help'] === true) {
    console.log(runHelp);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined)
    throw usageError('eddy run needs a job file', 'eddy run examples/bot-tagging.ts');
  if (positionals.length > 1)
    throw usageError(
      `unexpected argument "${positionals[1]}"`,
      'pass one job file; use --prop key=value for job settings',
    );
  const json = flags['json'] === true;
  const quiet = flags['quiet'] === true;
  const mode: ProgressMode = json
    ? 'json'
    : !quiet && flags['no-progress'] !== true && process.stderr.isTTY === true
      ? 'tty'
      : 'off';
  const progress: RunProgress[] = [];
  const { jobs } = await loadJob(file, 'run', environmentDefaults(flags), (job) => {
    progress.push(new RunProgress(job, mode));
  });
  let failed = 0;
  for (const [i, job] of jobs.entries()) {
    try {
      const r = await job.result.finally(() => progress[i]?.stop());
      // Let printed records reach stdout before the summary goes to stderr.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      // The reader of stdout has gone (`| head`): the job was stopped for that; stop quietly.
      if (outputClosed()) continue;
      if (json) process.stderr.write(summaryJson(r));
      else if (!quiet) {
        process.stderr.write(
          `eddy: job "${r.jobName}" ${r.status} in ${(r.durationMs / 1000).toFixed(2)} s\n`,
        );
        for (const op of r.operators)
          process.stderr.write(
            `  ${op.name.padEnd(28)} in ${String(op.recordsIn).padStart(9)}  out ${String(op.recordsOut).padStart(9)}` +
              `${op.backPressureLevel !== undefined && op.backPressureLevel !== 'OK' ? `  backpressure ${op.backPressureLevel}` : ''}\n`,
          );
      }
    } catch (e) {
      failed++;
      throw e instanceof EddyError
        ? e
        : new EddyError(String(e), { code: 'INTERNAL', domain: 'internal', cause: e });
    }
  }
  return failed > 0 ? 1 : 0;
}
