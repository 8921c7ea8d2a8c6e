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
    const file = m[1] ?? '';
    if (file.includes('/src/api/') || file.includes('/src/util/') || file.includes('node:'))
      continue;
    if (file.includes('/node_modules/')) continue;
    return `${file.replace(/^file:\/\//, '')}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
