/**
 * The last `capacity` distinct keys added, for dropping repeats within an input with
 * memory that stays flat at any size. The oldest key is found through a ring of the keys
 * in insertion order, never by iterating the Set: V8 leaves deleted entries in place at
 * the front of a Set's table until it rehashes, so taking "the first value" of a Set that
 * keeps losing its oldest entries walks over all of them on every call.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();
  private readonly ring: string[];
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<string>(capacity);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds a key not already held, evicting the oldest once full. */
  add(key: string): void {
    if (this.keys.has(key)) return;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.keys.delete(oldest);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
