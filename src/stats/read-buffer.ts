/**
 * A receive buffer kept from one read to the next: the socket reads straight into it (net's `onread`), so a
 * 0.8 MB document is neither gathered from fresh 64 KiB chunks nor copied into a fresh buffer each poll
 * (fresh large allocations fault their pages in again every time). Its bytes are valid until the next read.
 */
const INITIAL_BYTES = 64 * 1024;
const MIN_ROOM = 16 * 1024;

export class ReadBuffer {
  private buffer: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;

  /** Start a new reply (the previous one's bytes are given up). */
  reset(): void {
    this.used = 0;
  }

  /** Free room for the socket's next read, doubled when little is left (bounded by the read's size cap). */
  room(): Buffer {
    if (this.buffer.length - this.used < MIN_ROOM) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.used);
      this.buffer = bigger;
    }
    return this.buffer.subarray(this.used);
  }

  /** Count `n` bytes the socket wrote into room(); returns them (a view, no copy). */
  commit(n: number): Buffer {
    this.used += n;
    return this.buffer.subarray(this.used - n, this.used);
  }

  /** The reply so far (a view into the kept buffer). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}
