/**
 * Where a recording's pieces live: FILE is the segment being written, FILE.1, FILE.2... the rotated ones
 * (higher is newer). Only regular files are segments: a symbolic link or a FIFO with a segment's name is
 * never read, renamed or removed.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileKind } from '../core/regular-file.js';
import { MAGIC } from './format.js';

export interface Segment {
  path: string;
  /** Rotation number; the current segment (FILE itself) sorts last. */
  number: number;
  bytes: number;
  mtimeMs: number;
}

/** Every segment of the recording FILE, oldest first (missing files are simply absent). */
export function listSegments(file: string, followLinks = false): Segment[] {
  const dir = dirname(file);
  const out: Segment[] = [];
  for (const { name, number } of segmentNames(file)) {
    try {
      // The writer never follows a link (it renames and removes); a reader may, its reads being bounded.
      const st = (followLinks ? statSync : lstatSync)(join(dir, name));
      if (st.isFile()) out.push({ path: join(dir, name), number, bytes: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Rotated away or deleted between the listing and the stat.
    }
  }
  return out.sort((a, b) => a.number - b.number);
}

/** The names of FILE's segments that are not regular files (a FIFO, a link, a directory), with what each is. */
export function strangeSegments(file: string, followLinks = false): Array<{ path: string; kind: string }> {
  const dir = dirname(file);
  const out: Array<{ path: string; kind: string }> = [];
  for (const { name } of segmentNames(file)) {
    try {
      const st = (followLinks ? statSync : lstatSync)(join(dir, name));
      if (!st.isFile()) out.push({ path: join(dir, name), kind: fileKind(st) });
    } catch {
      // Gone between the listing and the lstat.
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Every name in FILE's directory that is FILE or FILE.N, whatever kind of file it is. */
function segmentNames(file: string): Array<{ name: string; number: number }> {
  const base = basename(file);
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [];
  }
  const out: Array<{ name: string; number: number }> = [];
  for (const name of names) {
    if (name === base) out.push({ name, number: Number.MAX_SAFE_INTEGER });
    else if (name.startsWith(`${base}.`) && /^[0-9]{1,15}$/.test(name.slice(base.length + 1))) out.push({ name, number: Number(name.slice(base.length + 1)) });
  }
  return out;
}

/** The number the next rotated segment takes: one above every FILE.N there, whatever its kind, so nothing is renamed over. */
export function nextSegmentNumber(file: string): number {
  let max = 0;
  for (const s of segmentNames(file)) if (s.number !== Number.MAX_SAFE_INTEGER && s.number > max) max = s.number;
  return max + 1;
}

/** Whether `path` is a regular file (not followed if a link) that starts as a recording does. */
export function isRecordingFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(MAGIC);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
