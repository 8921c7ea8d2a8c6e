/**
 * The P splits of one configuration read as a single stream, one event of each split in turn.
 * All splits run on the same timeline (the k-th event of every split has time `ts(firstEventNumber
 * + k)`), so the interleaving is in event-time order and no event is ever behind the watermark
 * `maxTimestamp − 4 s`: it holds exactly the events a P-way parallel source emits.
 */
import type { NexmarkEvent } from './events.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { splitConfig } from './generator-config.ts';
import { NexmarkGenerator } from './nexmark-generator.ts';

/** Reads `splitConfig(config, parallelism)` round-robin. */
export class InterleavedGenerator {
  readonly generators: readonly NexmarkGenerator[];
  private cursor = 0;
  private remaining: number;

  constructor(config: GeneratorConfig, parallelism: number) {
    this.generators = splitConfig(config, parallelism).map((c) => new NexmarkGenerator(c));
    this.remaining = config.maxEvents;
  }

  /** True while any split has events left. */
  hasNext(): boolean {
    return this.remaining > 0;
  }

  /** The next event in round-robin order over the splits that still have events. */
  next(): NexmarkEvent {
    const gens = this.generators;
    for (;;) {
      const g = gens[this.cursor] as NexmarkGenerator;
      this.cursor = this.cursor + 1 === gens.length ? 0 : this.cursor + 1;
      if (g.hasNext()) {
        this.remaining--;
        return g.next();
      }
    }
  }

  /** Writes up to `max` next events into `out` from index 0 on; returns how many were written. */
  fill(out: NexmarkEvent[], max: number): number {
    const n = Math.min(max, this.remaining);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return n;
  }
}
