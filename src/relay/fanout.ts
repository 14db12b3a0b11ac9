/**
 * Sending one serialised update to every WebSocket client. The payload is encoded once by the caller and the
 * same Buffer goes to each socket; a client whose send buffer is above the bound misses that update (its
 * next one carries the whole state again), and one that keeps missing is dropped: memory never grows with a
 * slow reader.
 */
import type { WebSocket } from 'ws';

export interface FanoutOptions {
  /** Skip a client while its bufferedAmount exceeds this many bytes. */
  maxBufferedBytes: number;
  /** Close a client after this many consecutive skipped updates. */
  maxConsecutiveSkips: number;
}

/** Counters the benchmark and /healthz report. */
export interface FanoutStats {
  clients: number;
  broadcasts: number;
  frames: number;
  skipped: number;
  dropped: number;
}

/** The set of connected clients and the bounded broadcast to them. */
export class Fanout {
  private readonly skips = new Map<WebSocket, number>();
  private readonly counters = { broadcasts: 0, frames: 0, skipped: 0, dropped: 0 };

  constructor(private readonly options: FanoutOptions) {}

  get size(): number {
    return this.skips.size;
  }

  add(ws: WebSocket): void {
    this.skips.set(ws, 0);
  }

  remove(ws: WebSocket): void {
    this.skips.delete(ws);
  }

  /**
   * Send one already-encoded text message to every open client; a client that missed the previous one gets
   * `catchUp()` instead when given (the whole state, since a delta would not apply to what it holds).
   */
  broadcast(payload: Buffer, catchUp?: () => Buffer): void {
    this.counters.broadcasts++;
    for (const [ws, skipped] of this.skips) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > this.options.maxBufferedBytes) {
        this.counters.skipped++;
        if (skipped + 1 >= this.options.maxConsecutiveSkips) {
          this.counters.dropped++;
          this.skips.delete(ws);
          // terminate(), not close(): a close frame would queue behind the data the client is not reading.
          ws.terminate();
        } else {
          this.skips.set(ws, skipped + 1);
        }
        continue;
      }
      this.counters.frames++;
      if (skipped !== 0) {
        this.skips.set(ws, 0);
        ws.send(catchUp === undefined ? payload : catchUp(), { binary: false });
      } else {
        ws.send(payload, { binary: false });
      }
    }
  }

  stats(): FanoutStats {
    return { clients: this.skips.size, ...this.counters };
  }

  /** The connected clients (a copy: callers may remove while iterating). */
  clients(): WebSocket[] {
    return [...this.skips.keys()];
  }

  /** Close every client with `code`; a client that does not answer within `graceMs` is cut off. */
  async closeAll(code: number, reason: string, graceMs = 1000): Promise<void> {
    const clients = [...this.skips.keys()];
    this.skips.clear();
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise<void>((ok) => {
            if (ws.readyState === ws.CLOSED) return ok();
            ws.once('close', () => ok());
            const timer = setTimeout(() => ws.terminate(), graceMs);
            ws.once('close', () => clearTimeout(timer));
            ws.close(code, reason);
          }),
      ),
    );
  }
}
