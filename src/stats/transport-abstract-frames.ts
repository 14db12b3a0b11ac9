/**
 * The frames Node and the python3 abstract-socket broker exchange: a header line `ID OP LEN\n` followed by
 * LEN raw bytes (binary-safe: the payload is never scanned for newlines).
 */
import { FrameError } from '../core/errors.js';

/** What Node asks of the broker. */
export type NodeOp = 'open' | 'write' | 'close';
/** What the broker reports about a connection. */
export type BrokerOp = 'connected' | 'data' | 'end' | 'error';

export interface BrokerFrame {
  id: number;
  op: BrokerOp;
  payload: Buffer;
}

const BROKER_OPS: ReadonlySet<string> = new Set<BrokerOp>(['connected', 'data', 'end', 'error']);
// The broker sends at most 64 KiB per data frame; anything far larger means the stream is out of step.
const MAX_PAYLOAD = 1024 * 1024;
const MAX_HEADER = 64;
const HEADER = /^(\d{1,15}) ([a-z]{1,12}) (\d{1,8})$/;

/** One frame for the broker's stdin. */
export function encodeFrame(id: number, op: NodeOp, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(`${id} ${op} ${payload.length}\n`, 'latin1'), payload]);
}

/** Splits the broker's stdout into frames, however the pipe cuts it. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Add a chunk; returns the frames it completes. Throws FrameError on a malformed stream. */
  push(chunk: Buffer): BrokerFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: BrokerFrame[] = [];
    let at = 0;
    for (;;) {
      const newline = this.pending.indexOf(0x0a, at);
      if (newline < 0 || newline - at > MAX_HEADER) {
        if (this.pending.length - at > MAX_HEADER) throw new FrameError(`no frame header in ${describe(this.pending.subarray(at, at + MAX_HEADER))}`);
        break;
      }
      const header = this.pending.toString('latin1', at, newline);
      const match = HEADER.exec(header);
      if (!match || !BROKER_OPS.has(match[2] as string)) throw new FrameError(`bad frame header ${describe(Buffer.from(header, 'latin1'))}`);
      const size = Number(match[3]);
      if (size > MAX_PAYLOAD) throw new FrameError(`frame payload of ${size} bytes`);
      const start = newline + 1;
      if (this.pending.length < start + size) break;
      frames.push({ id: Number(match[1]), op: match[2] as BrokerOp, payload: this.pending.subarray(start, start + size) });
      at = start + size;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
    return frames;
  }
}

/** A short, printable rendering of unexpected bytes for an error message. */
function describe(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 40).toString('latin1')).replace(/[^\x20-\x7e]/g, '?');
}
