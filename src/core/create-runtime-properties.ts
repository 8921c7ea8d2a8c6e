import { userError } from '../errors/eddy-error.ts';
import type { RuntimeProperties } from './runtime-properties.ts';

/**
 * Creates {@link RuntimeProperties} from flat `group.key → value` pairs.
 *
 * @example
 * ```ts
 * const props = createRuntimeProperties({ 'bots.threshold': '5' });
 * props.getNumber('bots.threshold'); // 5
 * ```
 */
export function createRuntimeProperties(
  values: Readonly<Record<string, string>> = {},
): RuntimeProperties {
  const data: Readonly<Record<string, string>> = Object.freeze({ ...values });
  function get(key: string): string | undefined;
  function get(key: string, fallback: string): string;
  function get(key: string, fallback?: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : fallback;
  }
  return {
    get,
    getNumber(key, fallback) {
      const raw = get(key);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw userError('INVALID_ARGUMENT', `runtime property ${key}="${raw}" is not a number`, {
          hint: `set it with --prop ${key}=<number>`,
        });
      }
      return n;
    },
    getBoolean(key, fallback) {
      const raw = get(key);
      if (raw === undefined) return fallback;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw userError('INVALID_ARGUMENT', `runtime property ${key}="${raw}" is not a boolean`, {
        hint: `set it with --prop ${key}=true or --prop ${key}=false`,
      });
    },
    group(name) {
      const prefix = `${name}.`;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(data))
        if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
      return out;
    },
    all: () => data,
  };
}
