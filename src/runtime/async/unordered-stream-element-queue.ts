/**
 * Results as they arrive, between watermarks (Flink's `UnorderedStreamElementQueue`): watermarks
 * cut the queue into segments; a record is emitted when done and all earlier segments are
 * emitted; a watermark is emitted when every record before it is.
 *
 * @module
 */
import { ArrayDeque } from '../../util/array-deque.ts';
import type { AsyncEntry } from './async-entry.ts';
import type { QueueOutput, StreamElementQueue } from './stream-element-queue.ts';

class Segment {
  /** Records not yet done. */
  pending = 0;
  /** Done records waiting for earlier segments. */
  readonly ready: AsyncEntry[] = [];
  /** The watermark that closes the segment (NaN: open, the last segment). */
  watermark = Number.NaN;
}

export class UnorderedStreamElementQueue implements StreamElementQueue {
  private readonly segments = new ArrayDeque<Segment>();
  private last = new Segment();
  size = 0;

  constructor() {
    this.segments.push(this.last);
  }

  add(entry: AsyncEntry): void {
    this.last.pending++;
    entry.segment = this.last;
    this.size++;
  }

  addWatermark(watermark: number): boolean {
    if (this.size === 0) return true;
    this.last.watermark = watermark;
    this.last = new Segment();
    this.segments.push(this.last);
    return false;
  }

  completed(entry: AsyncEntry): void {
    const s = entry.segment as Segment;
    s.pending--;
    s.ready.push(entry);
  }

  drain(out: QueueOutput): void {
    for (;;) {
      const s = this.segments.peek() as Segment;
      const ready = s.ready;
      if (ready.length > 0) {
        for (let i = 0; i < ready.length; i++) {
          this.size--;
          out.emitEntry(ready[i] as AsyncEntry);
        }
        ready.length = 0;
      }
      if (s === this.last || s.pending > 0) return;
      this.segments.shift();
      out.emitWatermark(s.watermark);
    }
  }
}
