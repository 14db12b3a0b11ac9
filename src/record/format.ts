/**
 * The recording file format, version 1 (docs/recording-format.md): a magic line, then frames. A frame is
 * a 9-byte head (payload length u32 BE, CRC-32 of kind+payload u32 BE, kind byte) and its payload:
 * 'H' a JSON header, 'K' the first chunk of a new raw-deflate stream, 'D' the next chunk of the same stream.
 * Each chunk inflates (it ends with a sync flush) to exactly one JSON record of one poll.
 */
import { crc32 } from 'node:zlib';

export const MAGIC = Buffer.from('UWSGITOP-REC\n', 'latin1');
export const FORMAT_VERSION = 1;
export const FRAME_HEAD = 9;
/** A frame larger than this is damage, not data (a stats document is capped at 64 MiB before compression). */
export const MAX_FRAME = 256 * 1024 * 1024;

export type FrameKind = 'H' | 'K' | 'D';

/** The header frame: what was recorded, by whom, and whether request secrets were kept. */
export interface RecordingHeader {
  format: number;
  tool: string;
  target: string;
  startedAtMs: number;
  intervalMs: number;
  /** True only when recording was started with --show-secrets. */
  secrets: boolean;
}

/**
 * One poll as recorded: the document (whole or as a patch against the previous one) or the failure. `c`: the
 * commands this tool wrote to the target's master FIFO since the previous poll (a chain reload it started
 * owns its first respawn, in replay as live).
 */
export type PollRecord =
  | { t: number; m: number; d: number; b: number; doc: unknown; r?: string[]; c?: string[] }
  | { t: number; m: number; d: number; b: number; p: unknown[]; r?: string[]; c?: string[] }
  | { t: number; err: string; code: string | null; c?: string[] };

/** One frame's bytes: head and payload. */
export function encodeFrame(kind: FrameKind, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out[8] = kind.charCodeAt(0);
  payload.copy(out, FRAME_HEAD);
  out.writeUInt32BE(crc32(out.subarray(8)), 4);
  return out;
}

/** The CRC a frame's head should carry for its kind byte and payload. */
export function frameCrc(kindAndPayload: Buffer): number {
  return crc32(kindAndPayload);
}
