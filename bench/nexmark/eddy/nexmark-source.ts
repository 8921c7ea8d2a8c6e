/**
 * The Nexmark generator as an Eddy source: parallel-splittable (subtask i of P reads split i of
 * `splitConfig(config, P)`, the same events the loop and Flink baselines see), bounded, with each
 * event stamped with its `dateTime`. Watermarks come from the stream's WatermarkStrategy
 * (`nexmarkWatermarks`: dateTime − 4 s per split).
 */
import type { Source, SourceOutput, SourceReader } from '../../../src/core/connector-spi.ts';
import { WatermarkStrategy } from '../../../src/time/watermark-strategy.ts';
import type { NexmarkEvent } from '../generator/events.ts';
import type { GeneratorConfig } from '../generator/generator-config.ts';
import { splitConfig } from '../generator/generator-config.ts';
import { NexmarkGenerator } from '../generator/nexmark-generator.ts';

class NexmarkReader implements SourceReader<NexmarkEvent> {
  constructor(private readonly generator: NexmarkGenerator) {}

  pollNext(output: SourceOutput<NexmarkEvent>): 'MORE_AVAILABLE' | 'END_OF_INPUT' {
    const g = this.generator;
    for (let n = output.remaining; n > 0 && g.hasNext(); n--) {
      const e = g.next();
      output.collect(e, e.dateTime);
    }
    return g.hasNext() ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
  }

  isAvailable(): Promise<void> {
    return Promise.resolve();
  }
}

/** A bounded source of the Nexmark events of `config`, split over the source's subtasks. */
export class NexmarkSource implements Source<NexmarkEvent> {
  readonly name = 'Nexmark';
  readonly boundedness = 'bounded';

  constructor(private readonly config: GeneratorConfig) {}

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'nexmark', events: this.config.maxEvents, seed: this.config.seed };
  }

  createReader(ctx: { subtaskIndex: number; parallelism: number }): SourceReader<NexmarkEvent> {
    const split = splitConfig(this.config, ctx.parallelism)[ctx.subtaskIndex] as GeneratorConfig;
    return new NexmarkReader(new NexmarkGenerator(split));
  }
}

/** Nexmark's watermark: the largest dateTime seen in a split minus 4 s. */
export function nexmarkWatermarks(): WatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(4000);
}
