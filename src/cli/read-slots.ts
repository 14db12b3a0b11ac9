/**
 * One bound on the reads in flight of every target of this process, from its open-file limit: each read
 * holds a socket (and /proc files while it reads a local master's CPU and memory), so 2,000 vassals polled
 * by --json --watch, the dashboard or serve under `ulimit -n 1024` wait their turn instead of failing with
 * EMFILE. A read waiting for a slot still ends when its signal is aborted.
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept free of reads: Node's own, stdio, the listening socket of serve, the recordings. */
const RESERVED_FDS = 32;

/** This process's limit on open files (/proc/self/limits), or null when it cannot be read (not Linux). */
function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
    if (m) return m[1] === 'unlimited' ? null : Number(m[1]);
  } catch {
    // Not Linux, or /proc hidden.
  }
  return null;
}

/** Reads at once that the open-file limit leaves room for (half of what is left after the reserved ones), at most `cap`. */
export function readsForFdLimit(cap: number): number {
  const limit = openFileLimit();
  return limit === null ? cap : Math.max(1, Math.min(cap, Math.floor((limit - RESERVED_FDS) / 2)));
}

/** A shared number of read slots: `run` waits for one, reads, and hands the slot to the next waiter. */
export class ReadSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {}

  /** Run `read` once a slot is free; rejects with the signal's reason if it is aborted while waiting. */
  async run<T>(signal: AbortSignal, read: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await this.wait(signal);
    try {
      return await read();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        const at = this.waiting.indexOf(granted);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      // Called with the slot of the read that ended: it is now this read's.
      const granted = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(granted);
    });
  }
}
