/**
 * A FIFO queue over an array with a moving head: O(1) amortized push and shift, no per-item
 * allocation, compacted when the consumed prefix dominates.
 *
 * @module
 */
export class ArrayDeque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Number of items. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first item, if any. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the first item. */
  shift(): T | undefined {
    const items = this.items;
    if (this.head >= items.length) return undefined;
    const item = items[this.head];
    items[this.head] = undefined;
    this.head++;
    if (this.head === items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The item at `index` from the head. */
  at(index: number): T | undefined {
    return this.items[this.head + index];
  }

  /** The items, first to last. */
  *[Symbol.iterator](): IterableIterator<T> {
    const items = this.items;
    for (let i = this.head; i < items.length; i++) yield items[i] as T;
  }
}
