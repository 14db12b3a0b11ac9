/**
 * Fixed-size history series: preallocated typed arrays, so memory stays flat however long the program runs.
 * A null value is a gap (a failed poll), kept apart from a real zero.
 */
import type { SeriesView } from './series.js';

/** A ring buffer of (time, value|null) pairs implementing SeriesView. */
export class HistorySeries implements SeriesView {
  readonly capacity: number;
  private readonly vals: Float64Array;
  private readonly ats: Float64Array;
  /** 1 where the value is a gap. */
  private readonly gaps: Uint8Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history size must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.vals = new Float64Array(capacity);
    this.ats = new Float64Array(capacity);
    this.gaps = new Uint8Array(capacity);
  }

  /** Append a value (null or a non-finite number = gap) at wall-clock epoch ms; drops the oldest when full. */
  push(value: number | null, atMs: number): void {
    let idx: number;
    if (this.count < this.capacity) {
      idx = (this.start + this.count) % this.capacity;
      this.count++;
    } else {
      idx = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    const gap = value === null || !Number.isFinite(value);
    this.gaps[idx] = gap ? 1 : 0;
    this.vals[idx] = gap ? 0 : (value as number);
    this.ats[idx] = atMs;
  }

  /** Number of values held. */
  get length(): number {
    return this.count;
  }

  /** The most recent value (null for a gap or when empty). */
  last(): number | null {
    if (this.count === 0) return null;
    const idx = (this.start + this.count - 1) % this.capacity;
    return this.gaps[idx] === 1 ? null : this.vals[idx]!;
  }

  values(): Array<number | null> {
    const out = new Array<number | null>(this.count);
    for (let i = 0; i < this.count; i++) {
      const idx = (this.start + i) % this.capacity;
      out[i] = this.gaps[idx] === 1 ? null : this.vals[idx]!;
    }
    return out;
  }

  times(): number[] {
    const out = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ats[(this.start + i) % this.capacity]!;
    return out;
  }

  /** Forget every value (capacity unchanged). */
  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}

/** A bounded FIFO log: keeps the newest `capacity` items, oldest first. */
export class BoundedLog<T> {
  readonly capacity: number;
  private readonly items: Array<T | undefined>;
  private start = 0;
  private count = 0;
  /** Cached oldest-first copy, rebuilt only after a change, so repeated reads by many views stay cheap. */
  private view: readonly T[] | null = null;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log size must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Append, dropping the oldest item when full. */
  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
    this.view = null;
  }

  get length(): number {
    return this.count;
  }

  /** Replace the newest item that `match` accepts with `next`; false (nothing changed) when none does. */
  replaceLast(match: (item: T) => boolean, next: T): boolean {
    for (let i = this.count - 1; i >= 0; i--) {
      const at = (this.start + i) % this.capacity;
      if (match(this.items[at] as T)) {
        this.items[at] = next;
        this.view = null;
        return true;
      }
    }
    return false;
  }

  /** Items oldest first (a frozen snapshot of the log). */
  toArray(): readonly T[] {
    if (this.view === null) {
      const out = new Array<T>(this.count);
      for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
      this.view = Object.freeze(out);
    }
    return this.view;
  }
}
