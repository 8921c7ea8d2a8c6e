/**
 * The modules of the running Eddy that an extracted artifact imports as `eddy`, `eddy/testing`
 * and `eddy/kafka`. An artifact bundles its job and npm dependencies but never Eddy itself, so
 * the job shares the runtime's module instances (one executor, one launch context) and native
 * modules (LMDB) come from the runtime's installation.
 *
 * @module
 */

/** Subpath export of the `eddy` package → module path under the runtime's source root. */
export const RUNTIME_ENTRY_POINTS: Readonly<Record<string, string>> = Object.freeze({
  '.': 'index',
  './testing': 'testing/index',
  './kafka': 'connectors/kafka/index',
  './postgres': 'connectors/postgres/index',
});

/**
 * The URL of the running Eddy's module for a subpath export (`.ts` when Eddy runs from its
 * sources, `.js` when built).
 */
export function runtimeModuleUrl(subpath: string): string {
  const module = RUNTIME_ENTRY_POINTS[subpath];
  if (module === undefined) throw new RangeError(`eddy has no export "${subpath}"`);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../${module}${ext}`, import.meta.url).href;
}
