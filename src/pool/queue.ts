/**
 * A growable ring buffer: O(1) push, shift and unshift, no `Array#shift`
 * (which is O(n) once V8 leaves its fast path) in the hot path.
 */
export class TaskQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;
  #mask: number;

  /** @param capacity initial capacity, rounded up to a power of two */
  constructor(capacity = 64) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.#items = new Array<T | undefined>(size);
    this.#mask = size - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Puts an item back at the front (a task re-queued after its worker crashed keeps its turn). */
  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes one item (O(n); only cancellation uses it). Returns whether it was there. */
  remove(item: T): boolean {
    for (let i = 0; i < this.#length; i++) {
      if (this.#items[(this.#head + i) & this.#mask] !== item) continue;
      for (let j = i; j < this.#length - 1; j++) {
        this.#items[(this.#head + j) & this.#mask] = this.#items[(this.#head + j + 1) & this.#mask];
      }
      this.#items[(this.#head + this.#length - 1) & this.#mask] = undefined;
      this.#length--;
      return true;
    }
    return false;
  }

  /** Empties the queue, returning its items in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const size = old.length * 2;
    const items = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#head = 0;
    this.#mask = size - 1;
  }
}
