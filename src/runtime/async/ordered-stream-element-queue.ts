/**
 * Results in input order: the head is emitted once done; watermarks keep their place.
 *
 * @module
 */
import { ArrayDeque } from '../../util/array-deque.ts';
import { DONE, type AsyncEntry } from './async-entry.ts';
import type { QueueOutput, StreamElementQueue } from './stream-element-queue.ts';

export class OrderedStreamElementQueue implements StreamElementQueue {
  /** Records and watermarks (numbers) in arrival order. */
  private readonly items = new ArrayDeque<AsyncEntry | number>();
  size = 0;

  add(entry: AsyncEntry): void {
    this.items.push(entry);
    this.size++;
  }

  addWatermark(watermark: number): boolean {
    if (this.items.size === 0) return true;
    this.items.push(watermark);
    return false;
  }

  completed(): void {}

  drain(out: QueueOutput): void {
    const items = this.items;
    for (;;) {
      const head = items.peek();
      if (head === undefined) return;
      if (typeof head === 'number') {
        items.shift();
        out.emitWatermark(head);
      } else if (head.state === DONE) {
        items.shift();
        this.size--;
        out.emitEntry(head);
      } else return;
    }
  }
}
