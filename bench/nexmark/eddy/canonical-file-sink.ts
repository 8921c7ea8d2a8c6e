/**
 * A sink writing each record's canonical JSON line (bench/nexmark/canonical.ts) to
 * `<dir>/part-<subtask>.jsonl`, for comparing Eddy's outputs with the loop and Flink baselines.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '../../../src/core/connector-spi.ts';
import { canonicalJson, type CanonicalRecord } from '../canonical.ts';

/** Writes canonical lines per subtask. */
export class CanonicalFileSink implements Sink<CanonicalRecord> {
  readonly name = 'canonical-file';

  constructor(private readonly dir: string) {}

  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'canonical-file', dir: this.dir };
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<CanonicalRecord> {
    const file = join(this.dir, `part-${ctx.subtaskIndex}.jsonl`);
    writeFileSync(file, '');
    return {
      write(values, _timestamps, count) {
        let s = '';
        for (let i = 0; i < count; i++) s += `${canonicalJson(values[i] as CanonicalRecord)}\n`;
        appendFileSync(file, s);
      },
    };
  }
}
