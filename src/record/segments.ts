/** Where a recording's pieces live: FILE is the segment being written, FILE.1, FILE.2... the rotated ones (higher is newer). */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface Segment {
  path: string;
  /** Rotation number; the current segment (FILE itself) sorts last. */
  number: number;
  bytes: number;
  mtimeMs: number;
}

/** Every segment of the recording FILE, oldest first (missing files are simply absent). */
export function listSegments(file: string): Segment[] {
  const dir = dirname(file);
  const base = basename(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Segment[] = [];
  for (const name of names) {
    let number: number;
    if (name === base) number = Number.MAX_SAFE_INTEGER;
    else if (name.startsWith(`${base}.`) && /^[0-9]{1,15}$/.test(name.slice(base.length + 1))) number = Number(name.slice(base.length + 1));
    else continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) out.push({ path: join(dir, name), number, bytes: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Rotated away or deleted between the listing and the stat.
    }
  }
  return out.sort((a, b) => a.number - b.number);
}

/** The number the next rotated segment takes (one above every existing one). */
export function nextSegmentNumber(segments: readonly Segment[]): number {
  let max = 0;
  for (const s of segments) if (s.number !== Number.MAX_SAFE_INTEGER && s.number > max) max = s.number;
  return max + 1;
}
