/**
 * A worker's Python stacks from uWSGI's `--py-tracebacker PATH`: one unix socket per worker, PATH<worker id>,
 * that answers every thread's frames and closes. Read on demand (never per poll), bounded in bytes and time,
 * and only from a path that is a socket. The text is the application's: views escape it like any document string.
 */
import net from 'node:net';
import { lstat } from 'node:fs/promises';
import { TracebackError } from '../core/errors.js';

/** One frame line: `thread_id = T filename = F lineno = N function = FN line = CODE`. */
export interface StackFrame {
  thread: string;
  filename: string;
  lineno: number;
  fn: string;
  line: string;
}

export interface Traceback {
  /** The socket read (PATH<worker id>). */
  path: string;
  frames: StackFrame[];
  /** Lines that are not frames (the header is left out). */
  other: string[];
  /** The reply was longer than the byte limit and was cut. */
  truncated: boolean;
}

export interface TracebackLimits {
  timeoutMs?: number;
  maxBytes?: number;
}

const HEADER = '*** uWSGI Python tracebacker output ***';
const FRAME = /^thread_id = (.*?) filename = (.*?) lineno = (\d+) function = (.*?) line = (.*)$/;

/** Parse the tracebacker's text into frames (in its order: each thread outermost first). */
export function parseTraceback(text: string): { frames: StackFrame[]; other: string[] } {
  const frames: StackFrame[] = [];
  const other: string[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.replace(/\r$/, '');
    if (l.trim() === '' || l.trim() === HEADER) continue;
    const m = FRAME.exec(l);
    if (m) frames.push({ thread: m[1]!, filename: m[2]!, lineno: Number(m[3]), fn: m[4]!, line: m[5]! });
    else other.push(l);
  }
  return { frames, other };
}

/** Read worker `workerId`'s stacks from the tracebacker at `base` (the --py-tracebacker value). */
export async function readTraceback(base: string, workerId: number, limits: TracebackLimits = {}): Promise<Traceback> {
  const path = `${base}${workerId}`;
  const timeoutMs = limits.timeoutMs ?? 3000;
  const maxBytes = limits.maxBytes ?? 256 * 1024;
  let kind;
  try {
    kind = await lstat(path);
  } catch (err) {
    throw new TracebackError(`no tracebacker socket at ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}): is uWSGI running with --py-tracebacker ${base}?`);
  }
  if (!kind.isSocket()) throw new TracebackError(`${path} is not a socket: not read`);
  return new Promise<Traceback>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const socket = net.connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TracebackError(`the tracebacker at ${path} did not answer within ${timeoutMs} ms (a worker holding the GIL in C code cannot answer)`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ path, ...parseTraceback(text), truncated });
    };
    socket.on('data', (chunk: Buffer) => {
      const room = maxBytes - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        truncated = true;
        socket.destroy();
        done();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    socket.on('end', done);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new TracebackError(`reading the tracebacker at ${path} failed: ${err.code ?? err.message}`));
    });
  });
}
