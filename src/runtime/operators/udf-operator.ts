/**
 * Base of operators that call one user function: per-subtask instance, open/close, the key
 * selectors of keyed inputs, and the parts every such operator sets up the same way (the call of
 * a function given as a plain function or an object, its fusion stage, its `onTimer`). The
 * per-record loops stay in each operator, written out, so each call site sees one shape (ADR 0001).
 *
 * @module
 */
import type { Collector } from '../../core/functions/collector.ts';
import type { OnTimerContext } from '../../core/functions/context.ts';
import type { TimeDomain } from '../../core/functions/timer-service.ts';
import type { NodeSettings, UdfKind } from '../../plan/node-kinds.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { TimerEntry } from '../timers/internal-timer-service.ts';
import {
  AbstractStreamOperator,
  closeFunction,
  instantiate,
  openFunction,
} from './abstract-stream-operator.ts';
import type { CallStage } from './fusion-stage.ts';

/** Selects the key of a record. */
export type KeyFn = (value: unknown) => unknown;

/** A function object's optional timer callback. */
interface WithOnTimer {
  onTimer?(timestamp: number, ctx: OnTimerContext<never>, out: Collector<unknown>): void;
}

/**
 * One callable for a user function given either as a plain function or as an object with
 * `method` (bound to the object, so `this` works in user classes).
 */
export function udfCall<C extends (...args: never[]) => unknown, M extends string>(
  fn: C | { readonly [P in M]: C },
  method: M,
): C {
  return typeof fn === 'function' ? fn : (fn[method].bind(fn) as C);
}

/**
 * An operator around the user function of a node of kind `K`.
 *
 * @typeParam K - the node kinds the operator runs (their settings hold `fn`)
 */
export abstract class UdfOperator<K extends UdfKind> extends AbstractStreamOperator {
  /** This subtask's instance of the user function. */
  protected readonly fn: NodeSettings<K>['fn'];
  /** Key selector of input 0 (keyed operators). */
  protected readonly keySelector: KeyFn | undefined;

  constructor(setup: OperatorSetup<K>) {
    super(setup);
    this.fn = instantiate(setup.binding.settings.fn);
    this.keySelector = setup.binding.keySelectors?.[0] as KeyFn | undefined;
  }

  override open(): void | Promise<void> {
    return openFunction(this.fn, this);
  }

  override async close(): Promise<void> {
    await super.close();
    await closeFunction(this.fn);
  }

  /** The fusion stage of a record-at-a-time operator whose function is `call`. */
  protected callStage<S extends string, C>(kind: S, call: C): CallStage<S, C> {
    return {
      kind,
      call,
      operator: this,
      ctx: this.ctx,
      keySelector: this.keySelector,
      backend: this.backend,
    };
  }

  /**
   * Calls the function object's `onTimer`, if it has one, with the timer's time set on the
   * context and the output (`ctx` is the context the function sees; the operator's by default).
   */
  protected fireOnTimer(timer: TimerEntry, domain: TimeDomain, ctx: object = this.ctx): void {
    const fn = this.fn as WithOnTimer | ((...args: never[]) => unknown);
    if (typeof fn === 'function' || fn.onTimer === undefined) return;
    this.ctx.currentTimestamp = timer.timestamp;
    this.ctx.currentTimeDomain = domain;
    this.out.timestamp = timer.timestamp;
    fn.onTimer(timer.timestamp, ctx as OnTimerContext<never>, this.out);
  }
}
