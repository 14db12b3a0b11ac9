// @module-tag calendar
/** The invalid JSON uWSGI really emits is repaired (and said so); anything else is a DecodeError with its byte offset. */
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/core/errors.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { InstanceSnapshot, RouterSnapshot } from '../../src/stats/snapshot.js';
import { escapeControls } from '../../src/core/safe-text.js';
import { meta, sampleBytes, sampleJson } from '../support/decode-fixtures.js';

function decodeError(body: Buffer): DecodeError {
  try {
    decodeSnapshot(body, meta());
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('decodeSnapshot accepted the body');
}

/** Replace the first occurrence of `find` in `buf` with `repl` (both byte sequences). */
function replaceBytes(buf: Buffer, find: string | Buffer, repl: Buffer | string): Buffer {
  const at = buf.indexOf(find);
  expect(at).toBeGreaterThanOrEqual(0);
  const f = Buffer.from(find);
  return Buffer.concat([buf.subarray(0, at), Buffer.from(repl), buf.subarray(at + f.length)]);
}

describe('instance-control-bytes.raw (a real document made invalid by one request)', () => {
  const raw = sampleBytes('instance-control-bytes.raw');

  it('is not valid JSON as sent', () => {
    expect(() => JSON.parse(raw.toString('utf8'))).toThrow();
  });

  it('decodes, says how many control bytes it escaped, and the bytes survive as characters', () => {
    const snap = decodeSnapshot(raw, meta()) as InstanceSnapshot;
    expect(snap.kind).toBe('instance');
    expect(snap.bytes).toBe(raw.length);
    // Control bytes uWSGI did not escape: everything below 0x20 except the \t and \n of its layout.
    const controls = [...raw].filter((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d).length;
    expect(controls).toBeGreaterThan(0);
    expect(snap.repairs).toEqual([`escaped ${controls} control bytes in strings`]);
    const r = snap.doc.workers.flatMap((w) => w.inFlight)[0]!;
    // The sample's request: GET /slow?q=a"b\c ESC[31mRED BEL, user agent evil" ESC]0;pwned BEL.
    expect(r.uri).toBe('/slow?q=a"b\\c\u001b[31mRED\u0007');
    expect(r.query).toBe('q=a"b\\c\u001b[31mRED\u0007');
    expect(r.vars.find(([k]) => k === 'HTTP_USER_AGENT')![1]).toBe('evil"\u001b]0;pwned\u0007');
    // And the views' escaping makes them visible rather than live.
    // (the backslash is escaped too, so the real ESC's \x1b cannot be confused with typed text)
    expect(escapeControls(r.uri)).toBe('/slow?q=a"b\\\\c\\x1b[31mRED\\x07');
    expect(snap.warnings).toEqual([]);
  });
});

describe('repairs on edited copies', () => {
  it('bytes that are not UTF-8 inside strings become U+FFFD, valid multi-byte characters are kept', () => {
    const json = sampleJson('instance-busy.json');
    const ua = json.workers.flatMap((w: any) => w.cores).find((c: any) => c.in_request === 1).vars.find((v: string) => v.startsWith('HTTP_USER_AGENT='));
    const bad = Buffer.concat([Buffer.from('HTTP_USER_AGENT=x'), Buffer.from([0xff, 0xc3, 0xa9, 0xe2, 0x82]), Buffer.from('y')]);
    const body = replaceBytes(sampleBytes('instance-busy.json'), ua, bad);
    const snap = decodeSnapshot(body, meta()) as InstanceSnapshot;
    expect(snap.repairs).toEqual(['replaced 3 invalid UTF-8 bytes with U+FFFD']);
    const r = snap.doc.workers.flatMap((w) => w.inFlight)[0]!;
    expect(r.vars.find(([k]) => k === 'HTTP_USER_AGENT')![1]).toBe('x\ufffd\u00e9\ufffd\ufffdy');
    expect(snap.bytes).toBe(body.length);
  });

  it('valid UTF-8 text takes the fast path with no repair noted', () => {
    const body = replaceBytes(sampleBytes('instance-busy.json'), 'curl/8', 'café ☕ 😀');
    const snap = decodeSnapshot(body, meta()) as InstanceSnapshot;
    expect(snap.repairs).toEqual([]);
    expect(snap.doc.workers.flatMap((w) => w.inFlight)[0]!.vars.find(([k]) => k === 'HTTP_USER_AGENT')![1]).toBe('café ☕ 😀');
  });

  it("the router list's stray comma is dropped", () => {
    const json = sampleJson('fastrouter.json');
    const last = json.fastrouter[json.fastrouter.length - 1];
    const body = replaceBytes(sampleBytes('fastrouter.json'), `"${last}"\n`, `"${last}",\n\n`);
    expect(() => JSON.parse(body.toString('utf8'))).toThrow();
    const snap = decodeSnapshot(body, meta()) as RouterSnapshot;
    expect(snap.kind).toBe('router');
    expect(snap.repairs).toEqual(['removed 1 stray comma before a closing bracket']);
    expect(snap.doc.routerSockets).toEqual(json.fastrouter);
    expect(snap.doc.subscriptions).toHaveLength(json.subscriptions.length);
  });

  it('several defects in one document are all repaired and all listed', () => {
    let body = replaceBytes(sampleBytes('instance-busy.json'), 'curl/8', Buffer.from([0x63, 0x1b, 0x07, 0xfe]));
    body = replaceBytes(body, '"can_offload":0\n\t\t}\n\t]', '"can_offload":0\n\t\t},\n\t]');
    const snap = decodeSnapshot(body, meta()) as InstanceSnapshot;
    expect(snap.repairs).toEqual([
      'escaped 2 control bytes in strings',
      'replaced 1 invalid UTF-8 byte with U+FFFD',
      'removed 1 stray comma before a closing bracket',
    ]);
    expect(snap.doc.workers.flatMap((w) => w.inFlight)[0]!.vars.find(([k]) => k === 'HTTP_USER_AGENT')![1]).toBe(
      'c\u001b\u0007\ufffd',
    );
    expect(snap.doc.sockets).toHaveLength(sampleJson('instance-busy.json').sockets.length);
  });
});

describe('not a stats document', () => {
  it('garbage: DecodeError at byte 0 with the excerpt', () => {
    const err = decodeError(Buffer.from('hello world'));
    expect(err.offset).toBe(0);
    expect(err.message).toMatch(/^not a stats document: invalid JSON at byte 0 /);
    expect(err.message).toContain('near "hello world"');
  });

  it('a truncated document: DecodeError at the byte where it ends', () => {
    const full = sampleBytes('instance-idle.json');
    const cut = full.subarray(0, 5000);
    const err = decodeError(cut);
    expect(err.offset).toBe(5000);
    expect(err.message).toContain('invalid JSON at byte 5000');
    expect(err.message).toContain('ends');
  });

  it('a control byte outside strings is not repaired: located exactly, and the excerpt shows it escaped', () => {
    const full = sampleBytes('instance-idle.json');
    const at = full.indexOf('\t"pid":'); // a tab of uWSGI's layout, between two keys
    const body = Buffer.from(full);
    body[at] = 0x1b;
    const err = decodeError(body);
    expect(err.offset).toBe(at);
    expect(err.message).toContain(`invalid JSON at byte ${at}`);
    expect(err.message).not.toContain('\u001b');
    expect(err.message).toContain('\\x1b"pid"');
  });

  it('a bad byte outside strings with nothing else wrong', () => {
    const full = sampleBytes('instance-idle.json');
    const at = full.indexOf('"load":') + 6;
    const body = Buffer.from(full);
    body[at] = 0x3b; // ';' instead of ':'
    const err = decodeError(body);
    expect(err.offset).toBe(at);
    expect(err.message).toContain("expected ':'");
  });

  it('an empty reply', () => {
    const err = decodeError(Buffer.alloc(0));
    expect(err.offset).toBe(0);
    expect(err.message).toContain('invalid JSON at byte 0');
  });

  for (const text of ['[1,2,3]', '[]', '"stats"', '42', 'null', 'true']) {
    it(`valid JSON that is not an object (${text})`, () => {
      const err = decodeError(Buffer.from(text));
      expect(err.message).toMatch(/^not a stats document: the reply is a JSON \w+, not an object$/);
    });
  }

  for (const text of ['{}', '{"hello":"world"}', '{"version":"2.0.21","pid":1}']) {
    it(`an object without workers, vassals or router sockets (${text})`, () => {
      const err = decodeError(Buffer.from(text));
      expect(err.message).toMatch(/^not a stats document: no workers, vassals or router sockets/);
    });
  }

  it('keys shown in the error are made safe', () => {
    const err = decodeError(Buffer.from('{"\\u001b[2Jevil":1}'));
    expect(err.message).not.toContain('\u001b');
    expect(err.message).toContain('\\x1b[2Jevil');
  });
});

describe('hostile bytes never crash the decoder', () => {
  it('400 seeded random corruptions of real samples: each gives a snapshot or a one-line DecodeError', () => {
    let seed = 20251121;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const samples = ['instance-busy.json', 'emperor.json', 'fastrouter.json', 'instance-control-bytes.raw'].map(sampleBytes);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const src = samples[i % samples.length]!;
      const body = Buffer.from(src);
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) body[rand(body.length)] = rand(256);
      const cut = i % 5 === 0 ? body.subarray(0, rand(body.length)) : body;
      try {
        const snap = decodeSnapshot(cut, meta());
        expect(snap.bytes).toBe(cut.length);
        decoded++;
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        const message = (err as DecodeError).message;
        expect(message).toMatch(/^not a stats document: /);
        // Safe to print: no control characters, one line.
        // No control, C1 or bidi character reaches the one-line message.
        expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        rejected++;
      }
    }
    // Both outcomes happen, so the loop exercised the repair and the rejection paths.
    expect(decoded).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
