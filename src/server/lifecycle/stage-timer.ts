/**
 * Splits an operation's time into named stages (savepoint, process exit, process start, job
 * start, …) as it goes, so a slow update says where its time went — to the user reading the
 * operation, and to whoever measures the platform.
 *
 * @module
 */
import type { OperationStage } from '../../protocol/operation.ts';

/** Records the time since the previous mark under each stage's name. */
export class StageTimer {
  private last: number;

  constructor(
    /** Receives each stage as it ends. */
    private readonly record: (stage: OperationStage) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** Ends stage `name` (it began at the previous mark, or when the timer was made). */
  mark(name: string): void {
    const t = this.now();
    this.record({ name, ms: Math.round(t - this.last) });
    this.last = t;
  }
}
