import { rename, writeFile } from 'node:fs/promises';
import { basename, extname, relative, resolve } from 'node:path';
import type { ArtifactPlan } from '../../artifact/artifact-manifest.ts';
import { writeArtifact } from '../../artifact/write-artifact.ts';
import type { Plan } from '../../plan/plan.ts';
import { planFingerprint } from '../../runtime/parallel/plan-fingerprint.ts';
import { bundleJob } from '../bundle-job.ts';
import { usageError } from '../cli-error.ts';
import { eddyVersion } from '../eddy-version.ts';
import { loadJob, resolveJobFile } from '../load-job.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';
import { environmentDefaults } from './run-command.ts';

const ENTRY = 'job.mjs';
const PLAN = 'plan.json';

const packageFlags: readonly FlagSpec[] = [
  {
    name: 'output',
    short: 'o',
    type: 'string',
    placeholder: '<file>',
    description: 'where to write the artifact (default: <job name>.eddy here)',
  },
  {
    name: 'prop',
    type: 'list',
    placeholder: '<group.key=value>',
    description: 'a runtime property the job reads while building its plan; repeatable',
  },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'print nothing but errors' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/** Help of `eddy package`. */
export const packageHelp = `Usage: eddy package <job.ts|job.js> [-o app.eddy]

Packages a job as one file, an application artifact: the job and its npm dependencies bundled
into one JavaScript module, its plan, and a manifest with the SHA-256 of every member. Eddy itself
is not in the artifact: the Eddy that runs it provides it. Run it with "eddy run app.eddy" (same
flags as a job file), look inside with "eddy inspect app.eddy".

Flags:
${formatFlags(packageFlags)}

Examples:
  eddy package examples/bot-tagging.ts
  eddy package job.ts -o dist/clicks.eddy && eddy run dist/clicks.eddy -p 2`;

/** `eddy package`. */
export async function packageCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, packageFlags, 'package');
  if (flags['help'] === true) {
    console.log(packageHelp);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) {
    throw usageError('eddy package needs a job file', 'eddy package examples/bot-tagging.ts');
  }
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`);
  const started = performance.now();
  const jobFile = resolveJobFile(file);
  if (jobFile.endsWith('.eddy')) {
    throw usageError(`${file} is an artifact already`, `eddy inspect ${file} shows what is in it`);
  }
  const { bytes, manifest, warnings } = await packageJobFile(jobFile, flags);
  const output = resolve(
    (flags['output'] as string | undefined) ?? `${basename(jobFile, extname(jobFile))}.eddy`,
  );
  // Written beside the target, then renamed: a reader never sees half an artifact.
  const partial = `${output}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, output);
  if (flags['quiet'] !== true) {
    for (const w of warnings) process.stderr.write(`eddy: bundler warning:\n${w}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(
      `eddy: packaged ${relative(process.cwd(), jobFile)} as ${relative(process.cwd(), output)}` +
        ` (${formatBytes(bytes.length)}, ${manifest.members.length + 1} members) in ${seconds} s\n`,
    );
  }
  return 0;
}

/** A packaged job: the artifact's bytes, its manifest, and the bundler's warnings. */
export interface PackagedJob {
  readonly bytes: Uint8Array;
  readonly manifest: ReturnType<typeof writeArtifact>['manifest'];
  readonly warnings: readonly string[];
}

/**
 * Packages the job file `jobFile` (absolute) in memory; `flags` are run-command flags (`--prop`)
 * the job may read while building its plan. Used by `eddy package` and `eddy deploy`.
 */
export async function packageJobFile(
  jobFile: string,
  flags: Readonly<Record<string, unknown>>,
): Promise<PackagedJob> {
  // Building the plan first checks the job as "eddy plan" does, before anything is written.
  const { plans } = await loadJob(jobFile, 'plan', environmentDefaults(flags));
  const bundle = await bundleJob(jobFile, ENTRY);
  const name = plans[0]?.jobName ?? basename(jobFile, extname(jobFile));
  const { bytes, manifest } = writeArtifact({
    name,
    entry: ENTRY,
    eddyVersion: eddyVersion(),
    ...(plans[0] !== undefined ? { plan: artifactPlan(plans[0]) } : {}),
    members: [
      { path: ENTRY, data: bundle.code },
      { path: `${ENTRY}.map`, data: bundle.sourceMap },
      { path: PLAN, data: Buffer.from(`${JSON.stringify(plans, null, 2)}\n`) },
    ],
  });
  return { bytes, manifest, warnings: bundle.warnings };
}

function artifactPlan(plan: Plan): ArtifactPlan {
  const names = (kind: string) => plan.nodes.filter((n) => n.kind === kind).map((n) => n.name);
  return {
    fingerprint: planFingerprint(plan),
    summary: {
      jobName: plan.jobName,
      parallelism: plan.parallelism,
      maxParallelism: plan.maxParallelism,
      operators: plan.nodes.length,
      sources: names('source'),
      sinks: names('sink'),
    },
    path: PLAN,
  };
}

/** `12.3 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
