/**
 * `eddy/testing`: drive one operator synchronously with a harness, or run a whole job on
 * in-memory input with virtual time — no cluster, no ports, no sleeps.
 *
 * @module
 */
import { installLocalExecutor } from '../runtime/install-local-executor.ts';

// Jobs run by `runPipeline` execute on the local executor, as with `eddy`.
installLocalExecutor();

export { ManualClock } from './manual-clock.ts';
export { OperatorHarness } from './operator-harness.ts';
export type {
  HarnessOptions,
  HarnessSnapshot,
  PendingTimer,
  PendingTimers,
} from './operator-harness.ts';
export type { HarnessPlanOptions } from './harness-plan.ts';
export { OneInputHarness } from './one-input-harness.ts';
export { KeyedOneInputHarness } from './keyed-one-input-harness.ts';
export { TwoInputHarness } from './two-input-harness.ts';
export { KeyedTwoInputHarness } from './keyed-two-input-harness.ts';
export { ProcessFunctionTestHarnesses } from './process-function-test-harnesses.ts';
export type { TimestampedValue } from './collecting-writer.ts';
export type { MetricValues, MetricValue, MeterValue, HistogramValue } from './metric-values.ts';
export { TestSource } from './test-source.ts';
export type { TestStep } from './test-source.ts';
export { runPipeline } from './run-pipeline.ts';
export type { RunPipelineOptions, PipelineResult } from './run-pipeline.ts';
