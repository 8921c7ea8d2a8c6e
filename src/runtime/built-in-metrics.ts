/**
 * The built-in metrics of an operator subtask, derived from runtime fields (nothing is counted
 * twice on the record path). Shared by the executor and the test harnesses so both report the
 * same names.
 *
 * @module
 */
import type { MetricLabels, MetricsRegistry } from '../metrics/metrics-registry.ts';
import type { Emitter } from './emitter.ts';
import type { InputGate } from './input-gate.ts';
import type { AbstractStreamOperator } from './operators/abstract-stream-operator.ts';
import { backPressureLevel, backPressureLevelValue, type TaskTimes } from './task-times.ts';

/** Registers records in/out, their rates, input/output watermarks and late records dropped. */
export function registerBuiltInMetrics(
  registry: MetricsRegistry,
  labels: MetricLabels,
  parts: {
    readonly output: Emitter;
    readonly gate?: InputGate | undefined;
    readonly operator?: AbstractStreamOperator | undefined;
  },
): void {
  const { output, gate, operator } = parts;
  if (gate !== undefined) {
    registry.derivedCounter('records_in', 'records received', labels, () => gate.recordsIn);
    registry.derivedMeter('records_in_rate', 'records received', labels, () => gate.recordsIn);
    registry.derivedGauge(
      'current_input_watermark',
      'combined watermark of the inputs (ms)',
      labels,
      () => gate.valve?.output ?? Number.NEGATIVE_INFINITY,
    );
  }
  if (operator !== undefined) {
    registry.derivedCounter(
      'late_records_dropped',
      'records dropped for arriving after their window closed',
      labels,
      () => operator.lateRecordsDropped,
    );
    registerStateMetrics(registry, labels, operator);
  }
  registry.derivedCounter('records_out', 'records emitted', labels, () => output.recordsOut);
  registry.derivedMeter('records_out_rate', 'records emitted', labels, () => output.recordsOut);
  registry.derivedGauge(
    'current_output_watermark',
    'last watermark emitted (ms)',
    labels,
    () => output.watermark,
  );
}

/**
 * Flink's per-vertex `backPressureLevel` gauge (0 OK < 10 %, 1 LOW < 50 %, 2 HIGH) from the
 * backpressured ms/s of the vertex's most backpressured subtask.
 */
export function registerVertexBackPressureLevel(
  registry: MetricsRegistry,
  labels: MetricLabels,
  maxBackPressuredPerSecond: () => number,
): void {
  registry.derivedGauge(
    'backPressureLevel',
    'backpressure level of the vertex: 0 OK (< 10 %), 1 LOW (< 50 %), 2 HIGH',
    labels,
    () => backPressureLevelValue(backPressureLevel(maxBackPressuredPerSecond() / 1000)),
  );
}

/** Registers Flink's per-second task time gauges of one subtask. */
export function registerTimeMetrics(
  registry: MetricsRegistry,
  labels: MetricLabels,
  times: TaskTimes,
): void {
  registry.derivedGauge(
    'busyTimeMsPerSecond',
    'milliseconds per second the subtask was busy',
    labels,
    () => times.busyPerSecond,
  );
  registry.derivedGauge(
    'idleTimeMsPerSecond',
    'milliseconds per second the subtask was idle',
    labels,
    () => times.idlePerSecond,
  );
  registry.derivedGauge(
    'backPressuredTimeMsPerSecond',
    'milliseconds per second the subtask waited for downstream capacity',
    labels,
    () => times.backPressuredPerSecond,
  );
}

/**
 * The state backend's figures (backends with a cache: LMDB): cache hits and misses and their
 * ratio, entries held in memory, and the bytes of the working copy on disk (the state size).
 */
function registerStateMetrics(
  registry: MetricsRegistry,
  labels: MetricLabels,
  operator: AbstractStreamOperator,
): void {
  const backend = operator.backend;
  if (backend?.stats === undefined) return;
  const stats = () => (backend.stats as NonNullable<typeof backend.stats>).call(backend);
  registry.derivedCounter('state_cache_hits', 'state reads served by the cache', labels, () => {
    return stats().cacheHits;
  });
  registry.derivedCounter('state_cache_misses', 'state reads that went to disk', labels, () => {
    return stats().cacheMisses;
  });
  registry.derivedGauge(
    'state_cache_hit_ratio',
    'share of state reads served by the cache since the start',
    labels,
    () => {
      const s = stats();
      const reads = s.cacheHits + s.cacheMisses;
      return reads === 0 ? 0 : s.cacheHits / reads;
    },
  );
  registry.derivedGauge(
    'state_cached_entries',
    'state entries held in memory (cache and write buffer)',
    labels,
    () => stats().cachedEntries,
  );
  registry.derivedGauge(
    'state_size_bytes',
    'bytes of the state backend working copy on disk',
    labels,
    () => stats().diskBytes,
  );
}
