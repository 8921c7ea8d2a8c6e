import { CHECKPOINT_PREFIX } from '../../runtime/checkpoint/checkpoint-coordinator.ts';
import { listCheckpointIds, loadCheckpoint } from '../../runtime/checkpoint/checkpoint-loader.ts';
import type { CheckpointStore } from '../../runtime/checkpoint/checkpoint-store.ts';
import { chooseRestoreCheckpoint } from '../../runtime/checkpoint/choose-restore-checkpoint.ts';
import { openCheckpointPath } from '../checkpoint-path.ts';
import { objectStorageFlags, s3EndpointFlag } from '../object-storage-flags.ts';
import { usageError } from '../cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';

const checkpointsFlags: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', description: 'print one JSON object per checkpoint' },
  s3EndpointFlag,
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const checkpointsHelp = `Usage: eddy checkpoints <checkpoint-dir | savepoint-path> [flags]

Lists the checkpoints of a job's checkpoint directory (the --checkpoint-dir of eddy run), oldest
first, or describes one savepoint: id, when it completed, how long it took, its size, the job and
its operators. Every state file is read and its checksum verified, so a truncated or corrupt
checkpoint shows up as INVALID with the reason. The last line says what a job started on the
directory would do: resume from which checkpoint, start from empty state, or refuse to start
(a damaged checkpoint whose output was already committed); the exit code is 1 in that case, and
for a savepoint that does not read back.
Paths may be local or s3://bucket/prefix (credentials from the standard AWS environment variables).

Flags:
${formatFlags(checkpointsFlags)}

Examples:
  eddy checkpoints /var/lib/eddy/bot-tagging
  eddy checkpoints ./savepoints/savepoint-3-1a2b3c4d --json
  eddy checkpoints s3://my-bucket/eddy/bot-tagging`;

/** One line of the history. */
interface CheckpointRow {
  readonly location: string;
  readonly id: number | undefined;
  readonly status: 'COMPLETED' | 'INVALID';
  readonly savepoint?: boolean;
  readonly jobName?: string;
  readonly completedAt?: string;
  readonly durationMs?: number;
  readonly bytes?: number;
  readonly operators?: readonly string[];
  readonly reason?: string;
}

async function describe(store: CheckpointStore, location: string): Promise<CheckpointRow> {
  try {
    // Merged: every file decoded, so a listed checkpoint reads back intact.
    const cp = await loadCheckpoint(store, location, { mergeChains: true });
    const m = cp.metadata;
    let bytes = 0;
    for (const op of m.operators) for (const st of op.subtasks) bytes += st.bytes;
    return {
      location: store.pathOf(location),
      id: m.checkpointId,
      status: 'COMPLETED',
      savepoint: m.savepoint,
      jobName: m.jobName,
      completedAt: new Date(m.completedAt).toISOString(),
      durationMs: m.completedAt - m.triggeredAt,
      bytes,
      operators: m.operators.map(
        (o) => `${o.name}${o.uid !== undefined ? ` (uid ${o.uid})` : ''} p=${o.parallelism}`,
      ),
    };
  } catch (e) {
    return {
      location: store.pathOf(location),
      id: undefined,
      status: 'INVALID',
      reason: (e as Error).message,
    };
  }
}

/** `eddy checkpoints`: the checkpoint history of a checkpoint directory, or one savepoint. */
export async function checkpointsCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, checkpointsFlags, 'checkpoints');
  if (flags['help'] === true) {
    console.log(checkpointsHelp);
    return 0;
  }
  const path = positionals[0];
  if (path === undefined)
    throw usageError(
      'eddy checkpoints needs a checkpoint directory or a savepoint path',
      'eddy checkpoints <dir>',
    );
  const target = await openCheckpointPath(
    path,
    objectStorageFlags(flags),
    'pass the --checkpoint-dir of the job, or a savepoint path',
  );
  let rows: CheckpointRow[];
  /** What a job started on the directory would do; undefined for one savepoint. */
  let verdict: { readonly text: string; readonly ok: boolean } | undefined;
  try {
    if (target.kind === 'single') {
      rows = [await describe(target.store, target.location)];
    } else {
      const { store } = target;
      const ids = await listCheckpointIds(store);
      rows = await Promise.all(ids.map((id) => describe(store, `${CHECKPOINT_PREFIX}${id}`)));
      verdict = await restoreVerdict(store);
    }
  } finally {
    await target.store.close();
  }
  // Scripts check the exit code: 1 when a job could not resume from what is here.
  const code = (verdict?.ok ?? rows.every((r) => r.status === 'COMPLETED')) ? 0 : 1;
  if (flags['json'] === true) {
    for (const r of rows) console.log(JSON.stringify(r));
    if (verdict !== undefined && !verdict.ok) process.stderr.write(`eddy: ${verdict.text}\n`);
    return code;
  }
  if (rows.length === 0 && verdict?.ok !== false) {
    console.log(`no checkpoints in ${path}`);
    return 0;
  }
  for (const r of rows) {
    if (r.status === 'INVALID') {
      console.log(`INVALID    ${r.location}: ${r.reason ?? ''}`);
      continue;
    }
    const kind = r.savepoint === true ? 'savepoint' : 'checkpoint';
    console.log(
      `COMPLETED  ${kind} ${r.id} of "${r.jobName}" at ${r.completedAt}, ${r.durationMs} ms, ${formatBytes(r.bytes ?? 0)}  ${r.location}`,
    );
    for (const op of r.operators ?? []) console.log(`             ${op}`);
  }
  if (verdict !== undefined) console.log(verdict.text);
  return code;
}

/** What `eddy run` with this checkpoint directory would do, in one sentence. */
async function restoreVerdict(
  store: CheckpointStore,
): Promise<{ readonly text: string; readonly ok: boolean }> {
  const choice = await chooseRestoreCheckpoint(store);
  switch (choice.kind) {
    case 'restore':
      return {
        text: `a job started on this directory resumes from ${choice.checkpoint.path}`,
        ok: true,
      };
    case 'fresh':
      return { text: 'a job started on this directory starts from empty state', ok: true };
    case 'refuse':
      return {
        text: `a job started on this directory refuses to start: ${choice.error.message}`,
        ok: false,
      };
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
