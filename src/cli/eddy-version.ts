/**
 * The version of the running Eddy, from its package.json.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The `version` of Eddy's package.json (`src/` and `dist/` both sit beside it). */
export function eddyVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  return cached;
}
