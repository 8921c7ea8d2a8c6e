/**
 * Turns a tiny job definition into the one operator a harness drives: the test builds the
 * operator with the real DataStream API on placeholder inputs, the plan is compiled as for a job,
 * and the harness takes the node (with its function, key selectors and settings) that reads the
 * placeholders. No operator is re-implemented for tests.
 *
 * @module
 */
import { DataStream } from '../api/data-stream.ts';
import { StreamEnvironment } from '../api/stream-environment.ts';
import type { Sink, Source } from '../core/connector-spi.ts';
import { EddyError, userError } from '../errors/eddy-error.ts';
import { bindingOf } from '../plan/binding-of.ts';
import type { NodeBinding, PlanNode } from '../plan/plan.ts';

/** The operator under test, as the runtime would receive it. */
export interface HarnessPlan {
  readonly jobName: string;
  readonly node: PlanNode;
  readonly binding: NodeBinding;
  readonly maxParallelism: number;
  /** For each placeholder input (in the order of the build function's parameters), the operator input it feeds. */
  readonly inputIndex: readonly number[];
}

/** Settings of the plan a harness compiles. */
export interface HarnessPlanOptions {
  /** Number of key groups (default 128). */
  readonly maxParallelism?: number;
  /** Job name seen by `ctx.taskInfo` (default `harness`). */
  readonly jobName?: string;
}

const PLACEHOLDER = 'harness-input';

/** Stands in for an input; the harness pushes records itself, so no reader is ever created. */
const placeholderSource: Source<unknown> = {
  name: PLACEHOLDER,
  boundedness: 'unbounded',
  describe: () => ({ kind: 'harness-input' }),
  createReader: () => {
    throw new EddyError('a harness input is not a real source', {
      code: 'INTERNAL',
      domain: 'internal',
    });
  },
};

/** Gives the compiled plan a sink; never instantiated. */
const placeholderSink: Sink<unknown> = {
  name: 'harness-output',
  describe: () => ({ kind: 'harness-output' }),
  createWriter: () => ({ write: () => {} }),
};

/**
 * Builds the operator `build` applies to `inputs` placeholder streams and returns its plan node.
 * Fails with a clear error when `build` applies no operator or more than one.
 */
export function planHarnessOperator(
  inputs: number,
  build: (...streams: never[]) => unknown,
  options: HarnessPlanOptions = {},
): HarnessPlan {
  const maxParallelism = options.maxParallelism ?? 128;
  const jobName = options.jobName ?? 'harness';
  const env = StreamEnvironment.create({ parallelism: 1, maxParallelism, jobName });
  const streams: DataStream<unknown>[] = [];
  for (let i = 0; i < inputs; i++) {
    streams.push(env.fromSource(placeholderSource, undefined, `${PLACEHOLDER}-${i + 1}`));
  }
  const result = build(...(streams as never[]));
  const port = result instanceof DataStream ? result.ports[0] : undefined;
  if (
    !(result instanceof DataStream) ||
    port === undefined ||
    result.ports.length !== 1 ||
    port.tag !== undefined
  ) {
    throw userError(
      'INVALID_ARGUMENT',
      'the harness build function must return the stream of the operator under test',
      {
        hint: 'write e.g. OneInputHarness.of((input) => input.map(fn)) — return the operator, not a union, side output or sink',
      },
    );
  }
  (result as DataStream<unknown>).sinkTo(placeholderSink);
  const { plan, bindings } = env.getJobGraph(jobName);
  const node = plan.nodes.find((n) => n.id === port.node);
  const placeholderIds = streams.map((s) => s.ports[0]?.node);
  if (node === undefined || placeholderIds.includes(node.id)) {
    throw userError('INVALID_ARGUMENT', 'the harness build function applied no operator', {
      hint: 'apply the operator under test to the input stream, e.g. (input) => input.map(fn)',
    });
  }
  const inEdges = plan.edges.filter((e) => e.target === node.id);
  const inputIndex: number[] = [];
  for (const e of inEdges) {
    const i = placeholderIds.indexOf(e.source);
    if (i < 0) {
      const names = plan.nodes
        .filter((n) => n.kind !== 'source' && n.kind !== 'sink')
        .map((n) => n.name);
      throw userError(
        'INVALID_ARGUMENT',
        `a harness drives one operator, but the build function chained ${names.join(' → ')}`,
        {
          operator: node,
          hint: 'test each operator with its own harness, or test the chain with runPipeline()',
        },
      );
    }
    inputIndex[i] = e.input;
  }
  for (let i = 0; i < inputs; i++) {
    if (inputIndex[i] === undefined) {
      throw userError(
        'INVALID_ARGUMENT',
        `the harness has ${inputs} inputs, but input ${i + 1} does not feed the operator`,
        { operator: node, hint: 'use every stream the build function receives' },
      );
    }
  }
  return {
    jobName,
    node,
    binding: bindingOf({ plan, bindings }, node),
    maxParallelism,
    inputIndex,
  };
}
