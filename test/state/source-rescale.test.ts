/**
 * Source positions follow their splits when a savepoint is restored at another parallelism: a
 * partitioned source saved at parallelism 2 and restored at 3 (and 1) reads every record exactly
 * once over both runs; a source whose readers cannot take over each other's positions is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CollectSink, EddyError, StreamEnvironment } from '../../src/index.ts';
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from '../../src/core/connector-spi.ts';

const PARTITIONS = 6;
const PER_PARTITION = 3000;

interface Rec {
  readonly partition: number;
  readonly offset: number;
}

/** Six partitions of numbered records, owned by `partition % parallelism`, slowly read. */
class PartitionedSource implements Source<Rec> {
  readonly name = 'partitioned';
  readonly boundedness = 'bounded' as const;
  constructor(private readonly unionRestore: boolean) {}
  describe() {
    return { kind: 'partitioned' };
  }
  createReader(ctx: SourceReaderContext): SourceReader<Rec> {
    const mine = Array.from({ length: PARTITIONS }, (_, p) => p).filter(
      (p) => p % ctx.parallelism === ctx.subtaskIndex,
    );
    let next = new Map<number, number>(mine.map((p) => [p, 0]));
    const reader: SourceReader<Rec> = {
      pollNext(out: SourceOutput<Rec>): InputStatus {
        let emitted = 0;
        for (const [p, o] of next) {
          const end = Math.min(PER_PARTITION, o + 10);
          for (let i = o; i < end; i++) out.collect({ partition: p, offset: i });
          emitted += end - o;
          next.set(p, end);
        }
        return emitted === 0 ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
      },
      isAvailable: () => new Promise((r) => setTimeout(r, 1)),
      snapshotState: () => Object.fromEntries(next),
      restoreState: (state) => {
        next = new Map(
          Object.entries(state as Record<string, number>).map(([p, o]) => [Number(p), o]),
        );
      },
    };
    if (this.unionRestore) {
      reader.restoreUnionState = (states) => {
        const all = new Map<number, number>();
        for (const s of states)
          for (const [p, o] of Object.entries(s as Record<string, number>)) all.set(Number(p), o);
        next = new Map(mine.map((p) => [p, all.get(p) ?? 0]));
      };
    }
    return reader;
  }
}

function job(parallelism: number, unionRestore: boolean, fromSavepoint?: string) {
  const env = StreamEnvironment.create({
    handleSignals: false,
    ...(fromSavepoint !== undefined ? { fromSavepoint } : {}),
  });
  const sink = new CollectSink<Rec>();
  env
    .fromSource(new PartitionedSource(unionRestore))
    .uid('partitioned')
    .setParallelism(parallelism)
    .sinkTo(sink)
    .uid('collect');
  return { env, sink };
}

async function savepointAtTwo(unionRestore: boolean): Promise<{ path: string; first: Rec[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-source-rescale-'));
  const { env, sink } = job(2, unionRestore);
  const client = env.executeAsync();
  while (sink.values.length < PARTITIONS * PER_PARTITION * 0.3)
    await new Promise((r) => setTimeout(r, 2));
  const path = await client.stopWithSavepoint(dir);
  await client.result;
  return { path, first: [...sink.values] };
}

for (const parallelism of [3, 1]) {
  test(`a partitioned source saved at parallelism 2 resumes at ${parallelism}, every record once`, async () => {
    const { path, first } = await savepointAtTwo(true);
    assert.ok(first.length < PARTITIONS * PER_PARTITION, 'the first run stopped early');
    const { env, sink } = job(parallelism, true, path);
    await env.execute();
    const seen = [...first, ...sink.values].map((r) => `${r.partition}:${r.offset}`);
    assert.equal(new Set(seen).size, seen.length, 'no record twice');
    assert.equal(seen.length, PARTITIONS * PER_PARTITION, 'no record missing');
  });
}

test('a source whose readers cannot take over positions is refused at another parallelism', async () => {
  const { path } = await savepointAtTwo(false);
  const { env } = job(3, false, path);
  await assert.rejects(env.execute(), (e: unknown) => {
    assert.ok(e instanceof EddyError);
    assert.equal(e.code, 'RESTORE_FAILED');
    assert.match(e.message, /saved with parallelism 2 and cannot be restored with parallelism 3/);
    assert.match(e.message, /setParallelism\(2\)/);
    return true;
  });
});
