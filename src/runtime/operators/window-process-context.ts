/**
 * The context a ProcessWindowFunction receives: one object per operator subtask, its `window`
 * updated before each call. Per-window state reads the backend at the window's namespace; global
 * state switches the namespace off around each access.
 *
 * @module
 */
import type {
  KeyedStateStore,
  ProcessWindowContext,
} from '../../api/functions/process-window-function.ts';
import type { OutputTag } from '../../api/output-tag.ts';
import type { MetricGroup } from '../../metrics/metric-group.ts';
import type { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import type { Window } from '../../time/windowing/window.ts';
import type { OperatorContext } from '../operator-context.ts';

export class WindowProcessContext implements ProcessWindowContext<Window> {
  window: Window = undefined as unknown as Window;
  readonly metrics: MetricGroup;
  private readonly global: KeyedStateStore;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly backend: HeapKeyedStateBackend,
    private readonly watermark: () => number,
    private readonly now: () => number,
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
  }
  currentWatermark(): number {
    return this.watermark();
  }
  currentProcessingTime(): number {
    return this.now();
  }
  windowState(): KeyedStateStore {
    return this.ctx;
  }
  globalState(): KeyedStateStore {
    return this.global;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.ctx.output(tag, value);
  }
}
