/**
 * Combines the watermarks of an operator's input channels (Flink's StatusWatermarkValve): the
 * output is the minimum over active channels; idle and finished channels do not hold it back; it
 * never goes backwards; when every channel is idle, the operator reports idle downstream.
 *
 * @module
 */
export class WatermarkValve {
  private readonly watermarks: Float64Array;
  private readonly idle: Uint8Array;
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
    this.ended = new Uint8Array(channels);
  }

  watermark(channel: number, watermark: number): void {
    if (this.ended[channel] === 1) return;
    if (this.idle[channel] === 1) this.idle[channel] = 0;
    if (watermark > (this.watermarks[channel] as number)) this.watermarks[channel] = watermark;
    this.recompute();
  }

  setIdle(channel: number, idle: boolean): void {
    if (this.ended[channel] === 1) return;
    this.idle[channel] = idle ? 1 : 0;
    this.recompute();
  }

  end(channel: number): void {
    this.ended[channel] = 1;
    this.recompute();
  }

  private recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    let idle = 0;
    const n = this.watermarks.length;
    for (let i = 0; i < n; i++) {
      if (this.ended[i] === 1) continue;
      if (this.idle[i] === 1) {
        idle++;
        continue;
      }
      active++;
      const w = this.watermarks[i] as number;
      if (w < min) min = w;
    }
    if (active === 0) {
      if (idle > 0 && !this.outputIdle) {
        this.outputIdle = true;
        this.onIdle(true);
      }
      return;
    }
    if (this.outputIdle) {
      this.outputIdle = false;
      this.onIdle(false);
    }
    if (min > this.output) {
      this.output = min;
      this.onWatermark(min);
    }
  }
}
