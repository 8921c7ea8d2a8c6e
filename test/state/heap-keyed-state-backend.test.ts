import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.ts';
import { runConformance } from './keyed-state-backend.conformance.ts';

runConformance(
  'heap',
  ({ maxParallelism, clock }) => new HeapKeyedStateBackend('test', maxParallelism, clock),
);
