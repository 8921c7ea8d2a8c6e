/**
 * A test source that replays a script of records, watermarks and idleness (per split when
 * `split` is set) through the real SourceOutput, so tests cover the production path.
 *
 * @module
 */
import type {
  InputStatus,
  Source,
  SourceOutput,
  SourceReader,
} from '../../src/core/connector-spi.ts';
import type { WatermarkOutput } from '../../src/core/watermark.ts';

/** One step of a script. */
export type ScriptStep<T> =
  | { readonly kind: 'record'; readonly value: T; readonly ts: number; readonly split?: string }
  | { readonly kind: 'watermark'; readonly wm: number; readonly split?: string }
  | { readonly kind: 'idle'; readonly split?: string }
  | { readonly kind: 'active'; readonly split?: string }
  | { readonly kind: 'release'; readonly split: string };

/** Replays `steps` in order; `stepsPerPoll` cuts it into batches (default: as many as fit). */
export class ScriptedSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  readonly name = 'Scripted';
  constructor(
    private readonly steps: readonly ScriptStep<T>[],
    private readonly stepsPerPoll = Number.POSITIVE_INFINITY,
  ) {}
  describe(): Readonly<Record<string, unknown>> {
    return { kind: 'scripted', steps: this.steps.length };
  }
  createReader(): SourceReader<T> {
    const steps = this.steps;
    const perPoll = this.stepsPerPoll;
    let i = 0;
    return {
      pollNext(out: SourceOutput<T>): InputStatus {
        let n = 0;
        while (i < steps.length && out.remaining > 0 && n < perPoll) {
          const s = steps[i++] as ScriptStep<T>;
          n++;
          // The runtime's output always has the split and watermark methods.
          const target = (
            s.split !== undefined ? out.createOutputForSplit?.(s.split) : out
          ) as WatermarkOutput & { collect(v: T, t?: number): void };
          switch (s.kind) {
            case 'record':
              target.collect(s.value, s.ts);
              break;
            case 'watermark':
              target.emitWatermark(s.wm);
              break;
            case 'idle':
              target.markIdle();
              break;
            case 'active':
              target.markActive();
              break;
            case 'release':
              out.releaseOutputForSplit?.(s.split);
              break;
          }
        }
        return i >= steps.length ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
      },
      isAvailable: () => Promise.resolve(),
    };
  }
}

/** Shorthands for scripts. */
export const rec = <T>(value: T, ts: number, split?: string): ScriptStep<T> =>
  split === undefined ? { kind: 'record', value, ts } : { kind: 'record', value, ts, split };
export const wm = <T>(w: number, split?: string): ScriptStep<T> =>
  split === undefined ? { kind: 'watermark', wm: w } : { kind: 'watermark', wm: w, split };
export const idle = <T>(split?: string): ScriptStep<T> =>
  split === undefined ? { kind: 'idle' } : { kind: 'idle', split };
export const active = <T>(split?: string): ScriptStep<T> =>
  split === undefined ? { kind: 'active' } : { kind: 'active', split };
