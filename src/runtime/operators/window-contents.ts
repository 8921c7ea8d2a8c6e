/**
 * How a window operator adds records to a window's contents, merges two windows' contents
 * (sessions, slices) and turns contents into what the window function receives.
 *
 * @module
 */
import type { WindowContentsSpec } from '../../time/windowing/window-spec.ts';

export class WindowContents {
  /** Adds a record; `acc` is undefined for an empty window. */
  readonly add: (value: unknown, acc: unknown) => unknown;
  /** Merges `b` into `a` (both non-empty); may modify and return `a`, never `b`. */
  readonly merge: ((a: unknown, b: unknown) => unknown) | undefined;
  /** A fresh empty accumulator for combining slices (aggregate only). */
  readonly fresh: (() => unknown) | undefined;
  /** The single result of non-list contents. */
  readonly result: (acc: unknown) => unknown;
  readonly isList: boolean;

  constructor(spec: WindowContentsSpec) {
    this.isList = spec.kind === 'list';
    switch (spec.kind) {
      case 'reduce': {
        const reduce = spec.reduce;
        this.add = (v, acc) => (acc === undefined ? v : reduce(acc, v));
        this.merge = reduce;
        this.fresh = undefined;
        this.result = (acc) => acc;
        break;
      }
      case 'aggregate': {
        const agg = spec.aggregate;
        this.add = (v, acc) => agg.add(v, acc === undefined ? agg.createAccumulator() : acc);
        this.merge = agg.merge !== undefined ? (a, b) => (agg.merge as Add2)(a, b) : undefined;
        this.fresh = () => agg.createAccumulator();
        this.result = (acc) => agg.getResult(acc);
        break;
      }
      case 'list':
        this.add = (v, acc) => {
          if (acc === undefined) return [v];
          (acc as unknown[]).push(v);
          return acc;
        };
        this.merge = (a, b) => (a as unknown[]).concat(b as unknown[]);
        this.fresh = undefined;
        this.result = (acc) => acc;
        break;
    }
  }

  /** What a ProcessWindowFunction receives: all elements, or the one result in an array. */
  elements(acc: unknown): readonly unknown[] {
    return this.isList ? (acc as unknown[]) : [this.result(acc)];
  }
}

type Add2 = (a: unknown, b: unknown) => unknown;
