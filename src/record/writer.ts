/**
 * Writes one target's recording: every poll as one frame, written before the poll is shown (so a kill -9
 * loses at most the poll being written), a whole document every `keyframeEvery` polls and patches between,
 * rotation into numbered segments, the size and age bounds, and a free-space floor. Any write failure ends
 * the recording with one message (onStop) and never the monitoring.
 */
import { closeSync, fdatasyncSync, lstatSync, openSync, readlinkSync, renameSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RecordingError } from '../core/errors.js';
import { fileKind } from '../core/regular-file.js';
import { acquireLock } from './lock.js';
import { deflateRawSync } from 'node:zlib';
import { encodeFrame, FORMAT_VERSION, MAGIC, type FrameKind, type PollRecord, type RecordingHeader } from './format.js';
import { diff, type JsonValue } from './patch.js';
import { isRecordingFile, listSegments, nextSegmentNumber } from './segments.js';

/** Deflate's window: the dictionary a chunk is compressed against is the last 32 KiB of its stream's text. */
export const WINDOW = 32 * 1024;

export interface WriterOptions {
  /** The segment being written; rotated segments are FILE.1, FILE.2, ... */
  file: string;
  target: string;
  tool: string;
  intervalMs: number;
  secrets: boolean;
  /** Total bytes of every segment together (default 256 MiB). */
  maxBytes?: number;
  /** Rotated segments older than this are deleted (default: kept until maxBytes). */
  keepMs?: number | null;
  /** Stop recording when the file system has less free space than this (default 256 MiB). */
  minFreeBytes?: number;
  /** A whole document every N polls (default 300). */
  keyframeEvery?: number;
  /** Wall clock, epoch ms (tests). */
  now?: () => number;
  /** Told once, when recording stops by itself (full disk, the floor, a write error); monitoring goes on. */
  onStop?: (message: string) => void;
  /** Free bytes of the file system holding `file` (tests); statfs by default. */
  freeBytes?: (dir: string) => number;
}

export const DEFAULT_RECORD_MAX = 256 * 1024 * 1024;
export const DEFAULT_MIN_FREE = 256 * 1024 * 1024;
const DEFAULT_KEYFRAME_EVERY = 300;
/** How often the free space is checked and the data pushed to the disk. */
const CHECK_EVERY_MS = 5000;

function statfsFree(dir: string): number {
  const st = statfsSync(dir);
  return Number(st.bavail) * Number(st.bsize);
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** The recording of one target (see the module comment). */
export class RecordingWriter {
  private fd: number | null = null;
  private segmentBytes = 0;
  private prev: JsonValue | undefined = undefined;
  private sinceKey = 0;
  private dict: Buffer = Buffer.alloc(0);
  private lastCheckMs = -Infinity;
  private segmentStartMs = 0;
  private stopped = false;
  private releaseLock: (() => void) | null = null;
  /** Commands written to the master FIFO since the last recorded poll: they go out with the next one. */
  private commands: string[] = [];
  private readonly maxBytes: number;
  private readonly segmentMax: number;
  private readonly keyframeEvery: number;
  private readonly now: () => number;
  private readonly freeBytes: (dir: string) => number;
  /** Bytes written so far (frames and headers, every segment). */
  written = 0;

  constructor(private readonly options: WriterOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_RECORD_MAX;
    // Four segments under the cap, so that dropping the oldest frees a quarter and keeps three quarters.
    this.segmentMax = Math.max(4096, Math.floor(this.maxBytes / 4));
    this.keyframeEvery = Math.max(1, options.keyframeEvery ?? DEFAULT_KEYFRAME_EVERY);
    this.now = options.now ?? Date.now;
    this.freeBytes = options.freeBytes ?? statfsFree;
    // One recorder per recording, for its whole life: a second one would rename the live file under the first.
    this.releaseLock = acquireLock(options.file);
    try {
      // A file left by an earlier run (perhaps cut short) is kept whole as a rotated segment; anything else is not ours.
      if (checkExisting(options.file)) this.rotate();
      this.open();
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  /** False once recording stopped (closed, or ended by a full disk or an error). */
  get recording(): boolean {
    return !this.stopped;
  }

  /**
   * Record a successful read: the document as parsed (secrets already masked when they must be). The writer
   * keeps it as the next patch's base, so it must not be changed afterwards (each read parses a new one).
   */
  document(atMs: number, monotonicMs: number, doc: unknown, durationMs: number, bytes: number, repairs: readonly string[]): void {
    if (this.stopped) return;
    const value = doc as JsonValue;
    const head = { t: atMs, m: monotonicMs, d: Math.round(durationMs * 1000) / 1000, b: bytes };
    const extra = { ...(repairs.length > 0 ? { r: [...repairs] } : {}), ...this.takeCommands() };
    const key = this.prev === undefined || this.sinceKey >= this.keyframeEvery;
    const record: PollRecord = key ? { ...head, doc: value, ...extra } : { ...head, p: diff(this.prev!, value), ...extra };
    this.prev = value;
    this.write(record, key);
  }

  /** Record a failed read with its one-line reason (a down period is a run of these). */
  failure(atMs: number, error: string, code: string | null): void {
    if (this.stopped) return;
    this.write({ t: atMs, err: error, code, ...this.takeCommands() }, this.prev === undefined && this.sinceKey === 0);
  }

  /** This tool is about to write `command` (a named FIFO command: chain-reload, pause...) to the target's master FIFO. */
  command(name: string): void {
    if (!this.stopped) this.commands.push(name);
  }

  private takeCommands(): { c?: string[] } {
    if (this.commands.length === 0) return {};
    const c = this.commands;
    this.commands = [];
    return { c };
  }

  /** Stop recording; what was written stays readable. */
  close(): void {
    this.stopped = true;
    this.closeFd(true);
    this.unlock();
  }

  private unlock(): void {
    this.releaseLock?.();
    this.releaseLock = null;
  }

  private write(record: PollRecord, key: boolean): void {
    try {
      this.checkSpace();
      if (this.stopped) return;
      const text = Buffer.from(JSON.stringify(record), 'utf8');
      if (key) {
        this.dict = Buffer.alloc(0);
        this.sinceKey = 0;
      }
      const payload = this.dict.length > 0 ? deflateRawSync(text, { dictionary: this.dict }) : deflateRawSync(text);
      this.frame(key ? 'K' : 'D', payload);
      this.sinceKey++;
      this.dict = text.length >= WINDOW ? text.subarray(text.length - WINDOW) : Buffer.concat([this.dict, text]).subarray(-WINDOW);
      const keepMs = this.options.keepMs ?? null;
      // With --record-keep, segments also end by age, so old data can be dropped in pieces.
      if (this.segmentBytes >= this.segmentMax || (keepMs !== null && this.now() - this.segmentStartMs >= keepMs / 4)) {
        this.rotate();
        this.open();
      }
    } catch (err) {
      this.stop(`recording to ${this.options.file} stopped: ${err instanceof Error ? err.message : String(err)} (monitoring goes on)`);
    }
  }

  private frame(kind: FrameKind, payload: Buffer): void {
    const bytes = encodeFrame(kind, payload);
    // One write per frame: a crash leaves whole frames and at most one cut one at the end. A short write
    // (a full disk) ends the recording there, so no frame is ever written after a cut one.
    const done = writeSync(this.fd!, bytes);
    if (done !== bytes.length) throw new Error(`the disk took ${done} of ${bytes.length} bytes (full?)`);
    this.segmentBytes += bytes.length;
    this.written += bytes.length;
  }

  private open(): void {
    this.fd = openSync(this.options.file, 'wx', 0o600);
    this.segmentBytes = 0;
    this.segmentStartMs = this.now();
    const header: RecordingHeader = {
      format: FORMAT_VERSION,
      tool: this.options.tool,
      target: this.options.target,
      startedAtMs: this.now(),
      intervalMs: this.options.intervalMs,
      secrets: this.options.secrets,
    };
    if (writeSync(this.fd, MAGIC) !== MAGIC.length) throw new Error('the disk took only part of the file header (full?)');
    this.segmentBytes += MAGIC.length;
    this.written += MAGIC.length;
    this.frame('H', Buffer.from(JSON.stringify(header), 'utf8'));
    // Every segment starts with a whole document, so each can be replayed (or dropped) alone.
    this.prev = undefined;
    this.sinceKey = 0;
  }

  private closeFd(sync: boolean): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      if (sync) fdatasyncSync(fd);
    } catch {
      // Nothing more can be saved; the frames written are in the file.
    }
    closeSync(fd);
  }

  /** Close FILE, rename it FILE.N, and drop the oldest segments beyond the size and age bounds. */
  private rotate(): void {
    // A segment ends with the frame that crossed segmentMax: room for one that size keeps the cap exact.
    const reserve = Math.max(this.segmentMax, this.segmentBytes);
    this.closeFd(true);
    const file = this.options.file;
    renameSync(file, `${file}.${nextSegmentNumber(file)}`);
    // Only segments this tool wrote are ever removed: regular files that start as a recording does.
    const rotated = listSegments(file).filter((s) => isRecordingFile(s.path));
    const keepMs = this.options.keepMs ?? null;
    let total = rotated.reduce((sum, s) => sum + s.bytes, 0);
    // Ages are measured on the file system's clock: the segment just closed was written now by that clock,
    // which need not be this process's wall clock (a stepped clock, a faked one, a remote file system).
    const now = Math.max(...rotated.map((s) => s.mtimeMs));
    for (const s of rotated) {
      const tooOld = keepMs !== null && s.mtimeMs < now - keepMs;
      // Room for the segment about to be written too, so the whole recording stays under the cap.
      if (!tooOld && total + reserve <= this.maxBytes) break;
      unlinkSync(s.path);
      total -= s.bytes;
    }
  }

  private checkSpace(): void {
    const now = this.now();
    if (now - this.lastCheckMs < CHECK_EVERY_MS) return;
    this.lastCheckMs = now;
    if (this.fd !== null) fdatasyncSync(this.fd);
    const floor = this.options.minFreeBytes ?? DEFAULT_MIN_FREE;
    const dir = dirname(this.options.file);
    const free = this.freeBytes(dir);
    if (free < floor) this.stop(`recording to ${this.options.file} stopped: ${mib(free)} free on its file system, below the floor of ${mib(floor)} (--record-min-free); monitoring goes on`);
  }

  private stop(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.closeFd(false);
    } catch {
      // Already reporting why recording ends.
    }
    this.unlock();
    this.options.onStop?.(message);
  }
}

/**
 * Whether FILE exists as a recording to continue (true), or not at all (false). Anything else there (a text
 * file, a symbolic link, a FIFO, a directory) is refused untouched: --record writes only to a new file or an
 * existing recording, and never renames through a link.
 */
function checkExisting(file: string): boolean {
  let st;
  try {
    st = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (st.isSymbolicLink()) {
    let to = '?';
    try {
      to = readlinkSync(file);
    } catch {
      // unreadable link: still a link
    }
    let dangling = false;
    try {
      statSync(file);
    } catch {
      dangling = true;
    }
    throw new RecordingError(
      dangling
        ? `${file} is a dangling symbolic link (to ${to}, which does not exist): not followed; give a new file or an existing recording`
        : `${file} is a symbolic link (to ${to}): not followed; give the recording's own path`,
    );
  }
  if (!st.isFile()) throw new RecordingError(`${file} is ${fileKind(st)}, not a recording: not touched`);
  if (!isRecordingFile(file)) {
    throw new RecordingError(`${file} exists and is not a uwsgitop-ts recording (${st.size} bytes that do not start with UWSGITOP-REC): not touched; give a new file name`);
  }
  return true;
}
