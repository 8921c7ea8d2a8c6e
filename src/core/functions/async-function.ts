import type { Context } from './context.ts';
import type { RichFunction } from './rich-function.ts';

/**
 * A plain asynchronous function: one record in, a promise of one result out. It may also return
 * the result directly (a cache hit), which costs no promise.
 */
export type AsyncFn<I, O> = (value: I, ctx: Context<unknown>) => Promise<O> | O;

/**
 * An object (or class instance) that enriches records asynchronously (Flink's `AsyncFunction`).
 *
 * @example
 * ```ts
 * class ProfileLookup implements AsyncFunction<Click, EnrichedClick> {
 *   async asyncInvoke(click: Click) {
 *     const res = await fetch(`http://profiles/${click.user}`);
 *     return { ...click, profile: await res.json() };
 *   }
 *   timeout(click: Click) {
 *     return { ...click, profile: undefined }; // emit without a profile instead of failing
 *   }
 * }
 * ```
 */
export interface AsyncFunction<I, O> extends RichFunction<unknown> {
  /** Starts the request for one record; resolves to its result. */
  asyncInvoke(value: I, ctx: Context<unknown>): Promise<O> | O;
  /**
   * Called when the request of a record (retries included) exceeds the timeout: returns the result
   * to emit instead. Without it, the record goes to the `ASYNC_FAILURES` side output (or fails the
   * job with `onFailure: 'fail-job'`). Throwing sends the record there with the thrown error.
   */
  timeout?(value: I, ctx: Context<unknown>): O;
}
