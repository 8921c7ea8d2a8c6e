import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricSample } from '../../core/metric-sample.ts';
import type { Plan } from '../../plan/plan.ts';
import type { HostJobStatus } from '../host/host-protocol.ts';
import { buildJobView } from './job-view-builder.ts';

const plan = {
  jobName: 'orders',
  parallelism: 2,
  maxParallelism: 128,
  nodes: [
    {
      id: 1,
      kind: 'source',
      name: 'kafka',
      uid: 'src',
      parallelism: 2,
      keyed: false,
      inputs: 0,
      sideOutputs: [],
      definedAt: 'job.ts:3:1',
      config: {},
      chaining: 'always',
    },
    {
      id: 2,
      kind: 'map',
      name: 'enrich',
      uid: undefined,
      parallelism: 2,
      keyed: false,
      inputs: 1,
      sideOutputs: [],
      definedAt: undefined,
      config: {},
      chaining: 'always',
    },
  ],
  edges: [{ source: 1, target: 2, input: 0, partitioning: 'forward', sideOutput: undefined }],
} as unknown as Plan;

const op = (id: number, name: string, subtask: number) => ({
  job: 'orders',
  operator: name,
  operator_id: String(id),
  subtask: String(subtask),
});

function samples(): MetricSample[] {
  const s: MetricSample[] = [];
  const add = (
    labels: Record<string, string>,
    name: string,
    value: MetricSample['value'],
    type: MetricSample['type'] = 'gauge',
  ) => s.push({ name, type, labels, value });
  for (const sub of [0, 1]) {
    const src = op(1, 'kafka', sub);
    add(src, 'records_out', 100 + sub, 'counter');
    add(src, 'records_out_rate', { count: 100 + sub, rate: 10 + sub }, 'meter');
    add(src, 'busyTimeMsPerSecond', sub === 0 ? 100 : 700);
    add(src, 'idleTimeMsPerSecond', sub === 0 ? 900 : 200);
    add(src, 'backPressuredTimeMsPerSecond', sub === 0 ? 0 : 100);
    // Through the host's JSON IPC channel a −∞ watermark arrives as null.
    add(src, 'current_output_watermark', (sub === 0 ? 9_000 : 8_000) as number);
    add(src, 'kafka_commits_succeeded', 5, 'counter');
    add(src, 'kafka_commits_failed', sub, 'counter');
    add({ ...src, topic: 'orders', partition: String(sub) }, 'records_lag', 40 + sub);
    add(src, 'records_lag_max', 40 + sub);
    const map = op(2, 'enrich', sub);
    add(map, 'records_in', 100 + sub, 'counter');
    add(map, 'current_input_watermark', sub === 0 ? 9_000 : (null as unknown as number));
    add(map, 'current_output_watermark', null as unknown as number);
    add(map, 'latency', { count: 3, sum: 6, min: 1, max: 3, p50: 2, p95: 3, p99: 3 }, 'histogram');
  }
  add({ job: 'orders', operator: 'kafka', operator_id: '1' }, 'backPressureLevel', 1);
  add({ job: 'orders' }, 'uptime_ms', 5000);
  return s;
}

const status = (metrics: MetricSample[]): HostJobStatus => ({
  status: 'RUNNING',
  plan,
  metrics,
  checkpoints: {
    completed: 2,
    failed: 1,
    lastCompleted: undefined,
    history: [
      {
        id: 1,
        savepoint: false,
        status: 'COMPLETED',
        path: '/c/1',
        triggeredAt: 1,
        durationMs: 5,
        sizeBytes: 10,
        alignmentMs: 0,
      },
      {
        id: 2,
        savepoint: false,
        status: 'FAILED',
        path: '/c/2',
        triggeredAt: 2,
        durationMs: 7,
        sizeBytes: 0,
        alignmentMs: 1,
        failure: 'timeout',
      },
    ],
    restarts: 1,
    restoredFrom: undefined,
  },
  exceptions: [
    {
      time: 3,
      attempt: 0,
      operator: 'enrich',
      subtask: 1,
      code: 'USER_FUNCTION_FAILED',
      message: 'boom',
      stack: 'Error: boom\n  at enrich',
    },
  ],
  heapUsedBytes: 1024,
});

describe('buildJobView', () => {
  it('combines subtasks as Flink does: sums, the busiest subtask, the minimum watermark', () => {
    const v = buildJobView('orders', 'RUNNING', status(samples()), 10_000);
    assert.equal(v.state, 'RUNNING');
    assert.equal(v.uptimeMs, 5000);
    const [src, map] = v.vertices;
    assert.equal(src?.metrics.recordsOut, 201);
    assert.equal(src?.metrics.recordsOutPerSecond, 21);
    assert.equal(src?.metrics.busyTimeMsPerSecond, 700, 'the busiest subtask');
    assert.equal(src?.metrics.idleTimeMsPerSecond, 200, 'the least idle subtask');
    assert.equal(src?.metrics.backPressuredTimeMsPerSecond, 100);
    assert.equal(src?.backPressureLevel, 'LOW', "the vertex's own gauge");
    assert.equal(src?.metrics.outputWatermark, 8_000, 'the minimum over subtasks');
    assert.equal(src?.metrics.watermarkLagMs, 2_000);
    assert.equal(src?.subtasks[0]?.metrics.watermarkLagMs, 1_000);
    assert.equal(map?.metrics.recordsIn, 201);
    assert.equal(
      map?.metrics.inputWatermark,
      null,
      'a subtask without a watermark holds the vertex back',
    );
    assert.equal(map?.subtasks[0]?.metrics.inputWatermark, 9_000);
    assert.equal(map?.backPressureLevel, 'OK');
    assert.equal(map?.subtasks[1]?.userMetrics['latency.p99'], 3);
    assert.deepEqual(v.edges, [
      { source: 1, target: 2, input: 0, partitioning: 'forward', sideOutput: null },
    ]);
  });

  it('reports Kafka lag per partition and commit successes and failures', () => {
    const v = buildJobView('orders', 'RUNNING', status(samples()), 10_000);
    assert.deepEqual(v.kafka, {
      partitions: [
        { vertex: 1, subtask: 0, topic: 'orders', partition: 0, lag: 40 },
        { vertex: 1, subtask: 1, topic: 'orders', partition: 1, lag: 41 },
      ],
      totalLag: 81,
      commitsSucceeded: 10,
      commitsFailed: 1,
    });
  });

  it('lists checkpoints newest first with the reason of failed ones, and exceptions with stacks', () => {
    const v = buildJobView('orders', 'RUNNING', status(samples()), 10_000);
    assert.deepEqual(
      v.checkpoints.history.map((c) => [c.id, c.status, c.failure]),
      [
        [2, 'FAILED', 'timeout'],
        [1, 'COMPLETED', null],
      ],
    );
    assert.equal(v.checkpoints.restarts, 1);
    assert.equal(v.exceptions[0]?.stack, 'Error: boom\n  at enrich');
  });

  it('shows a job that does not run as such, with every vertex at zero until samples arrive', () => {
    assert.equal(buildJobView('orders', 'READY', undefined, 0).state, 'NOT_RUNNING');
    assert.equal(buildJobView('orders', 'STARTING', undefined, 0).state, 'STARTING');
    const v = buildJobView('orders', 'RUNNING', status([]), 0);
    assert.equal(v.vertices.length, 2);
    assert.equal(v.vertices[1]?.subtasks.length, 2);
    assert.equal(v.vertices[1]?.metrics.recordsIn, 0);
  });
});
