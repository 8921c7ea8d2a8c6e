import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbKeyedStateBackend } from '../../src/state/lmdb/lmdb-keyed-state-backend.ts';
import { runConformance } from './keyed-state-backend.conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-test-'));
runConformance(
  'lmdb',
  ({ maxParallelism, clock }) =>
    new LmdbKeyedStateBackend({
      dir,
      operatorName: 'test',
      maxParallelism,
      clock,
      flushThreshold: 1000,
    }),
);
