/**
 * `eddy state`: reads the keyed state saved in a checkpoint or savepoint — what Flink users reach
 * for the State Processor API to see. Read-only: nothing is written or restored.
 *
 * @module
 */
import type { ObjectStorageOptions } from '../../core/object-storage-options.ts';
import {
  findLatestCheckpoint,
  loadCheckpoint,
  type LoadedCheckpoint,
  type LoadedOperatorState,
} from '../../runtime/checkpoint/checkpoint-loader.ts';
import { openCheckpointPath } from '../checkpoint-path.ts';
import { objectStorageFlags, s3EndpointFlag } from '../object-storage-flags.ts';
import { usageError } from '../cli-error.ts';
import { outputClosed } from '../closed-output.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';

const stateFlags: readonly FlagSpec[] = [
  {
    name: 'operator',
    type: 'string',
    placeholder: '<uid|name>',
    description: 'print the entries of this operator (its uid, or its name)',
  },
  { name: 'state', type: 'string', placeholder: '<name>', description: 'only this state' },
  {
    name: 'key',
    type: 'string',
    placeholder: '<key>',
    description: 'only this key (compared as printed: 42 matches the number and the string)',
  },
  {
    name: 'limit',
    type: 'number',
    placeholder: '<n>',
    description: 'print at most n entries (default 100; 0 prints all)',
  },
  { name: 'json', type: 'boolean', description: 'one JSON object per line' },
  s3EndpointFlag,
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const stateHelp = `Usage: eddy state <checkpoint-dir | checkpoint | savepoint-path> [flags]

Reads the keyed state saved in a checkpoint or savepoint: of a checkpoint directory (the
--checkpoint-dir of eddy run), its newest complete checkpoint. Without --operator it lists the
operators with keyed state, each state and how many entries it has; with --operator it prints the
entries — key, state, window (for window contents and per-window state) and value. Every file is
checksum-verified first. Nothing is written. Paths may be local or s3://bucket/prefix.

Flags:
${formatFlags(stateFlags)}

Examples:
  eddy state /var/lib/eddy/bot-tagging
  eddy state /var/lib/eddy/bot-tagging --operator bot-tag-enrichment --key u42
  eddy state ./savepoints/savepoint-3-1a2b3c4d --operator counts --json --limit 0`;

/** One keyed state entry as printed. */
interface Entry {
  readonly operator: string;
  readonly state: string;
  readonly key: unknown;
  readonly window?: string | number;
  readonly value: unknown;
}

async function open(
  path: string,
  objectStorage: ObjectStorageOptions | undefined,
): Promise<LoadedCheckpoint> {
  const target = await openCheckpointPath(
    path,
    objectStorage,
    'pass the --checkpoint-dir of the job, a chk-<id> directory or a savepoint path',
  );
  try {
    return await load(path, target);
  } finally {
    await target.store.close();
  }
}

async function load(
  path: string,
  target: Awaited<ReturnType<typeof openCheckpointPath>>,
): Promise<LoadedCheckpoint> {
  if (target.kind === 'single') {
    try {
      return await loadCheckpoint(target.store, target.location, { mergeChains: true });
    } catch (e) {
      throw usageError(
        `cannot read ${path}: ${(e as Error).message}`,
        'eddy checkpoints <dir> lists the checkpoints that read back intact',
      );
    }
  }
  const skipped: string[] = [];
  const cp = await findLatestCheckpoint(target.store, (m) => skipped.push(m), {
    mergeChains: true,
  });
  for (const m of skipped) console.error(`eddy: ${m}`);
  if (cp === undefined) {
    throw usageError(
      `no complete checkpoint in ${path}`,
      'pass the --checkpoint-dir of a job that completed a checkpoint, or a savepoint path',
    );
  }
  return cp;
}

function labelOf(op: LoadedOperatorState): string {
  return op.meta.uid ?? op.meta.name;
}

/** Entries of one operator, in key-group order, filtered. */
function* entriesOf(
  op: LoadedOperatorState,
  stateName: string | undefined,
  key: string | undefined,
): Generator<Entry> {
  const operator = labelOf(op);
  for (const subtask of op.subtasks) {
    for (const group of subtask?.keyGroups ?? []) {
      for (const s of group.states) {
        if (stateName !== undefined && s.name !== stateName) continue;
        for (let i = 0; i < s.keys.length; i++) {
          const k = s.keys[i];
          if (key !== undefined && printable(k) !== key) continue;
          const window = s.namespaces?.[i];
          yield {
            operator,
            state: s.name,
            key: k,
            ...(window !== undefined ? { window } : {}),
            value: s.values[i],
          };
        }
      }
    }
  }
}

function printable(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `eddy state`: keyed state of a checkpoint or savepoint. */
export async function stateCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, stateFlags, 'state');
  if (flags['help'] === true) {
    console.log(stateHelp);
    return 0;
  }
  const path = positionals[0];
  if (path === undefined) {
    throw usageError(
      'eddy state needs a checkpoint directory, a checkpoint or a savepoint path',
      'eddy state <dir> [--operator <uid|name>]',
    );
  }
  const limitFlag = flags['limit'] as number | undefined;
  if (limitFlag !== undefined && (!Number.isInteger(limitFlag) || limitFlag < 0)) {
    throw usageError(`--limit must be a whole number, got ${limitFlag}`, '--limit 0 prints all');
  }
  const limit = limitFlag === undefined ? 100 : limitFlag === 0 ? Infinity : limitFlag;
  const json = flags['json'] === true;
  const cp = await open(path, objectStorageFlags(flags));
  const keyed = [...cp.operators.values()].filter((op) => op.meta.keyed);
  const wanted = flags['operator'] as string | undefined;

  if (wanted === undefined) {
    const kind = cp.metadata.savepoint ? 'savepoint' : 'checkpoint';
    if (!json)
      console.log(`${kind} ${cp.metadata.checkpointId} of "${cp.metadata.jobName}"  ${cp.path}`);
    for (const op of keyed) {
      const counts = new Map<string, number>();
      for (const e of entriesOf(op, undefined, undefined))
        counts.set(e.state, (counts.get(e.state) ?? 0) + 1);
      if (json) {
        console.log(
          JSON.stringify({
            operator: labelOf(op),
            name: op.meta.name,
            states: Object.fromEntries(counts),
          }),
        );
        continue;
      }
      const uid = op.meta.uid !== undefined ? ` (uid ${op.meta.uid})` : '';
      console.log(`  ${op.meta.name}${uid} p=${op.meta.parallelism}`);
      for (const [name, n] of counts)
        console.log(`    ${name}: ${n} ${n === 1 ? 'entry' : 'entries'}`);
      if (counts.size === 0) console.log('    (no keyed state)');
    }
    if (!json && keyed.length === 0) console.log('  (no operator with keyed state)');
    return 0;
  }

  const op = keyed.find((o) => o.meta.uid === wanted) ?? keyed.find((o) => o.meta.name === wanted);
  if (op === undefined) {
    const known = keyed.map((o) => labelOf(o)).join(', ');
    throw usageError(
      `no keyed operator "${wanted}" in ${cp.path}`,
      known.length > 0
        ? `operators with keyed state: ${known}`
        : 'this snapshot has no keyed state',
    );
  }
  let printed = 0;
  let more = false;
  for (const e of entriesOf(
    op,
    flags['state'] as string | undefined,
    flags['key'] as string | undefined,
  )) {
    // `eddy state … --limit 0 | head`: once the reader has gone, formatting the rest is waste.
    if (outputClosed()) return 0;
    if (printed >= limit) {
      more = true;
      break;
    }
    printed++;
    if (json) console.log(JSON.stringify(e));
    else {
      const window = e.window !== undefined ? ` [window ${e.window}]` : '';
      console.log(`${printable(e.key)}  ${e.state}${window}  ${JSON.stringify(e.value)}`);
    }
  }
  if (!json && printed === 0) console.log('(no entries match)');
  if (more) console.error(`eddy: printed the first ${limit} entries; --limit 0 prints all`);
  return 0;
}
