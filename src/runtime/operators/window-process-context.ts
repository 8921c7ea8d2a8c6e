/**
 * The context a ProcessWindowFunction receives: one object per operator subtask, its `window`
 * updated before each call. Per-window state reads the backend at the window's namespace; global
 * state switches the namespace off around each access. Merging (session) windows have no
 * per-window state, as in Flink: a session's namespace changes whenever it merges, and state kept
 * under the old one would be orphaned (never read, never cleared).
 *
 * @module
 */
import type {
  KeyedStateStore,
  ProcessWindowContext,
} from '../../core/functions/process-window-function.ts';
import type { OutputTag } from '../../core/output-tag.ts';
import { userError, type OperatorRef } from '../../errors/eddy-error.ts';
import type { MetricGroup } from '../../core/metric-group.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { Window } from '../../core/window.ts';
import type { OperatorContext } from '../operator-context.ts';

export class WindowProcessContext implements ProcessWindowContext<Window> {
  window: Window = undefined as unknown as Window;
  readonly metrics: MetricGroup;
  private readonly global: KeyedStateStore;
  private readonly perWindow: KeyedStateStore;

  /**
   * @param merging the assigner merges windows (sessions): per-window state is refused
   * @param operator named in that refusal
   */
  constructor(
    private readonly ctx: OperatorContext,
    private readonly backend: HeapKeyedStateBackend,
    private readonly watermark: () => number,
    private readonly now: () => number,
    merging = false,
    operator?: OperatorRef,
  ) {
    this.metrics = ctx.metrics;
    const wrap = <S extends object>(handle: S): S =>
      new Proxy(handle, {
        get: (target, prop) => {
          const f = Reflect.get(target, prop) as unknown;
          if (typeof f !== 'function') return f;
          return (...args: unknown[]) => {
            const ns = this.window.namespace;
            backend.setCurrentNamespace(undefined);
            try {
              return (f as (...a: unknown[]) => unknown).apply(target, args);
            } finally {
              backend.setCurrentNamespace(ns);
            }
          };
        },
      });
    this.global = {
      getState: (d) => wrap(ctx.getState(d)),
      getListState: (d) => wrap(ctx.getListState(d)),
      getMapState: (d) => wrap(ctx.getMapState(d)),
      getReducingState: (d) => wrap(ctx.getReducingState(d)),
      getAggregatingState: (d) => wrap(ctx.getAggregatingState(d)),
    };
    const refuse = (): never => {
      throw userError(
        'STATE_ERROR',
        'per-window state is not available with merging (session) windows: a session changes ' +
          'its window whenever it merges, so state kept per window would be orphaned',
        {
          operator,
          hint:
            'keep what you need in the window contents (an aggregate), or in ctx.globalState() ' +
            '(per key), e.g. a MapState keyed by the window start',
        },
      );
    };
    this.perWindow = merging
      ? {
          getState: refuse,
          getListState: refuse,
          getMapState: refuse,
          getReducingState: refuse,
          getAggregatingState: refuse,
        }
      : ctx;
  }
  currentWatermark(): number {
    return this.watermark();
  }
  currentProcessingTime(): number {
    return this.now();
  }
  windowState(): KeyedStateStore {
    return this.perWindow;
  }
  globalState(): KeyedStateStore {
    return this.global;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.ctx.output(tag, value);
  }
}
