/**
 * The defects uWSGI is known to put in its JSON, one entry each: how the scanner recognises it, what it puts
 * in place of the bytes, and the line that reports how many were mended. Edits are kept in offset order, so
 * one pass rebuilds the document.
 */
import { plural } from '../core/units.js';

/** A defect the scanner mends. */
export type Defect = 'control-byte' | 'invalid-utf8' | 'raw-quote' | 'raw-backslash' | 'stray-comma';

interface Edit {
  at: number;
  remove: number;
  insert: Buffer;
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);
const EMPTY = Buffer.alloc(0);
const BACKSLASH = Buffer.from('\\');
const HEX = '0123456789abcdef';

/** How each defect is mended (bytes removed at the offset, bytes put there) and reported; in report order. */
const MENDS: Record<Defect, { remove: number; insert: (byte: number) => Buffer; report: (count: number) => string }> = {
  // A raw control byte 0x00-0x1f inside a string becomes a \u00XX escape: the parsed string keeps the byte as a
  // character, and the views escape it for display later.
  'control-byte': {
    remove: 1,
    insert: (c) => Buffer.from(`\\u00${HEX[c >> 4]}${HEX[c & 15]}`, 'latin1'),
    report: (n) => `escaped ${plural(n, 'control byte', 'control bytes')} in strings`,
  },
  // U+FFFD rather than a visible `\xHH`: such text cannot be told apart from a client that sent those four
  // characters itself, while U+FFFD is the standard, unambiguous mark of an undecodable byte.
  'invalid-utf8': {
    remove: 1,
    insert: () => REPLACEMENT,
    report: (n) => `replaced ${plural(n, 'invalid UTF-8 byte', 'invalid UTF-8 bytes')} with U+FFFD`,
  },
  // The emperor writes vassal ids (file names) raw: a file named `ev"il.ini` would make it unreadable for good.
  'raw-quote': { remove: 0, insert: () => BACKSLASH, report: (n) => `escaped ${plural(n, 'raw quote', 'raw quotes')} inside strings` },
  // Same for `a\x.ini`: a backslash that starts no valid escape is kept as a character.
  'raw-backslash': { remove: 0, insert: () => BACKSLASH, report: (n) => `escaped ${plural(n, 'raw backslash', 'raw backslashes')} inside strings` },
  // Router stats end some lists with `"a",\n\n\t]`: the comma is dropped.
  'stray-comma': { remove: 1, insert: () => EMPTY, report: (n) => `removed ${plural(n, 'stray comma', 'stray commas')} before a closing bracket` },
};

/** The mends found by one scan: the edits to make and how many of each defect. */
export class Mends {
  private readonly edits: Edit[] = [];
  private readonly counts = new Map<Defect, number>();

  /** Mend `defect` at byte `at` (whose value is `byte`). Calls must come in increasing offset order. */
  mend(defect: Defect, at: number, byte: number): void {
    const how = MENDS[defect];
    this.edits.push({ at, remove: how.remove, insert: how.insert(byte) });
    this.counts.set(defect, (this.counts.get(defect) ?? 0) + 1);
  }

  /** One human-readable line per kind of defect mended, in a fixed order. */
  lines(): string[] {
    return (Object.keys(MENDS) as Defect[]).filter((d) => this.counts.has(d)).map((d) => MENDS[d].report(this.counts.get(d)!));
  }

  /** The body with every mend applied (the body itself when there is none). */
  apply(body: Buffer): Buffer {
    if (this.edits.length === 0) return body;
    const parts: Buffer[] = [];
    let pos = 0;
    for (const e of this.edits) {
      parts.push(body.subarray(pos, e.at), e.insert);
      pos = e.at + e.remove;
    }
    parts.push(body.subarray(pos));
    return Buffer.concat(parts);
  }
}

/** JSON whitespace. */
export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Length of the valid UTF-8 sequence starting at `i` (lead byte >= 0x80), or 0 when it is not valid ('invalid-utf8'). */
export function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = b.length;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < n && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no UTF-16 surrogates
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Length of the valid escape whose backslash is at `j` (2 or 6), or 0 for a raw backslash ('raw-backslash'). */
export function escapeLength(b: Buffer, j: number): number {
  const e = b[j + 1];
  if (e === 0x75) {
    for (let k = 2; k < 6; k++) if (!(j + k < b.length && isHex(b[j + k]!))) return 0;
    return 6;
  }
  return e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74 ? 2 : 0;
}

/**
 * Can the quote at `q` end a value string? Only if what follows fits the grammar: ',', '}', ']', or the end
 * of the document when no container is open (`depth` 0). Otherwise it is a 'raw-quote'.
 */
export function quoteEndsValue(b: Buffer, q: number, depth: number): boolean {
  let k = q + 1;
  while (k < b.length && isWs(b[k]!)) k++;
  if (k >= b.length) return depth === 0;
  const next = b[k]!;
  return next === 0x2c || next === 0x7d || next === 0x5d;
}

/** True when the comma at `i` is followed (after whitespace) by `close`: a 'stray-comma'. */
export function isStrayComma(b: Buffer, i: number, close: number): boolean {
  let k = i + 1;
  while (k < b.length && isWs(b[k]!)) k++;
  return b[k] === close;
}
