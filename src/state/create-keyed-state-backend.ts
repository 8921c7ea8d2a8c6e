/**
 * Chooses the keyed state backend of an operator subtask from the `stateBackend` option.
 *
 * @module
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend.ts';
import type { KeyedStateBackend } from './keyed-state-backend.ts';
import { LmdbKeyedStateBackend } from './lmdb/lmdb-keyed-state-backend.ts';

/** The state backends. */
export type StateBackendKind = 'heap' | 'lmdb';

/** Where and for whom a backend is created. */
export interface BackendSpec {
  readonly kind: StateBackendKind;
  readonly operatorName: string;
  readonly maxParallelism: number;
  /** Working directory of disk backends (default `<tmpdir>/eddy-state`). */
  readonly dir: string | undefined;
  /** Memory budget of disk backends (cache and write buffer), bytes; default their own. */
  readonly memoryBytes?: number | undefined;
  /** Milliseconds now (state TTL). */
  readonly clock: () => number;
}

/** Creates a keyed state backend. */
export function createKeyedStateBackend(spec: BackendSpec): KeyedStateBackend {
  if (spec.kind === 'lmdb') {
    return new LmdbKeyedStateBackend({
      dir: spec.dir ?? join(tmpdir(), 'eddy-state'),
      operatorName: spec.operatorName,
      maxParallelism: spec.maxParallelism,
      clock: spec.clock,
      ...(spec.memoryBytes !== undefined ? { memoryBytes: spec.memoryBytes } : {}),
    });
  }
  return new HeapKeyedStateBackend(spec.operatorName, spec.maxParallelism, spec.clock);
}
