/**
 * Combines the watermarks of an operator's input channels (Flink's StatusWatermarkValve):
 *
 * - the output is the minimum over active, *aligned* channels; it never goes backwards;
 * - an idle channel does not hold the output back; when every channel is idle the operator
 *   reports idle downstream, and the output advances to the largest channel watermark (nothing
 *   can hold it any more);
 * - a channel that becomes active again behind the output is not aligned: it does not take part
 *   in the minimum (it cannot pull the output back, nor stall it) until its own watermark catches
 *   up with the output;
 * - a watermark on an idle channel makes it active again (Eddy's sources announce activity, but
 *   a watermark is proof enough);
 * - ended channels are left out.
 *
 * @module
 */
export class WatermarkValve {
  private readonly watermarks: Float64Array;
  private readonly idle: Uint8Array;
  private readonly aligned: Uint8Array;
  private readonly ended: Uint8Array;
  /** The last combined watermark reported. */
  output = Number.NEGATIVE_INFINITY;
  private outputIdle = false;

  constructor(
    channels: number,
    private readonly onWatermark: (watermark: number) => void,
    private readonly onIdle: (idle: boolean) => void,
  ) {
    this.watermarks = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Uint8Array(channels);
    this.aligned = new Uint8Array(channels).fill(1);
    this.ended = new Uint8Array(channels);
  }

  /** Whether the combined output is idle. */
  get isIdle(): boolean {
    return this.outputIdle;
  }

  watermark(channel: number, watermark: number): void {
    if (this.ended[channel] === 1) return;
    if (this.idle[channel] === 1) this.setIdle(channel, false);
    if (!(watermark > (this.watermarks[channel] as number))) return;
    this.watermarks[channel] = watermark;
    if (this.aligned[channel] === 0 && watermark >= this.output) this.aligned[channel] = 1;
    this.advance();
  }

  setIdle(channel: number, idle: boolean): void {
    if (this.ended[channel] === 1) return;
    const was = this.idle[channel] === 1;
    if (idle === was) return;
    if (idle) {
      this.idle[channel] = 1;
      this.aligned[channel] = 0;
      if (this.allIdle()) {
        this.becomeIdle();
      } else {
        this.advance();
      }
    } else {
      this.idle[channel] = 0;
      // A channel that resumes behind the output must catch up before it counts again.
      this.aligned[channel] = (this.watermarks[channel] as number) >= this.output ? 1 : 0;
      if (this.outputIdle) {
        this.outputIdle = false;
        this.onIdle(false);
      }
    }
  }

  end(channel: number): void {
    if (this.ended[channel] === 1) return;
    this.ended[channel] = 1;
    // The last active channel ended and the others are idle: the output is idle now too.
    if (!this.outputIdle && this.allIdle()) this.becomeIdle();
    else this.advance();
  }

  private becomeIdle(): void {
    // Nothing holds the watermark back any more: advance to the furthest channel (Flink).
    this.emitIfAhead(this.maxWatermark());
    this.outputIdle = true;
    this.onIdle(true);
  }

  private allIdle(): boolean {
    const n = this.watermarks.length;
    let any = false;
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1) continue;
      if (this.idle[i] === 0) return false;
      any = true;
    }
    return any;
  }

  private maxWatermark(): number {
    let max = Number.NEGATIVE_INFINITY;
    const n = this.watermarks.length;
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1) continue;
      const w = this.watermarks[i] as number;
      if (w > max) max = w;
    }
    return max;
  }

  private advance(): void {
    let min = Number.POSITIVE_INFINITY;
    let counted = 0;
    const n = this.watermarks.length;
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1 || this.idle[i] === 1 || this.aligned[i] === 0) continue;
      counted++;
      const w = this.watermarks[i] as number;
      if (w < min) min = w;
    }
    if (counted > 0) this.emitIfAhead(min);
  }

  private emitIfAhead(w: number): void {
    if (w > this.output) {
      this.output = w;
      this.onWatermark(w);
    }
  }
}
