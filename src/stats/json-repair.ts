/**
 * The slow path for stats replies that are not valid JSON: a byte-level JSON scanner that mends exactly what
 * uWSGI is known to emit (json-repair-defects.ts: raw control bytes, invalid UTF-8, raw quotes and
 * backslashes inside strings, a stray comma before a closing bracket), and reports anything else with its
 * byte offset. Only strings are mended, except the comma.
 */
import { DecodeError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import { Mends, escapeLength, isStrayComma, isWs, quoteEndsValue, utf8Length } from './json-repair-defects.js';

/** The repaired document text and a human-readable line per kind of repair applied. */
export interface RepairResult {
  text: string;
  repairs: string[];
}

// What the scanner expects next, outside strings.
const Expect = { Value: 0, ValueOrClose: 1, Key: 2, KeyOrClose: 3, Colon: 4, CommaOrClose: 5, End: 6 } as const;
type Expect = (typeof Expect)[keyof typeof Expect];

const OBJ = 0;
const ARR = 1;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A short, terminal-safe excerpt of the bytes around `offset`, for error messages. */
function excerptAt(body: Buffer, offset: number, radius = 24): string {
  const start = Math.max(0, offset - radius);
  const end = Math.min(body.length, offset + radius);
  return escapeControls(body.subarray(start, end).toString('utf8'));
}

function describeByte(c: number): string {
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** One pass over the bytes: the JSON grammar, calling on the defects' mends where uWSGI breaks it. */
class Scanner {
  private readonly n: number;
  private readonly stack: number[] = [];
  readonly mends = new Mends();

  constructor(private readonly b: Buffer) {
    this.n = b.length;
  }

  /** Throw the DecodeError for invalid JSON at `at`, naming the offset and showing a safe excerpt. */
  private fail(at: number, reason: string): never {
    const why = at >= this.n ? 'the document ends early' : reason;
    throw new DecodeError(`not a stats document: invalid JSON at byte ${at} (${why}) near "${excerptAt(this.b, at)}"`, at);
  }

  private afterValue(): Expect {
    return this.stack.length === 0 ? Expect.End : Expect.CommaOrClose;
  }

  /** Scan the whole document. */
  document(): void {
    const { b, n } = this;
    let expect: Expect = Expect.Value;
    let i = 0;
    for (;;) {
      while (i < n && isWs(b[i]!)) i++;
      if (i >= n) {
        if (expect === Expect.End) return;
        this.fail(n, 'the document ends early');
      }
      const c = b[i]!;
      switch (expect) {
        case Expect.Value:
        case Expect.ValueOrClose:
          [i, expect] = this.value(i, c, expect === Expect.ValueOrClose);
          break;
        case Expect.Key:
        case Expect.KeyOrClose:
          if (c === 0x22) {
            i = this.string(i, true);
            expect = Expect.Colon;
          } else if (c === 0x7d && expect === Expect.KeyOrClose) {
            this.stack.pop();
            i++;
            expect = this.afterValue();
          } else {
            this.fail(i, `expected a key, got ${describeByte(c)}`);
          }
          break;
        case Expect.Colon:
          if (c !== 0x3a) this.fail(i, `expected ':', got ${describeByte(c)}`);
          i++;
          expect = Expect.Value;
          break;
        case Expect.CommaOrClose:
          [i, expect] = this.commaOrClose(i, c);
          break;
        case Expect.End:
          this.fail(i, `unexpected ${describeByte(c)} after the end of the document`);
      }
    }
  }

  /** A value (or, in an array, its closing bracket) starting with byte `c` at `i`: the next index and expectation. */
  private value(i: number, c: number, mayClose: boolean): [number, Expect] {
    if (c === 0x7b || c === 0x5b) {
      this.stack.push(c === 0x7b ? OBJ : ARR);
      return [i + 1, c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose];
    }
    if (c === 0x5d && mayClose) {
      this.stack.pop();
      return [i + 1, this.afterValue()];
    }
    let end: number;
    if (c === 0x22) end = this.string(i, false);
    else if (c === 0x2d || isDigit(c)) end = this.number(i);
    else if (c === 0x74) end = this.literal(i, 'true');
    else if (c === 0x66) end = this.literal(i, 'false');
    else if (c === 0x6e) end = this.literal(i, 'null');
    else return this.fail(i, `expected a value, got ${describeByte(c)}`);
    return [end, this.afterValue()];
  }

  /** After a value inside a container: its closing bracket, or a comma (a stray one before the bracket is mended). */
  private commaOrClose(i: number, c: number): [number, Expect] {
    const top = this.stack[this.stack.length - 1];
    const close = top === OBJ ? 0x7d : 0x5d;
    if (c === close) {
      this.stack.pop();
      return [i + 1, this.afterValue()];
    }
    if (c !== 0x2c) return this.fail(i, `expected ',' or '${String.fromCharCode(close)}', got ${describeByte(c)}`);
    if (isStrayComma(this.b, i, close)) this.mends.mend('stray-comma', i, c);
    return [i + 1, top === OBJ ? Expect.KeyOrClose : Expect.ValueOrClose];
  }

  /** The string whose opening quote is at `start`: the index after its closing quote, mending what is inside. */
  private string(start: number, isKey: boolean): number {
    const { b, n } = this;
    let j = start + 1;
    for (;;) {
      if (j >= n) return this.fail(n, 'the document ends inside a string');
      const c = b[j]!;
      if (c === 0x22) {
        // Keys are ours (uWSGI's field names): only a value can hold a raw quote.
        if (isKey || quoteEndsValue(b, j, this.stack.length)) return j + 1;
        this.mends.mend('raw-quote', j, c);
        j++;
      } else if (c === 0x5c) {
        if (j + 1 >= n) return this.fail(n, 'the document ends inside a string');
        const len = escapeLength(b, j);
        if (len === 0) this.mends.mend('raw-backslash', j, c);
        j += len === 0 ? 1 : len;
      } else if (c < 0x20) {
        this.mends.mend('control-byte', j, c);
        j++;
      } else if (c < 0x80) {
        j++;
      } else {
        const len = utf8Length(b, j);
        if (len === 0) this.mends.mend('invalid-utf8', j, c);
        j += len === 0 ? 1 : len;
      }
    }
  }

  private number(start: number): number {
    const { b, n } = this;
    const digits = (from: number): number => {
      if (!(from < n && isDigit(b[from]!))) return this.fail(from, 'bad number');
      let j = from;
      while (j < n && isDigit(b[j]!)) j++;
      return j;
    };
    let j = start;
    if (b[j] === 0x2d) j++;
    j = b[j] === 0x30 ? j + 1 : digits(j);
    if (b[j] === 0x2e) j = digits(j + 1);
    if (b[j] === 0x65 || b[j] === 0x45) {
      j++;
      if (b[j] === 0x2b || b[j] === 0x2d) j++;
      j = digits(j);
    }
    return j;
  }

  private literal(start: number, word: string): number {
    for (let k = 0; k < word.length; k++) {
      if (this.b[start + k] !== word.charCodeAt(k)) return this.fail(start + k < this.n ? start : this.n, `unexpected ${describeByte(this.b[start]!)}`);
    }
    return start + word.length;
  }
}

/**
 * Scan `body` as JSON, repairing what uWSGI is known to emit; return valid JSON text.
 * Throws DecodeError naming the byte offset of the first problem that is not a known uWSGI defect.
 */
export function repairJson(body: Buffer): RepairResult {
  const scanner = new Scanner(body);
  scanner.document();
  return { text: scanner.mends.apply(body).toString('utf8'), repairs: scanner.mends.lines() };
}
