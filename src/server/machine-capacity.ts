/**
 * The resource units a machine offers by default — a file of its own so that
 * `eddy server --help` can name the figure without importing the HTTP server.
 *
 * @module
 */
import { availableParallelism, totalmem } from 'node:os';

/** Memory of one resource unit, MiB, unless `--unit-memory-mb` says otherwise. */
export const DEFAULT_UNIT_MEMORY_MB = 4096;

/** The smallest step of units an application can ask for. */
export const UNIT_STEP = 0.125;

/**
 * The resource units this machine offers: one per core, fewer when its memory holds fewer units
 * of `unitMemoryMb` (rounded down to steps of 1/8, the smallest unit an application can ask
 * for), and never less than 1/8.
 */
export function machineCapacityUnits(unitMemoryMb: number): number {
  const byMemory = Math.floor(totalmem() / 1048576 / unitMemoryMb / UNIT_STEP) * UNIT_STEP;
  return Math.max(UNIT_STEP, Math.min(availableParallelism(), byMemory));
}
