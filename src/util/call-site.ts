import { fileURLToPath } from 'node:url';

/** Eddy's own source directory: frames inside it are the engine's, not the user's. */
const ENGINE_SRC = fileURLToPath(new URL('..', import.meta.url));

/**
 * Finds the user's source line that called into the API, so build errors can point at it.
 * Only called while a job is being built, never on the record path.
 */
export function userCallSite(): string | undefined {
  const stack = new Error().stack;
  if (stack === undefined) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m === null) continue;
    const file = (m[1] ?? '').replace(/^file:\/\//, '');
    if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
    if (file.startsWith(ENGINE_SRC) && !file.endsWith('.test.ts')) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
