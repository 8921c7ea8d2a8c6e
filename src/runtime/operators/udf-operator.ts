/**
 * Base of operators that call one user function: per-subtask instance, open/close, and the key
 * selectors of keyed inputs.
 *
 * @module
 */
import type { OperatorSetup } from '../operator-setup.ts';
import {
  AbstractStreamOperator,
  closeFunction,
  instantiate,
  openFunction,
} from './abstract-stream-operator.ts';

export type KeyFn = (value: unknown) => unknown;

export abstract class UdfOperator<F> extends AbstractStreamOperator {
  /** This subtask's instance of the user function. */
  protected readonly fn: F;
  /** Key selector of input 0 (keyed operators). */
  protected readonly keySelector: KeyFn | undefined;

  constructor(setup: OperatorSetup) {
    super(setup);
    this.fn = instantiate(setup.binding.fn as F);
    this.keySelector = setup.binding.keySelectors?.[0] as KeyFn | undefined;
  }

  override open(): void | Promise<void> {
    return openFunction(this.fn, this);
  }

  override async close(): Promise<void> {
    await super.close();
    await closeFunction(this.fn);
  }
}
