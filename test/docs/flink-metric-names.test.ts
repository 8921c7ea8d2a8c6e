/**
 * Every Prometheus name in the metrics table of docs/guides/coming-from-flink.md is exported by a
 * running job (Kafka names aside: they need a broker and are checked in test/kafka/), with the
 * documented type: a job with checkpoints, an event-time window on LMDB state and user metrics of
 * each kind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  StreamEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
} from '../../src/index.ts';
import { repositoryRoot } from '../support/scratch-project.ts';

/** The backticked Prometheus names in the guide's metrics table (the Eddy column). */
function documentedNames(): string[] {
  const guide = readFileSync(join(repositoryRoot, 'docs/guides/coming-from-flink.md'), 'utf8');
  const section = /^## Metrics\n([\s\S]*?)\n## /m.exec(guide)?.[1];
  assert.ok(section !== undefined, 'the guide has a "## Metrics" section');
  const names = new Set<string>();
  for (const row of section.split('\n').filter((l) => l.startsWith('| '))) {
    const eddyColumn = row.split('|')[2] ?? '';
    for (const m of eddyColumn.matchAll(/`((?:eddy|process|nodejs)_[a-z0-9_]+)`/g)) {
      names.add(m[1] as string);
    }
  }
  return [...names];
}

test("the guide's metric names are what a running job exports", { timeout: 120_000 }, async () => {
  const documented = documentedNames();
  assert.ok(documented.length >= 20, `only ${documented.length} names found in the table`);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-metric-names-'));
  try {
    // LMDB state: its cache and size metrics are in the table too.
    const env = StreamEnvironment.create({
      checkpointInterval: '50ms',
      checkpointDir: join(dir, 'chk'),
      stateBackend: 'lmdb',
      stateDir: join(dir, 'state'),
    });
    const client = (() => {
      env
        .fromCollection(Array.from({ length: 2000 }, (_, i) => ({ user: `u${i % 3}`, ts: i })))
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<{
            user: string;
            ts: number;
          }>().withTimestampAssigner((e) => e.ts),
        )
        .map((e, ctx) => {
          ctx.metrics.counter('x').inc();
          ctx.metrics.meter('y').markEvent();
          ctx.metrics.histogram('z_ms').observe(e.ts % 7);
          return e;
        })
        .keyBy((e) => e.user)
        .window(TumblingEventTimeWindows.of(100))
        .process((key, _w, items, out: Collector<string>) => out.collect(`${key}:${items.length}`))
        .sinkTo(() => {});
      return env.executeAsync('metric-names');
    })();
    await client.result;
    const text = await client.metricsText();
    const types = new Map<string, string>();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm))
      types.set(m[1] as string, m[2] as string);
    const missing = documented.filter((name) => !types.has(name));
    assert.deepEqual(
      missing,
      [],
      `documented but not exported; exported: ${[...types.keys()].join(', ')}`,
    );
    for (const name of documented) {
      if (name.endsWith('_total')) assert.equal(types.get(name), 'counter', name);
    }
    assert.equal(types.get('eddy_z_seconds'), 'summary');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
