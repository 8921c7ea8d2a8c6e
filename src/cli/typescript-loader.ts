/**
 * Loads tsx, Eddy's TypeScript loader, the first time a TypeScript job file is imported: the
 * built CLI runs plain JavaScript and `eddy --help` must not pay for a loader it does not use.
 *
 * @module
 */

/** Set by whoever registered tsx already (bin/eddy.js, when Eddy runs from its sources). */
const REGISTERED = Symbol.for('eddy.typescript-loader');

/** Registers tsx if `file` is TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`) and it is not yet. */
export async function ensureTypeScriptLoader(file: string): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  if (!/\.[cm]?tsx?$/.test(file) || global[REGISTERED] === true) return;
  const { register } = await import('tsx/esm/api');
  register();
  global[REGISTERED] = true;
}
