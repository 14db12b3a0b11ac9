/**
 * Reads recordings: frames checked one by one (length, CRC), a cut or damaged tail reported and the polls
 * before it kept, the documents rebuilt from their keyframe and patches on demand (a day of documents does
 * not fit in memory; their compressed frames do).
 */
import { inflateRawSync } from 'node:zlib';
import { FileInputError, RecordingError } from '../core/errors.js';
import { readRegularFileSync } from '../core/regular-file.js';
import { FORMAT_VERSION, FRAME_HEAD, frameCrc, MAGIC, MAX_FRAME, type FrameKind, type RecordingHeader } from './format.js';
import { applyPatch, type JsonValue, type PatchOp } from './patch.js';
import { listSegments, strangeSegments } from './segments.js';
import { WINDOW } from './writer.js';

interface Frame {
  kind: FrameKind;
  payload: Buffer;
}

/** One recorded poll, without its document (see Recording.documents). */
export interface RecordedPoll {
  /** Read time, epoch ms. */
  t: number;
  /** The recorder's monotonic clock, ms (rates are computed over it, as live; see monotonic()). */
  mono: number;
  ok: boolean;
  /** The failure's one-line reason (ok false). */
  error: string | null;
  code: string | null;
  durationMs: number;
  bytes: number;
  repairs: string[];
  /** Commands this tool wrote to the target's master FIFO between the previous poll and this one. */
  commands: string[];
}

interface PollRef {
  segment: number;
  frame: number;
  /** Index (in polls) of the first poll of this poll's deflate stream. */
  streamStart: number;
}

interface Segment {
  path: string;
  header: RecordingHeader;
  frames: Frame[];
}

function scanFrames(buf: Buffer, path: string, problems: string[]): { header: RecordingHeader | null; frames: Frame[] } {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new RecordingError(`${path} is not a uwsgitop-ts recording (no UWSGITOP-REC line at its start)`);
  }
  const frames: Frame[] = [];
  let header: RecordingHeader | null = null;
  let at = MAGIC.length;
  while (at < buf.length) {
    const left = buf.length - at;
    const length = left >= FRAME_HEAD ? buf.readUInt32BE(at) : -1;
    if (left < FRAME_HEAD || length > MAX_FRAME || at + FRAME_HEAD + length > buf.length) {
      problems.push(`${path}: the last ${left} bytes are an incomplete poll (the recorder was stopped while writing it); replaying up to the poll before`);
      break;
    }
    const body = buf.subarray(at + 8, at + FRAME_HEAD + length);
    if (frameCrc(body) !== buf.readUInt32BE(at + 4)) {
      problems.push(`${path}: damaged data at byte ${at} (checksum mismatch), ${left} bytes ignored; replaying up to the poll before`);
      break;
    }
    const kind = String.fromCharCode(body[0]!) as FrameKind;
    const payload = body.subarray(1);
    if (kind === 'H') {
      let parsed: RecordingHeader;
      try {
        parsed = JSON.parse(payload.toString('utf8')) as RecordingHeader;
      } catch {
        throw new RecordingError(`${path}: its header is not JSON (a damaged file, or not a recording)`);
      }
      if (typeof parsed !== 'object' || parsed === null || typeof parsed.target !== 'string') throw new RecordingError(`${path}: its header names no target`);
      if (parsed.format !== FORMAT_VERSION) throw new RecordingError(`${path} is a recording of format ${String(parsed.format)}; this uwsgitop-ts reads format ${FORMAT_VERSION}`);
      if (!isTime(parsed.startedAtMs)) throw new RecordingError(`${path}: its header's startedAtMs (${String(parsed.startedAtMs)}) is not a time (ms since 1970)`);
      if (typeof parsed.intervalMs !== 'number' || !(parsed.intervalMs >= 1 && parsed.intervalMs <= 86_400_000)) {
        throw new RecordingError(`${path}: its header's intervalMs (${String(parsed.intervalMs)}) is not an interval of 1 ms to 24 h`);
      }
      header ??= parsed;
    } else if (kind === 'K' || kind === 'D') {
      frames.push({ kind, payload });
    } else {
      problems.push(`${path}: unknown frame kind at byte ${at}, the rest ignored`);
      break;
    }
    at += FRAME_HEAD + length;
  }
  return { header, frames };
}

/** The largest time a Date holds (ms since 1970, either way): a record beyond it is damage, not a time. */
const MAX_TIME_MS = 8.64e15;

function isTime(t: unknown): t is number {
  return typeof t === 'number' && Number.isFinite(t) && Math.abs(t) <= MAX_TIME_MS;
}

/** A segment is read whole: larger than this, it is not one this tool wrote (segments are a quarter of --record-max). */
export const MAX_SEGMENT_BYTES = 2 * 1024 ** 3 - 1;

/** A record inflating past this is a crafted file (a deflate bomb), not a stats document (capped at 64 MiB). */
const MAX_RECORD = 128 * 1024 * 1024;

/** The text of one chunk, inflated against the last 32 KiB of its stream. */
function inflate(payload: Buffer, dict: Buffer): Buffer {
  return dict.length > 0 ? inflateRawSync(payload, { dictionary: dict, maxOutputLength: MAX_RECORD }) : inflateRawSync(payload, { maxOutputLength: MAX_RECORD });
}

function slide(dict: Buffer, text: Buffer): Buffer {
  return text.length >= WINDOW ? text.subarray(text.length - WINDOW) : Buffer.concat([dict, text]).subarray(-WINDOW);
}

type RawRecord = { t?: unknown; m?: unknown; d?: unknown; b?: unknown; doc?: unknown; p?: unknown; r?: unknown; err?: unknown; code?: unknown; c?: unknown };

/** Sequential decoding state of one stream: the dictionary and the current document. */
interface Cursor {
  poll: number;
  dict: Buffer;
  doc: JsonValue | undefined;
}

/** One target's recording (every segment of FILE, oldest first), indexed by poll. */
export class Recording {
  readonly polls: RecordedPoll[] = [];
  /** Cut or damaged tails found, one line each (replay goes on without them). */
  readonly problems: string[] = [];
  readonly header: RecordingHeader;
  private readonly refs: PollRef[] = [];
  private readonly segments: Segment[] = [];
  private cursor: Cursor | null = null;

  constructor(readonly file: string, paths: readonly string[]) {
    let firstRefusal: string | null = null;
    for (const path of paths) {
      let scanned: { header: RecordingHeader | null; frames: Frame[] };
      try {
        // Only a regular file, bounded: a FIFO, a device or a 3 GiB file is named and skipped, never waited on.
        scanned = scanFrames(readRegularFileSync(path, { maxBytes: MAX_SEGMENT_BYTES, what: 'recording segment' }), path, this.problems);
      } catch (err) {
        if (!(err instanceof FileInputError || err instanceof RecordingError)) throw err;
        // One damaged segment costs its own polls only: the others play.
        this.problems.push(`${err.message}; skipped`);
        firstRefusal ??= err.message;
        continue;
      }
      const { header, frames } = scanned;
      if (header === null) {
        this.problems.push(`${path}: no header (empty segment), skipped`);
        continue;
      }
      this.segments.push({ path, header, frames });
    }
    if (this.segments.length === 0) throw new RecordingError(firstRefusal ?? `${file}: nothing recorded`);
    this.header = this.segments[this.segments.length - 1]!.header;
    this.index();
  }

  /** Open FILE with its rotated segments (FILE.1, FILE.2, ...). */
  static open(file: string): Recording {
    const paths = listSegments(file, true).map((s) => s.path);
    const strange = strangeSegments(file, true);
    if (paths.length === 0) {
      const self = strange.find((s) => s.path === file || s.path.endsWith(`/${file}`));
      throw new RecordingError(self !== undefined ? `${file} is ${self.kind}, not a recording` : `${file}: no such recording`);
    }
    const recording = new Recording(file, paths);
    for (const s of strange) recording.problems.push(`${s.path} is ${s.kind}, not a recording segment: skipped`);
    return recording;
  }

  /** The target the recording is of. */
  get target(): string {
    return this.header.target;
  }

  /** Decode every frame once to learn the poll times; a stream broken by damage ends that segment. */
  private index(): void {
    this.segments.forEach((seg, s) => {
      let dict: Buffer = Buffer.alloc(0);
      let streamStart = -1;
      let hasDoc = false;
      for (let f = 0; f < seg.frames.length; f++) {
        const frame = seg.frames[f]!;
        if (frame.kind === 'K') {
          dict = Buffer.alloc(0);
          streamStart = this.polls.length;
          hasDoc = false;
        } else if (streamStart < 0) {
          continue;
        }
        let rec: RawRecord;
        let text: Buffer;
        try {
          text = inflate(frame.payload, dict);
          rec = JSON.parse(text.toString('utf8')) as RawRecord;
        } catch {
          this.problems.push(`${seg.path}: poll ${f + 1} cannot be decoded, the rest of this segment ignored`);
          break;
        }
        dict = slide(dict, text);
        let poll: RecordedPoll | null;
        try {
          poll = this.pollOf(rec, hasDoc);
        } catch (err) {
          this.problems.push(`${seg.path}: poll ${f + 1}: ${err instanceof Error ? err.message : String(err)}, the rest of this segment ignored`);
          break;
        }
        if (poll === null) {
          this.problems.push(`${seg.path}: poll ${f + 1} is not a poll record, the rest of this segment ignored`);
          break;
        }
        if (rec.doc !== undefined) hasDoc = true;
        if (typeof rec.m === 'number') poll.mono = this.monotonic(poll.t, rec.m);
        this.polls.push(poll);
        this.refs.push({ segment: s, frame: f, streamStart });
      }
    });
    // Segments are in rotation order; a clock step back is kept as recorded, but polls must be in order to seek.
    for (let i = 1; i < this.polls.length; i++) {
      const prev = this.polls[i - 1]!;
      const cur = this.polls[i]!;
      if (cur.t < prev.t) cur.t = prev.t;
      if (cur.mono < prev.mono) cur.mono = prev.mono;
    }
  }

  private monoOffset = 0;
  private lastTimed: { t: number; mono: number } | null = null;

  /**
   * The recorder's monotonic clock, unchanged within one recording session (rates exactly as live); a later
   * session (a restarted recorder has a new clock) continues from the previous poll by the wall-clock gap.
   */
  private monotonic(t: number, m: number): number {
    const prev = this.lastTimed;
    if (prev !== null && Math.abs(m + this.monoOffset - prev.mono - (t - prev.t)) > 5000) this.monoOffset = prev.mono + (t - prev.t) - m;
    this.lastTimed = { t, mono: m + this.monoOffset };
    return m + this.monoOffset;
  }

  private pollOf(rec: RawRecord, hasDoc: boolean): RecordedPoll | null {
    if (typeof rec !== 'object' || rec === null || typeof rec.t !== 'number') return null;
    if (!isTime(rec.t)) throw new RecordingError(`its time t (${String(rec.t)}) is not a time (ms since 1970)`);
    if (rec.m !== undefined && !(typeof rec.m === 'number' && Number.isFinite(rec.m) && Math.abs(rec.m) <= MAX_TIME_MS)) {
      throw new RecordingError(`its monotonic time m (${String(rec.m)}) is out of range`);
    }
    const commands = Array.isArray(rec.c) ? rec.c.filter((x): x is string => typeof x === 'string') : [];
    if (typeof rec.err === 'string') {
      return { t: rec.t, mono: this.polls.at(-1)?.mono ?? 0, ok: false, error: rec.err, code: typeof rec.code === 'string' ? rec.code : null, durationMs: 0, bytes: 0, repairs: [], commands };
    }
    if (rec.doc === undefined && !(Array.isArray(rec.p) && hasDoc)) return null;
    const repairs = Array.isArray(rec.r) ? rec.r.filter((x): x is string => typeof x === 'string') : [];
    return { t: rec.t, mono: rec.t, ok: true, error: null, code: null, durationMs: typeof rec.d === 'number' ? rec.d : 0, bytes: typeof rec.b === 'number' ? rec.b : 0, repairs, commands };
  }

  /**
   * The document of poll `i` (the last document before it for a failed poll, undefined when none), rebuilt
   * from its stream's keyframe, or from where the previous call left off when moving forward. The value is
   * the reader's own: it changes on the next call.
   */
  documentAt(i: number): JsonValue | undefined {
    if (i < 0 || i >= this.polls.length) throw new RangeError(`poll ${i} is not in the recording`);
    const ref = this.refs[i]!;
    let cur = this.cursor;
    if (cur === null || cur.poll > i || this.refs[cur.poll]!.streamStart !== ref.streamStart) {
      cur = { poll: ref.streamStart - 1, dict: Buffer.alloc(0) as Buffer, doc: undefined };
    }
    try {
      while (cur.poll < i) {
        const next = cur.poll + 1;
        const r = this.refs[next]!;
        const text = inflate(this.segments[r.segment]!.frames[r.frame]!.payload, cur.dict);
        const rec = JSON.parse(text.toString('utf8')) as RawRecord;
        cur.dict = slide(cur.dict, text);
        if (rec.doc !== undefined) cur.doc = rec.doc as JsonValue;
        else if (Array.isArray(rec.p) && cur.doc !== undefined) cur.doc = applyPatch(cur.doc, rec.p as PatchOp[]);
        cur.poll = next;
      }
    } catch (err) {
      // A patch half applied leaves no usable state: the next call starts again from the keyframe.
      this.cursor = null;
      throw err;
    }
    this.cursor = cur;
    return cur.doc;
  }

  /** The index of the last poll at or before `atMs` (-1 when the recording starts later). */
  pollAt(atMs: number): number {
    let lo = 0;
    let hi = this.polls.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.polls[mid]!.t <= atMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
