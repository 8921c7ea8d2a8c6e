import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JobView, TaskMetrics, VertexView } from '../../protocol/job-view.ts';
import { MetricsHistory } from './metrics-history.ts';

const metrics = (rate: number): TaskMetrics => ({
  recordsIn: 0,
  recordsOut: 0,
  recordsInPerSecond: rate,
  recordsOutPerSecond: rate,
  busyTimeMsPerSecond: rate / 10,
  idleTimeMsPerSecond: 1000 - rate / 10,
  backPressuredTimeMsPerSecond: 0,
  inputWatermark: null,
  outputWatermark: null,
  watermarkLagMs: null,
  lateRecordsDropped: 0,
});

const vertex = (id: number, rate: number): VertexView => ({
  id,
  name: `v${id}`,
  kind: id === 1 ? 'source' : 'map',
  uid: null,
  parallelism: 1,
  keyed: false,
  chaining: 'always',
  definedAt: null,
  backPressureLevel: 'OK',
  metrics: metrics(rate),
  subtasks: [],
});

/** A view at `t` whose vertices `ids` (1 the source, feeding the rest) run at `rate`. */
function view(
  t: number,
  rate: number,
  ids: readonly number[] = [1, 2],
  checkpoints: JobView['checkpoints']['history'] = [],
): JobView {
  return {
    application: 'app',
    state: 'RUNNING',
    sampledAt: t,
    jobName: 'j',
    parallelism: 1,
    maxParallelism: 128,
    uptimeMs: 0,
    heapUsedBytes: 0,
    vertices: ids.map((id) => vertex(id, rate)),
    edges: ids.slice(1).map((id) => ({
      source: 1,
      target: id,
      input: 0,
      partitioning: 'forward',
      sideOutput: null,
    })),
    checkpoints: { completed: 0, failed: 0, restarts: 0, restoredFrom: null, history: checkpoints },
    exceptions: [],
    kafka: { partitions: [], totalLag: 0, commitsSucceeded: 0, commitsFailed: 0 },
  };
}

describe('MetricsHistory', () => {
  it('keeps the newest retention/step points, oldest first, whatever the number recorded (vs a list)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { maxLength: 60 }),
        (capacity, rates) => {
          const h = new MetricsHistory({ stepMs: 1000, retentionMs: capacity * 1000 });
          rates.forEach((r, i) => h.record(view(i * 1000, r)));
          const expected = rates.map((r, i) => ({ t: i * 1000, r })).slice(-capacity);
          const got = h.history('app');
          assert.deepEqual(
            got.times,
            expected.map((e) => e.t),
          );
          assert.deepEqual(
            got.throughput,
            expected.map((e) => e.r),
            'throughput = the source out rate',
          );
          assert.deepEqual(
            got.vertices['2']?.recordsInPerSecond ?? [],
            expected.map((e) => e.r),
          );
        },
      ),
    );
  });

  it('is bounded: an hour at 5 s is 720 points however long it runs; vertices that left age out', () => {
    const h = new MetricsHistory();
    assert.equal(h.stepMs, 5000);
    for (let i = 0; i < 2000; i++) h.record(view(i * 5000, i, i < 1000 ? [1, 2, 3] : [1, 2]));
    const got = h.history('app');
    assert.equal(got.times.length, 720);
    assert.equal(got.times.at(-1), 1999 * 5000);
    assert.deepEqual(
      Object.keys(got.vertices).sort(),
      ['1', '2'],
      'vertex 3 left the plan > 1 h ago',
    );
    assert.equal(h.bytes(), (5 + 5 * 2) * 720 * 8);
  });

  it('shows a vertex that just left the plan as gaps (null), not as old values', () => {
    const h = new MetricsHistory({ stepMs: 1000, retentionMs: 10_000 });
    h.record(view(0, 10, [1, 2, 3]));
    h.record(view(1000, 20, [1, 2]));
    assert.deepEqual(h.history('app').vertices['3']?.recordsInPerSecond, [10, null]);
  });

  it('charts each completed checkpoint once, in the step it completed', () => {
    const h = new MetricsHistory({ stepMs: 1000, retentionMs: 10_000 });
    const cp = (id: number, durationMs: number, status: 'COMPLETED' | 'FAILED' = 'COMPLETED') => ({
      id,
      savepoint: false,
      status,
      path: `/c/chk-${id}`,
      triggeredAt: 0,
      durationMs,
      sizeBytes: 1,
      alignmentMs: 0,
      failure: null,
    });
    h.record(view(0, 1, [1], []));
    h.record(view(1000, 1, [1], [cp(2, 40), cp(1, 30)]));
    h.record(view(2000, 1, [1], [cp(2, 40), cp(1, 30)]));
    h.record(view(3000, 1, [1], [cp(3, 99, 'FAILED'), cp(2, 40)]));
    h.record(view(4000, 1, [1], [cp(4, 70), cp(3, 99, 'FAILED')]));
    assert.deepEqual(h.history('app').checkpointDurationMs, [null, 40, null, null, 70]);
  });

  it('forgets deleted applications', () => {
    const h = new MetricsHistory({ stepMs: 1000, retentionMs: 10_000 });
    h.record(view(0, 1));
    h.retain(new Set(['other']));
    assert.deepEqual(h.history('app').times, []);
    assert.equal(h.bytes(), 0);
  });
});
