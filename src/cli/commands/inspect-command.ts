import { readFile } from 'node:fs/promises';
import { readArtifactContents } from '../../artifact/read-artifact.ts';
import { formatPlan } from '../../plan/format-plan.ts';
import type { Plan } from '../../plan/plan.ts';
import { EddyError } from '../../errors/eddy-error.ts';
import { usageError } from '../cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';
import { formatBytes } from './package-command.ts';

const inspectFlags: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the manifest and plans as one JSON object' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/** Help of `eddy inspect`. */
export const inspectHelp = `Usage: eddy inspect <app.eddy> [--json]

Checks an application artifact (made by "eddy package") and prints its manifest — name, entry,
Eddy version, creation time, the size and SHA-256 of every member — and the plan of its job.
Nothing is extracted or run.

Flags:
${formatFlags(inspectFlags)}`;

/** `eddy inspect`. */
export async function inspectCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, inspectFlags, 'inspect');
  if (flags['help'] === true) {
    console.log(inspectHelp);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined)
    throw usageError('eddy inspect needs an artifact', 'eddy inspect app.eddy');
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new EddyError(`cannot read ${file}: ${(e as Error).message}`, {
      code: 'IO_ERROR',
      domain: 'user',
      cause: e,
      hint: 'pass the path of a file written by "eddy package"',
    });
  }
  const { manifest, sha256, members } = readArtifactContents(bytes);
  const planData = manifest.plan?.path !== undefined ? members.get(manifest.plan.path) : undefined;
  const plans =
    planData !== undefined ? (JSON.parse(Buffer.from(planData).toString('utf8')) as Plan[]) : [];
  if (flags['json'] === true) {
    console.log(JSON.stringify({ sha256, size: bytes.length, manifest, plans }, null, 2));
    return 0;
  }
  const width = Math.max(...manifest.members.map((m) => m.path.length));
  const lines = [
    `artifact ${file} (${formatBytes(bytes.length)}, sha256 ${sha256})`,
    `  name     ${manifest.name}`,
    `  entry    ${manifest.entry}`,
    `  eddy     ${manifest.eddyVersion} (artifact format ${manifest.format})`,
    `  created  ${manifest.createdAt}`,
    '  members',
    ...manifest.members.map(
      (m) => `    ${m.path.padEnd(width)}  ${formatBytes(m.size).padStart(9)}  sha256 ${m.sha256}`,
    ),
  ];
  if (manifest.plan !== undefined) {
    const s = manifest.plan.summary;
    lines.push(
      `  plan     fingerprint ${manifest.plan.fingerprint}, ${s.operators} operators, ` +
        `sources ${s.sources.join(', ') || '-'}, sinks ${s.sinks.join(', ') || '-'}`,
    );
  }
  console.log(lines.join('\n'));
  for (const plan of plans) console.log(`\n${formatPlan(plan)}`);
  return 0;
}
