/**
 * The flight recorder's file, without a uWSGI: patches rebuild every document exactly, a recording reads
 * back as written (documents, failures, read times), a cut or damaged tail is reported and the polls before
 * it kept, rotation and the bounds hold, the free-space floor stops recording once, secrets are masked, and
 * the python3 reader in scripts/ reads the same polls without our code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatch, diff, type JsonValue } from '../../src/record/patch.js';
import { RecordingWriter, type WriterOptions } from '../../src/record/writer.js';
import { Recording } from '../../src/record/reader.js';
import { recordingFetch } from '../../src/record/recorder.js';
import { listSegments } from '../../src/record/segments.js';
import { encodeFrame, MAGIC } from '../../src/record/format.js';
import { ReplayMonitor } from '../../src/record/replay-monitor.js';
import { deflateRawSync } from 'node:zlib';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { REPO_ROOT, cleanupAll, tempDir } from '../support/uwsgi.js';
import { SAMPLE_EPOCH_MS, sampleDoc } from '../support/samples.js';

afterAll(cleanupAll);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A run of instance documents as consecutive polls would give: counters moving, a worker respawning, a request coming and going. */
function polls(n: number): JsonValue[] {
  const base = sampleDoc('instance-busy.json');
  const out: JsonValue[] = [];
  for (let i = 0; i < n; i++) {
    const doc = clone(base);
    doc.workers[0].requests += i;
    doc.workers[1].requests += 2 * i;
    doc.load = i % 3;
    if (i % 7 === 3) doc.workers[1].pid = 40_000 + i;
    if (i % 5 === 1) doc.workers[0].cores[0].vars = [];
    if (i % 11 === 4) doc.sockets = [];
    out.push(doc);
  }
  return out;
}

function writer(file: string, extra: Partial<WriterOptions> = {}): RecordingWriter {
  let now = SAMPLE_EPOCH_MS;
  return new RecordingWriter({ file, target: '127.0.0.1:9191', tool: 'test', intervalMs: 1000, secrets: false, now: () => (now += 1000), freeBytes: () => 1e15, ...extra });
}

function allDocs(rec: Recording): Array<JsonValue | undefined> {
  return rec.polls.map((_, i) => clone(rec.documentAt(i)));
}

describe('patches between documents', () => {
  it('rebuild each of a run of real documents exactly, key order included', () => {
    const docs = polls(30);
    let cur: JsonValue = clone(docs[0]!);
    for (let i = 1; i < docs.length; i++) {
      cur = applyPatch(cur, diff(docs[i - 1]!, docs[i]!));
      expect(JSON.stringify(cur)).toBe(JSON.stringify(docs[i]));
    }
  });

  it('turn any of the three kinds of document into another, and arrays that grow or shrink', () => {
    const kinds = ['instance-idle.json', 'emperor.json', 'fastrouter.json', 'instance-paused.json'].map(sampleDoc) as JsonValue[];
    for (const a of kinds) for (const b of kinds) expect(JSON.stringify(applyPatch(clone(a), diff(a, b)))).toBe(JSON.stringify(b));
    expect(applyPatch([1, 2, 3], diff([1, 2, 3], [1]))).toEqual([1]);
    expect(applyPatch([1], diff([1], [1, { a: 2 }, 'x']))).toEqual([1, { a: 2 }, 'x']);
    expect(applyPatch({ a: 1.5 }, diff({ a: 1.5 }, { a: 2.25 }))).toEqual({ a: 2.25 });
    // Keys that are also names on Object.prototype come and go like any other.
    for (const [x, y] of [[{ a: 1 }, { a: 1, constructor: 2 }], [{ toString: 'x', b: 1 }, { b: 1 }]] as Array<[JsonValue, JsonValue]>) {
      expect(JSON.stringify(applyPatch(clone(x), diff(x, y)))).toBe(JSON.stringify(y));
    }
    // The same keys in another order are the same object (uWSGI never reorders; the old order stays).
    expect(applyPatch({ a: 1, b: 2 }, diff({ a: 1, b: 2 }, { b: 3, a: 1 }))).toEqual({ a: 1, b: 3 });
  });

  it('are empty between equal documents', () => {
    const doc = sampleDoc('instance-busy.json') as JsonValue;
    expect(diff(doc, clone(doc))).toEqual([]);
  });
});

describe('a recording', () => {
  it('reads back every document, failure and read time as written, far smaller than the documents', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const docs = polls(40);
    const w = writer(file, { keyframeEvery: 16 });
    const expected: Array<{ t: number; doc?: JsonValue; err?: string }> = [];
    docs.forEach((doc, i) => {
      const t = SAMPLE_EPOCH_MS + i * 1000;
      if (i % 13 === 12) {
        w.failure(t, 'connection refused', 'refused');
        expected.push({ t, err: 'connection refused' });
      }
      w.document(t + 1, 5000 + i, doc, 1.5, 4242, []);
      expected.push({ t: t + 1, doc });
    });
    w.close();
    const rec = Recording.open(file);
    expect(rec.problems).toEqual([]);
    expect(rec.target).toBe('127.0.0.1:9191');
    expect(rec.polls.map((p) => p.t)).toEqual(expected.map((e) => e.t));
    expect(rec.polls.map((p) => p.error)).toEqual(expected.map((e) => e.err ?? null));
    const read = allDocs(rec);
    expected.forEach((e, i) => {
      // A failed poll has no document of its own: the last one before it stands.
      if (e.doc !== undefined) expect(read[i]).toEqual(e.doc);
    });
    const raw = docs.reduce<number>((sum, d) => sum + JSON.stringify(d).length, 0);
    expect(statSync(file).size).toBeLessThan(raw / 10);
  });

  it('seeks back and forth to any poll', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const docs = polls(25);
    const w = writer(file, { keyframeEvery: 7 });
    docs.forEach((d, i) => w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    w.close();
    const rec = Recording.open(file);
    for (const i of [20, 3, 24, 0, 13, 14, 6]) expect(rec.documentAt(i)).toEqual(docs[i]);
    expect(rec.pollAt(SAMPLE_EPOCH_MS + 5500)).toBe(5);
    expect(rec.pollAt(SAMPLE_EPOCH_MS - 1)).toBe(-1);
  });

  it('cut in the middle of a poll (kill -9, power cut) reads up to the last whole poll and says the tail is incomplete', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const w = writer(file);
    polls(10).forEach((d, i) => w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    w.close();
    truncateSync(file, statSync(file).size - 5);
    const rec = Recording.open(file);
    expect(rec.polls).toHaveLength(9);
    expect(rec.problems.join('\n')).toMatch(/incomplete poll/);
    expect(rec.documentAt(8)).toEqual(polls(10)[8]);
  });

  it('with damaged bytes reports where, and keeps the polls before them', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const w = writer(file);
    polls(10).forEach((d, i) => w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    w.close();
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 0xff; // inside the last poll's compressed bytes
    writeFileSync(file, bytes);
    const rec = Recording.open(file);
    expect(rec.polls).toHaveLength(9);
    expect(rec.problems.join('\n')).toMatch(/damaged data at byte \d+/);
  });

  it('that is not one is refused with a one-line error', () => {
    const dir = tempDir();
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello\n');
    expect(() => Recording.open(file)).toThrow(/is not a uwsgitop-ts recording/);
    expect(() => Recording.open(join(dir, 'missing.uwrec'))).toThrow(/no such recording/);
  });
});

describe('bounds', () => {
  it('rotates into numbered segments and drops the oldest, so the whole recording stays under --record-max', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const maxBytes = 16 * 1024;
    const w = writer(file, { maxBytes, keyframeEvery: 4 });
    const docs = polls(200);
    docs.forEach((d, i) => w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    w.close();
    const segments = listSegments(file);
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.reduce((s, x) => s + x.bytes, 0)).toBeLessThanOrEqual(maxBytes);
    expect(w.written).toBeGreaterThan(maxBytes);
    const rec = Recording.open(file);
    expect(rec.problems).toEqual([]);
    // The newest polls are all there, in order; the oldest were dropped.
    expect(rec.polls.at(-1)!.t).toBe(SAMPLE_EPOCH_MS + 199_000);
    expect(rec.polls[0]!.t).toBeGreaterThan(SAMPLE_EPOCH_MS);
    const first = (rec.polls[0]!.t - SAMPLE_EPOCH_MS) / 1000;
    expect(rec.polls.map((p) => p.t)).toEqual(docs.slice(first).map((_, i) => SAMPLE_EPOCH_MS + (first + i) * 1000));
    expect(rec.documentAt(rec.polls.length - 1)).toEqual(docs[199]);
  });

  it('keeps a file an earlier run left as a rotated segment, and replays both runs in order', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const docs = polls(6);
    const first = writer(file);
    docs.slice(0, 3).forEach((d, i) => first.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    // No close: the first recorder was killed (kill -9), its lock left holding a pid that no longer runs.
    writeFileSync(`${file}.lock`, `uwsgitop-ts ${spawnSync('true').pid}\n`);
    const second = writer(file);
    docs.slice(3).forEach((d, i) => second.document(SAMPLE_EPOCH_MS + (3 + i) * 1000, i, d, 1, 1, []));
    second.close();
    expect(readdirSync(dir).sort()).toEqual(['rec.uwrec', 'rec.uwrec.1']);
    expect(allDocs(Recording.open(file))).toEqual(docs);
  });

  it('drops rotated segments older than --record-keep', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const keepMs = 60_000;
    let now = Date.now();
    const w = writer(file, { keepMs, now: () => now });
    const docs = polls(3);
    const write = (n: number): void => {
      for (let i = 0; i < n; i++) w.document((now += 5000), i, docs[i % 3]!, 1, 1, []);
    };
    // Segments end every quarter of the keep time, so old data goes in pieces.
    write(10);
    const aged = listSegments(file).filter((s) => s.number !== Number.MAX_SAFE_INTEGER);
    expect(aged.length).toBeGreaterThan(1);
    // Twice the keep time before the newest segment was written, by the file system's clock (what ages are measured on).
    const newest = Math.max(...aged.map((s) => s.mtimeMs));
    const old = (newest - 2 * keepMs) / 1000;
    for (const s of aged) utimesSync(s.path, old, old);
    write(4);
    w.close();
    const left = listSegments(file).map((s) => s.path);
    for (const s of aged) expect(left).not.toContain(s.path);
    expect(left.length).toBeGreaterThan(1);
    expect(Recording.open(file).polls.at(-1)!.t).toBe(now);
  });

  it('stops recording once, with one message, when the disk has less free space than the floor; what was written stays readable', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    let free = 10 * 1024 ** 3;
    const messages: string[] = [];
    let now = SAMPLE_EPOCH_MS;
    const w = writer(file, { minFreeBytes: 1024 ** 3, freeBytes: () => free, onStop: (m) => messages.push(m), now: () => (now += 6000) });
    const docs = polls(10);
    docs.slice(0, 4).forEach((d, i) => w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []));
    free = 100 * 1024 ** 2;
    docs.slice(4).forEach((d, i) => w.document(SAMPLE_EPOCH_MS + (4 + i) * 1000, i, d, 1, 1, []));
    w.failure(SAMPLE_EPOCH_MS + 20_000, 'refused', 'refused');
    expect(w.recording).toBe(false);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/recording to .* stopped: 100 MiB free .* below the floor of 1\.0 GiB \(--record-min-free\); monitoring goes on/);
    expect(allDocs(Recording.open(file))).toEqual(docs.slice(0, 4));
  });
});

describe('secrets', () => {
  function requestDoc(): JsonValue {
    const doc = sampleDoc('instance-busy.json');
    const core = doc.workers[0].cores[0];
    core.in_request = 1;
    core.vars = ['REQUEST_METHOD=GET', 'REQUEST_URI=/login?user=ann&token=abc123', 'QUERY_STRING=user=ann&token=abc123', 'HTTP_COOKIE=sessionid=SECRET123', 'HTTP_HOST=example.org', ''];
    return doc;
  }

  async function recordOne(showSecrets: boolean): Promise<string> {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const w = writer(file, { secrets: showSecrets });
    const doc = requestDoc();
    const snapshot = { readAtMs: SAMPLE_EPOCH_MS, monotonicMs: 1, durationMs: 1, bytes: 10, repairs: [] } as unknown as Snapshot;
    const fetch = recordingFetch({ name: 't', fetch: async (_signal, observe) => (observe?.(doc, snapshot), snapshot) }, w, showSecrets);
    await fetch(new AbortController().signal);
    w.close();
    return JSON.stringify(Recording.open(file).documentAt(0));
  }

  it('are masked in the recording unless it was started with --show-secrets', async () => {
    const masked = await recordOne(false);
    expect(masked).not.toContain('SECRET123');
    expect(masked).not.toContain('abc123');
    expect(masked).toContain('HTTP_COOKIE=[hidden: 19 chars]');
    expect(masked).toContain('HTTP_HOST=example.org');
    expect(masked).toContain('user=ann');
    const kept = await recordOne(true);
    expect(kept).toContain('HTTP_COOKIE=sessionid=SECRET123');
  });
});

describe('the python3 reader in scripts/', () => {
  it('reads the same polls without uwsgitop-ts, and reports a cut tail', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const docs = polls(30);
    const w = writer(file, { keyframeEvery: 9 });
    docs.forEach((d, i) => {
      if (i === 10) w.failure(SAMPLE_EPOCH_MS + i * 1000 - 500, 'read timed out after 3 s', 'timeout');
      w.document(SAMPLE_EPOCH_MS + i * 1000, i, d, 1, 1, []);
    });
    w.close();
    appendFileSync(file, Buffer.from([0, 0, 1, 0, 9, 9]));
    const out = execFileSync('python3', [join(REPO_ROOT, 'scripts', 'read-recording.py'), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { t: number; doc?: JsonValue; err?: string });
    expect(lines).toHaveLength(31);
    expect(lines[10]).toEqual({ t: SAMPLE_EPOCH_MS + 9500, err: 'read timed out after 3 s', code: 'timeout' });
    const good = lines.filter((l) => l.doc !== undefined);
    expect(good.map((l) => l.t)).toEqual(docs.map((_, i) => SAMPLE_EPOCH_MS + i * 1000));
    expect(good.map((l) => l.doc)).toEqual(docs);
  });
});

describe('a crafted recording', () => {
  it('keeps a document key named __proto__ a plain key, and leaves Object.prototype alone', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const w = writer(file);
    const first = JSON.parse('{"workers": [], "__proto__": {"polluted": 1}}') as JsonValue;
    const second = JSON.parse('{"workers": [], "__proto__": {"polluted": 2}}') as JsonValue;
    w.document(SAMPLE_EPOCH_MS, 1, first, 1, 1, []);
    w.document(SAMPLE_EPOCH_MS + 1000, 2, second, 1, 1, []);
    w.close();
    const rec = Recording.open(file);
    expect(JSON.stringify(rec.documentAt(1))).toBe(JSON.stringify(second));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('with a patch that does not fit its document replays that poll as unreadable, one line, and goes on', () => {
    const dir = tempDir();
    const file = join(dir, 'rec.uwrec');
    const header = { format: 1, tool: 'test', target: 't', startedAtMs: SAMPLE_EPOCH_MS, intervalMs: 1000, secrets: false };
    const doc = sampleDoc('instance-idle.json');
    const texts = [
      JSON.stringify({ t: SAMPLE_EPOCH_MS, m: 0, d: 1, b: 1, doc }),
      JSON.stringify({ t: SAMPLE_EPOCH_MS + 1000, m: 1000, d: 1, b: 1, p: [[0, ['workers', 99, 'pid'], 1]] }),
      JSON.stringify({ t: SAMPLE_EPOCH_MS + 2000, m: 2000, d: 1, b: 1, p: [] }),
    ].map((t) => Buffer.from(t));
    const frames = [MAGIC, encodeFrame('H', Buffer.from(JSON.stringify(header)))];
    let dict = Buffer.alloc(0);
    texts.forEach((text, i) => {
      frames.push(encodeFrame(i === 0 ? 'K' : 'D', i === 0 ? deflateRawSync(text) : deflateRawSync(text, { dictionary: dict })));
      dict = Buffer.concat([dict, text]).subarray(-32 * 1024);
    });
    writeFileSync(file, Buffer.concat(frames));
    const monitor = new ReplayMonitor(Recording.open(file));
    const updates = monitor.seek(SAMPLE_EPOCH_MS + 2000);
    expect(updates.map((u) => u.error)).toEqual([null, expect.stringMatching(/^recorded document unreadable: bad patch: path .* does not exist$/), expect.stringMatching(/^recorded document unreadable/)]);
  });
});
