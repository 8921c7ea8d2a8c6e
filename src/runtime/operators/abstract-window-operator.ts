/**
 * What every window operator shares (the general {@link WindowOperator}, the
 * {@link SlicingWindowOperator} and the {@link SessionWindowOperator}): the window spec, key
 * selector, window contents, the ProcessWindowFunction with its context, the late side output,
 * and how a window's result is emitted and a late record is dropped.
 *
 * @module
 */
import type { ProcessWindowFunction } from '../../core/functions/process-window-function.ts';
import { userError } from '../../errors/eddy-error.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { WindowSpec } from '../../time/windowing/window-spec.ts';
import { isMergingAssigner } from '../../time/windowing/window-assigner.ts';
import type { Window } from '../../core/window.ts';
import type { Emitter } from '../emitter.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { InternalTimerService } from '../timers/internal-timer-service.ts';
import {
  AbstractStreamOperator,
  closeFunction,
  instantiate,
  openFunction,
} from './abstract-stream-operator.ts';
import { WindowContents } from './window-contents.ts';
import { WindowProcessContext } from './window-process-context.ts';

type KeyFn = (value: unknown) => unknown;

/** The base of the window operators: a keyed operator whose node carries a {@link WindowSpec}. */
export abstract class AbstractWindowOperator extends AbstractStreamOperator {
  protected readonly spec: WindowSpec;
  protected readonly keySelector: KeyFn;
  protected readonly be: HeapKeyedStateBackend;
  protected readonly ts: InternalTimerService;
  protected readonly contents: WindowContents;
  protected readonly pwf: ProcessWindowFunction<unknown, unknown, unknown, Window> | undefined;
  protected readonly pctx: WindowProcessContext;
  protected readonly lateOut: Emitter | undefined;

  constructor(setup: OperatorSetup<'window'>) {
    super(setup);
    this.spec = setup.binding.settings;
    this.keySelector = setup.binding.keySelectors?.[0] as KeyFn;
    this.be = this.backend as HeapKeyedStateBackend;
    this.ts = this.timers as InternalTimerService;
    this.contents = new WindowContents(this.spec.contents);
    this.pwf = this.spec.process !== undefined ? instantiate(this.spec.process) : undefined;
    this.pctx = new WindowProcessContext(
      this.ctx,
      this.be,
      () => this.currentWatermark,
      () => setup.clock.now(),
      isMergingAssigner(this.spec.assigner),
      this.ref,
    );
    this.lateOut =
      this.spec.lateTag !== undefined ? setup.sideOutputs.get(this.spec.lateTag) : undefined;
  }

  // Synchronous unless the function's open() returns a promise, so harnesses can drive windows.
  override open(): void | Promise<void> {
    if (this.pwf !== undefined) return openFunction(this.pwf, this);
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.pwf !== undefined) await closeFunction(this.pwf);
  }

  /**
   * Emits a window's result with timestamp `window.maxTimestamp()`. The ProcessWindowFunction's
   * per-window state is the backend's current namespace, so the caller sets it to the window's.
   */
  protected emit(w: Window, acc: unknown): void {
    const out = this.out;
    const ts = w.maxTimestamp();
    out.timestamp = ts;
    const pwf = this.pwf;
    if (pwf === undefined) {
      out.collectWithTimestamp(this.contents.result(acc), ts);
      return;
    }
    this.pctx.window = w;
    this.ctx.currentTimestamp = ts;
    pwf.process(this.be.currentRawKey, this.pctx, this.contents.elements(acc), out);
  }

  /** Lets the ProcessWindowFunction drop its per-window state of a discarded window. */
  protected clearWindowFunction(w: Window): void {
    const pwf = this.pwf;
    if (pwf?.clear === undefined) return;
    this.pctx.window = w;
    pwf.clear(this.pctx);
  }

  /**
   * For operators whose contents live outside window namespaces (slices, sessions): emits `w`
   * (when `fire`) and then clears its function state (when `purge`) with the backend in the
   * window's namespace, which per-window state needs, and leaves the namespace unset.
   */
  protected emitOutsideNamespace(w: Window, acc: unknown, fire: boolean, purge: boolean): void {
    const pwf = this.pwf;
    if (pwf === undefined) {
      if (fire) this.emit(w, acc);
      return;
    }
    if (!fire && pwf.clear === undefined) return;
    const be = this.be;
    be.setCurrentNamespace(w.namespace);
    if (fire) this.emit(w, acc);
    if (purge) this.clearWindowFunction(w);
    be.setCurrentNamespace(undefined);
  }

  /** A record too late for all of its windows: to the late side output, or counted as dropped. */
  protected dropLate(v: unknown, t: number): void {
    if (this.lateOut !== undefined) this.lateOut.collectWithTimestamp(v, t);
    else this.lateRecordsDropped++;
  }

  /** The error for a record without a timestamp in an event-time window. */
  protected noTimestamp(): Error {
    return userError('INVALID_JOB', 'a record reached an event-time window without a timestamp', {
      operator: this.ref,
      hint: 'give the source a WatermarkStrategy with withTimestampAssigner(...), call assignTimestampsAndWatermarks(...) before the window, or use a processing-time window',
    });
  }
}
