/**
 * `AsyncDataStream`: enrichment through asynchronous I/O — many requests in flight per subtask,
 * results in input order or as they arrive, with timeouts, retries and a dead-letter output.
 *
 * @module
 */
import { userError } from '../errors/eddy-error.ts';
import { userCallSite } from '../util/call-site.ts';
import { toMillis } from '../util/duration.ts';
import { ASYNC_FAILURES_TAG_ID } from '../core/async-failure.ts';
import type { AsyncWaitConfig, AsyncWaitOptions } from '../core/async-wait-options.ts';
import type { NodeSettings } from '../plan/node-kinds.ts';
import type { DataStream } from './data-stream.ts';
import type { AsyncFn, AsyncFunction } from '../core/functions/async-function.ts';

/**
 * Applies asynchronous functions to streams (Flink's `AsyncDataStream`). Up to `capacity`
 * requests are in flight per subtask; when the capacity is full the sources wait
 * (backpressure). Watermarks never overtake the records before them, in either mode.
 *
 * @example
 * ```ts
 * const enriched = AsyncDataStream.unorderedWait(
 *   clicks,
 *   async (click) => ({ ...click, profile: await profiles.get(click.user) }),
 *   { timeout: '2s', capacity: 100, retry: { maxAttempts: 3, delay: '50ms' } },
 * );
 * enriched.getSideOutput(ASYNC_FAILURES).print({ prefix: 'failed' });
 * ```
 */
export class AsyncDataStream {
  private constructor() {}

  /** Emits the results in the order of the input records. */
  static orderedWait<I, O>(
    stream: DataStream<I>,
    fn: AsyncFn<I, O> | AsyncFunction<I, O>,
    options: AsyncWaitOptions<I, O> = {},
  ): DataStream<O> {
    return addAsyncWait(stream, fn, options, 'ordered');
  }

  /**
   * Emits each result as soon as it arrives; records may overtake each other, but never a
   * watermark (a watermark is emitted once every record before it is).
   */
  static unorderedWait<I, O>(
    stream: DataStream<I>,
    fn: AsyncFn<I, O> | AsyncFunction<I, O>,
    options: AsyncWaitOptions<I, O> = {},
  ): DataStream<O> {
    return addAsyncWait(stream, fn, options, 'unordered');
  }
}

/** @internal Adds the async I/O operator reading `stream`. */
export function addAsyncWait<I, O>(
  stream: DataStream<I>,
  fn: AsyncFn<I, O> | AsyncFunction<I, O>,
  options: AsyncWaitOptions<I, O>,
  mode: 'ordered' | 'unordered',
  defaultName = 'AsyncWait',
): DataStream<O> {
  const name = asyncFunctionName(fn, defaultName);
  const fail = (message: string, hint: string): never => {
    throw userError('INVALID_ARGUMENT', message, {
      operator: { name, definedAt: userCallSite() },
      hint,
    });
  };
  if (
    typeof fn !== 'function' &&
    (typeof fn !== 'object' || fn === null || typeof fn.asyncInvoke !== 'function')
  ) {
    fail(
      'the async operator needs a function returning a promise, or an object with asyncInvoke()',
      'pass async (record) => result, or an AsyncFunction object',
    );
  }
  const capacity = options.capacity ?? 100;
  if (!Number.isInteger(capacity) || capacity < 1) {
    fail(
      `capacity must be a positive integer, got ${capacity}`,
      'the default, 100, suits most services',
    );
  }
  const timeoutMs = toMillis(options.timeout ?? '30s', 'timeout');
  if (timeoutMs <= 0) fail('timeout must be positive', "use e.g. { timeout: '5s' }");
  const r = options.retry;
  let retry: AsyncWaitConfig['retry'];
  if (r !== undefined) {
    const maxAttempts = r.maxAttempts ?? 3;
    const multiplier = r.multiplier ?? 2;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      fail(
        `retry.maxAttempts must be a positive integer, got ${maxAttempts}`,
        'it counts the first attempt: 3 means up to 2 retries',
      );
    }
    if (!(multiplier >= 1))
      fail(`retry.multiplier must be at least 1, got ${multiplier}`, 'use 1 for a fixed delay');
    retry = {
      maxAttempts,
      delayMs: toMillis(r.delay ?? 100, 'retry.delay'),
      multiplier,
      maxDelayMs: toMillis(r.maxDelay ?? '10s', 'retry.maxDelay'),
    };
  }
  const config: AsyncWaitConfig = {
    mode,
    capacity,
    timeoutMs,
    onFailure: options.onFailure ?? 'dead-letter',
    retry,
  };
  return stream.addOperator<O, 'async-wait'>({
    kind: 'async-wait',
    name,
    partitioning: undefined,
    settings: {
      fn: fn as NodeSettings<'async-wait'>['fn'],
      options: options as AsyncWaitOptions<unknown, unknown>,
    },
    config,
    sideOutputs: [ASYNC_FAILURES_TAG_ID],
  });
}

function asyncFunctionName(fn: unknown, fallback: string): string {
  if (typeof fn === 'function' && fn.name !== '' && !fn.name.startsWith('bound ')) return fn.name;
  if (typeof fn === 'object' && fn !== null) {
    const ctor = (fn as { constructor?: { name?: string } }).constructor?.name;
    if (ctor !== undefined && ctor !== 'Object') return ctor;
  }
  return fallback;
}
