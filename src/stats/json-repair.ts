/**
 * The slow path for stats replies that are not valid JSON: a byte-level JSON scanner that repairs exactly
 * what uWSGI is known to emit, and reports anything else with its byte offset.
 *
 * Repairs (only inside strings, except the comma):
 * - raw control bytes 0x00-0x1f become `\u00XX` escapes, so the parsed string keeps the byte as a character
 *   (the views escape it for display later);
 * - every byte that is not part of a valid UTF-8 sequence becomes U+FFFD (the replacement character). We
 *   chose U+FFFD over a visible `\xHH` text because such text cannot be told apart from a client that sent
 *   the four characters `\xHH` itself, while U+FFFD is the standard, unambiguous mark of an undecodable byte;
 * - a stray comma before a closing bracket (`"a",\n\n\t]`, seen in router stats) is dropped;
 * - a backslash that starts no valid escape, and a quote that cannot end a value string (what follows it is
 *   not ',', '}' or ']'), are escaped: the emperor writes vassal ids (file names) raw, so a
 *   vassal file named `ev"il.ini` or `a\x.ini` would otherwise make the emperor unreadable for good.
 */
import { DecodeError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';

/** The repaired document text and a human-readable line per kind of repair applied. */
export interface RepairResult {
  text: string;
  repairs: string[];
}

interface Edit {
  at: number;
  remove: number;
  insert: Buffer;
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);
const EMPTY = Buffer.alloc(0);
const BACKSLASH = Buffer.from('\\');
const HEX = '0123456789abcdef';

// What the scanner expects next, outside strings.
const Expect = { Value: 0, ValueOrClose: 1, Key: 2, KeyOrClose: 3, Colon: 4, CommaOrClose: 5, End: 6 } as const;
type Expect = (typeof Expect)[keyof typeof Expect];

const OBJ = 0;
const ARR = 1;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Length of the valid UTF-8 sequence starting at `i` (lead byte >= 0x80), or 0 when it is not valid. */
function utf8Length(b: Buffer, i: number): number {
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

/** A short, terminal-safe excerpt of the bytes around `offset`, for error messages. */
export function excerptAt(body: Buffer, offset: number, radius = 24): string {
  const start = Math.max(0, offset - radius);
  const end = Math.min(body.length, offset + radius);
  return escapeControls(body.subarray(start, end).toString('utf8'));
}

/** The DecodeError for invalid JSON at `offset`, naming the offset and showing a safe excerpt. */
export function invalidJsonError(body: Buffer, offset: number, reason: string): DecodeError {
  return new DecodeError(
    `not a stats document: invalid JSON at byte ${offset} (${reason}) near "${excerptAt(body, offset)}"`,
    offset,
  );
}

function describeByte(c: number): string {
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Scan `body` as JSON, repairing what uWSGI is known to emit; return valid JSON text.
 * Throws DecodeError naming the byte offset of the first problem that is not a known uWSGI defect.
 */
export function repairJson(body: Buffer): RepairResult {
  const b = body;
  const n = b.length;
  const edits: Edit[] = [];
  let controls = 0;
  let invalidUtf8 = 0;
  let commas = 0;
  let rawQuotes = 0;
  let rawBackslashes = 0;
  const stack: number[] = [];
  let expect: Expect = Expect.Value;
  let i = 0;

  const fail = (at: number, reason: string): never => {
    throw invalidJsonError(body, at, at >= n ? 'the document ends early' : reason);
  };

  // Can the quote at `q` end a value string? Only if what follows fits the grammar: ',', '}', ']' or the end.
  const endsString = (q: number): boolean => {
    let k = q + 1;
    while (k < n && isWs(b[k]!)) k++;
    if (k >= n) return stack.length === 0;
    const next = b[k]!;
    return next === 0x2c || next === 0x7d || next === 0x5d;
  };

  // Scan the string whose opening quote is at `start`; return the index after its closing quote.
  const scanString = (start: number, isKey: boolean): number => {
    let j = start + 1;
    for (;;) {
      if (j >= n) return fail(n, 'the document ends inside a string');
      const c = b[j]!;
      if (c === 0x22) {
        // Keys are ours (uWSGI's field names): only a value can hold a raw quote.
        if (isKey || endsString(j)) return j + 1;
        edits.push({ at: j, remove: 0, insert: BACKSLASH });
        rawQuotes++;
        j++;
        continue;
      }
      if (c === 0x5c) {
        const e = b[j + 1];
        if (e === undefined) return fail(n, 'the document ends inside a string');
        let hex = e === 0x75;
        for (let k = 2; hex && k < 6; k++) hex = j + k < n && isHex(b[j + k]!);
        if (hex) {
          j += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          j += 2;
        } else {
          // A raw backslash (e.g. in a vassal file name): keep it as a character.
          edits.push({ at: j, remove: 0, insert: BACKSLASH });
          rawBackslashes++;
          j++;
        }
      } else if (c < 0x20) {
        edits.push({ at: j, remove: 1, insert: Buffer.from(`\\u00${HEX[c >> 4]}${HEX[c & 15]}`, 'latin1') });
        controls++;
        j++;
      } else if (c < 0x80) {
        j++;
      } else {
        const len = utf8Length(b, j);
        if (len > 0) {
          j += len;
        } else {
          edits.push({ at: j, remove: 1, insert: REPLACEMENT });
          invalidUtf8++;
          j++;
        }
      }
    }
  };

  const scanNumber = (start: number): number => {
    let j = start;
    if (b[j] === 0x2d) j++;
    if (b[j] === 0x30) j++;
    else if (j < n && isDigit(b[j]!)) while (j < n && isDigit(b[j]!)) j++;
    else return fail(j, 'bad number');
    if (b[j] === 0x2e) {
      j++;
      if (!(j < n && isDigit(b[j]!))) return fail(j, 'bad number');
      while (j < n && isDigit(b[j]!)) j++;
    }
    if (b[j] === 0x65 || b[j] === 0x45) {
      j++;
      if (b[j] === 0x2b || b[j] === 0x2d) j++;
      if (!(j < n && isDigit(b[j]!))) return fail(j, 'bad number');
      while (j < n && isDigit(b[j]!)) j++;
    }
    return j;
  };

  const scanLiteral = (start: number, word: string): number => {
    for (let k = 0; k < word.length; k++) {
      if (b[start + k] !== word.charCodeAt(k)) return fail(start + k < n ? start : n, `unexpected ${describeByte(b[start]!)}`);
    }
    return start + word.length;
  };

  const afterValue = (): Expect => (stack.length === 0 ? Expect.End : Expect.CommaOrClose);

  for (;;) {
    while (i < n && isWs(b[i]!)) i++;
    if (i >= n) {
      if (expect === Expect.End) break;
      fail(n, 'the document ends early');
    }
    const c = b[i]!;
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrClose:
        if (c === 0x7b) {
          stack.push(OBJ);
          expect = Expect.KeyOrClose;
          i++;
        } else if (c === 0x5b) {
          stack.push(ARR);
          expect = Expect.ValueOrClose;
          i++;
        } else if (c === 0x22) {
          i = scanString(i, false);
          expect = afterValue();
        } else if (c === 0x2d || isDigit(c)) {
          i = scanNumber(i);
          expect = afterValue();
        } else if (c === 0x74) {
          i = scanLiteral(i, 'true');
          expect = afterValue();
        } else if (c === 0x66) {
          i = scanLiteral(i, 'false');
          expect = afterValue();
        } else if (c === 0x6e) {
          i = scanLiteral(i, 'null');
          expect = afterValue();
        } else if (c === 0x5d && expect === Expect.ValueOrClose) {
          stack.pop();
          i++;
          expect = afterValue();
        } else {
          fail(i, `expected a value, got ${describeByte(c)}`);
        }
        break;
      case Expect.Key:
      case Expect.KeyOrClose:
        if (c === 0x22) {
          i = scanString(i, true);
          expect = Expect.Colon;
        } else if (c === 0x7d && expect === Expect.KeyOrClose) {
          stack.pop();
          i++;
          expect = afterValue();
        } else {
          fail(i, `expected a key, got ${describeByte(c)}`);
        }
        break;
      case Expect.Colon:
        if (c !== 0x3a) fail(i, `expected ':', got ${describeByte(c)}`);
        i++;
        expect = Expect.Value;
        break;
      case Expect.CommaOrClose: {
        const top = stack[stack.length - 1];
        const close = top === OBJ ? 0x7d : 0x5d;
        if (c === close) {
          stack.pop();
          i++;
          expect = afterValue();
        } else if (c === 0x2c) {
          let k = i + 1;
          while (k < n && isWs(b[k]!)) k++;
          if (b[k] === close) {
            // uWSGI's stray comma before a closing bracket: drop it.
            edits.push({ at: i, remove: 1, insert: EMPTY });
            commas++;
          }
          i++;
          expect = top === OBJ ? Expect.KeyOrClose : Expect.ValueOrClose;
        } else {
          fail(i, `expected ',' or '${String.fromCharCode(close)}', got ${describeByte(c)}`);
        }
        break;
      }
      case Expect.End:
        fail(i, `unexpected ${describeByte(c)} after the end of the document`);
    }
  }

  const repairs: string[] = [];
  if (controls > 0) repairs.push(`escaped ${plural(controls, 'control byte', 'control bytes')} in strings`);
  if (invalidUtf8 > 0) repairs.push(`replaced ${plural(invalidUtf8, 'invalid UTF-8 byte', 'invalid UTF-8 bytes')} with U+FFFD`);
  if (rawQuotes > 0) repairs.push(`escaped ${plural(rawQuotes, 'raw quote', 'raw quotes')} inside strings`);
  if (rawBackslashes > 0) repairs.push(`escaped ${plural(rawBackslashes, 'raw backslash', 'raw backslashes')} inside strings`);
  if (commas > 0) repairs.push(`removed ${plural(commas, 'stray comma', 'stray commas')} before a closing bracket`);
  return { text: applyEdits(body, edits).toString('utf8'), repairs };
}

// Edits are recorded in increasing offset order, so one pass rebuilds the bytes.
function applyEdits(body: Buffer, edits: Edit[]): Buffer {
  if (edits.length === 0) return body;
  const parts: Buffer[] = [];
  let pos = 0;
  for (const e of edits) {
    parts.push(body.subarray(pos, e.at), e.insert);
    pos = e.at + e.remove;
  }
  parts.push(body.subarray(pos));
  return Buffer.concat(parts);
}
