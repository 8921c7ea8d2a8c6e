/**
 * The Prometheus export follows Prometheus's naming conventions: snake_case names, base units
 * with the unit in the name, counters (restarts included) ending in `_total`, no series that
 * repeats another, user histograms as summaries with HELP, and Node's process metrics under their
 * standard names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerBuiltInMetrics, registerTimeMetrics } from '../runtime/built-in-metrics.ts';
import { MetricsRegistry } from './metrics-registry.ts';
import { PrometheusExporter } from './prometheus-exporter.ts';
import { snakeCase } from './prometheus-name.ts';

interface Family {
  readonly type: string;
  readonly help: string;
  readonly samples: Map<string, number>;
}

/** Parses the text format strictly enough that a malformed line fails the test. */
function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help !== null) {
      current = help[1] as string;
      assert.ok(!families.has(current), `family ${current} appears twice`);
      families.set(current, { type: '', help: help[2] as string, samples: new Map() });
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram)$/.exec(line);
    if (type !== null) {
      assert.equal(type[1], current, `TYPE without HELP: ${line}`);
      families.set(current as string, {
        ...(families.get(current as string) as Family),
        type: type[2] as string,
      });
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(sample !== null, `malformed line: ${line}`);
    const name = sample[1] as string;
    assert.ok(
      current !== undefined && (name === current || name.startsWith(`${current}_`)),
      `${name} outside its family ${current}`,
    );
    const family = families.get(current) as Family;
    const key = `${name}${sample[2] ?? ''}`;
    assert.ok(!family.samples.has(key), `duplicate series ${key}`);
    family.samples.set(key, Number(sample[3]));
  }
  return families;
}

async function render(setup: (registry: MetricsRegistry) => void): Promise<Map<string, Family>> {
  const registry = new MetricsRegistry();
  setup(registry);
  registry.tickMeters(0);
  registry.tickMeters(2000);
  return parse(await new PrometheusExporter(registry, { job: 'j' }).render());
}

test('built-in metrics: snake_case, base units, counters ending in _total, no repeated series', async () => {
  let recordsIn = 0;
  const families = await render((registry) => {
    const labels = { job: 'j', operator: 'Map', subtask: '0' };
    registerBuiltInMetrics(registry, labels, {
      output: { recordsOut: 7, watermark: 5_000 } as never,
      gate: {
        get recordsIn() {
          return recordsIn;
        },
        valve: { output: 4_000 },
      } as never,
    });
    registerTimeMetrics(registry, labels, {
      busyPerSecond: 250,
      idlePerSecond: 750,
      backPressuredPerSecond: 0,
    } as never);
    registry.derivedCounter('restarts', 'restarts', { job: 'j' }, () => 3);
    registry.derivedGauge('uptime_ms', 'uptime', { job: 'j' }, () => 90_000);
    recordsIn = 10;
  });
  const eddy = [...families.keys()].filter((n) => n.startsWith('eddy_'));
  for (const name of eddy) assert.match(name, /^[a-z][a-z0-9_]*$/, `${name} is snake_case`);
  const family = (name: string): Family => {
    const f = families.get(name);
    assert.ok(f !== undefined, `${name} missing; have ${eddy.join(', ')}`);
    return f;
  };
  const value = (name: string): number => [...family(name).samples.values()][0] as number;
  assert.equal(family('eddy_records_in_total').type, 'counter');
  assert.equal(value('eddy_records_in_total'), 10);
  assert.equal(family('eddy_records_in_per_second').type, 'gauge');
  assert.equal(family('eddy_restarts_total').type, 'counter');
  assert.equal(value('eddy_restarts_total'), 3);
  assert.equal(value('eddy_uptime_seconds'), 90);
  assert.equal(value('eddy_busy_time_ratio'), 0.25);
  assert.equal(value('eddy_current_input_watermark_seconds'), 4);
  assert.equal(value('eddy_current_output_watermark_seconds'), 5);
  for (const name of eddy) {
    assert.doesNotMatch(name, /_rate_total$|_ms$|_ms_|[A-Z]/, `${name} breaks a convention`);
    if (families.get(name)?.type === 'counter') assert.match(name, /_total$/);
  }
});

test('user metrics: counters, gauges, meters without a counter, histograms as summaries', async () => {
  const families = await render((registry) => {
    const group = registry.group({ job: 'j', operator: 'Process' });
    group.counter('botsDetected', 'bots detected').inc(2);
    group.gauge('queue_depth', () => 4, 'queued requests');
    group.meter('events', 'events seen').markEvent(6);
    const latency = group.histogram('lookup_latency_ms', 'lookup latency');
    for (const ms of [10, 20, 30, 40]) latency.observe(ms);
  });
  assert.equal(families.get('eddy_bots_detected_total')?.type, 'counter');
  assert.equal(families.get('eddy_queue_depth')?.type, 'gauge');
  assert.equal(families.get('eddy_events_per_second')?.type, 'gauge');
  assert.equal(families.get('eddy_events_total')?.type, 'counter', 'a meter alone keeps its count');
  const summary = families.get('eddy_lookup_latency_seconds');
  assert.ok(summary !== undefined);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.help, 'lookup latency');
  const samples = Object.fromEntries(
    [...summary.samples].map(([k, v]) => [k.replace(/\{.*?(quantile="[^"]+")?\}/, '[$1]'), v]),
  );
  assert.equal(samples['eddy_lookup_latency_seconds_count[]'], 4);
  assert.equal(samples['eddy_lookup_latency_seconds_sum[]'], 0.1);
  assert.equal(samples['eddy_lookup_latency_seconds[quantile="0.5"]'], 0.03);
});

test("Node's process metrics under their standard names", async () => {
  const families = await render(() => {});
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_seconds',
  ]) {
    assert.ok(families.has(name), `${name} missing`);
  }
  assert.ok(
    ![...families.keys()].some(
      (n) => n.startsWith('eddy_process_') || n.startsWith('eddy_nodejs_'),
    ),
  );
});

test('snakeCase', () => {
  assert.equal(snakeCase('backPressureLevel'), 'back_pressure_level');
  assert.equal(snakeCase('busyTimeMsPerSecond'), 'busy_time_ms_per_second');
  assert.equal(snakeCase('records_in'), 'records_in');
  assert.equal(snakeCase('numRecordsInPerSecond'), 'num_records_in_per_second');
});
