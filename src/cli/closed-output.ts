/**
 * What the `eddy` process does when its standard output goes away: `eddy run job.ts | head -3`,
 * `eddy state dir | less` quit early. Like other Unix tools it stops quietly — no EPIPE stack,
 * jobs stopped as a stop signal stops them (the savepoint of `--savepoint-on-stop` included) —
 * and exits 0: the reader chose to stop reading, which is not the command failing (a status
 * of 141 would fail every `set -o pipefail` script that pipes eddy into head). Any other error
 * writing stdout (a full disk under `> file`) stops the jobs the same way and is reported.
 *
 * @module
 */

let installed = false;
let closed = false;
let failure: Error | undefined;

/** True once stdout's reader has gone (or writing it failed): there is no point printing more. */
export function outputClosed(): boolean {
  return closed || process.stdout.destroyed;
}

/** The error that ended stdout, when it was not its reader going away (EPIPE). */
export function outputFailure(): Error | undefined {
  return failure;
}

/** Installs the handling on `process.stdout`, once per process (bin/eddy.js, never in tests). */
export function watchOutput(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (e.code !== 'EPIPE') failure = e;
    // Loaded already when a job runs; `eddy state` and friends never load the runtime for this.
    void import('../runtime/local-executor.ts').then((m) => m.stopLocalJobs());
  });
}
