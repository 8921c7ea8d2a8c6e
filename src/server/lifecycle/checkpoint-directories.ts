/**
 * An application's checkpoint directory when a run must not resume from it: a start that chose
 * where to restore from, an update, a rollback discard it; a restarted server removes what a
 * killed one renamed away but did not delete.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Removes the checkpoint directory `dir`. Renamed away first: a directory half deleted by a
 * server killed meanwhile would be read as damaged checkpoints by the next run.
 */
export async function discardCheckpoints(dir: string): Promise<void> {
  const away = `${dir}.discarded-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
  try {
    await rename(dir, away);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await rm(away, { recursive: true, force: true });
}

/** Removes the checkpoint directories under `appDir` a killed server renamed away but did not delete. */
export async function removeDiscardedCheckpoints(appDir: string): Promise<void> {
  const entries = await readdir(appDir).catch(() => [] as string[]);
  for (const e of entries)
    if (e.startsWith('checkpoints.discarded-'))
      await rm(join(appDir, e), { recursive: true, force: true });
}
