/**
 * scripts/capture-samples.sh against real uWSGI: each document it captures has the shape of the committed
 * fixture of the same name (so a recapture gives the suite the same kind of input), read by the project's decoder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { InstanceDocument, Snapshot } from '../../src/stats/snapshot.js';
import { meta } from '../support/decode-fixtures.js';
import { REPO_ROOT, uwsgiBinary } from '../support/uwsgi.js';
import { SAMPLES } from '../support/samples.js';

const SCRIPT = join(REPO_ROOT, 'scripts', 'capture-samples.sh');
const NAMES = [
  'emperor.json', 'fastrouter.json', 'instance-busy.json', 'instance-idle.json', 'instance-paused.json',
  'instance-control-bytes.raw', 'legion-lord.json', 'legion-member.json', 'stats-http-response.raw',
];

let outDir = '';
let scriptOutput = '';
const fixture = (name: string): Buffer => readFileSync(join(SAMPLES, name));
const captured = (name: string): Buffer => readFileSync(join(outDir, name));
const decode = (body: Buffer): Snapshot => decodeSnapshot(body, meta());

/** The instance document of a capture (fails the test for any other kind). */
function instanceDoc(body: Buffer): InstanceDocument {
  const snap = decode(body);
  if (snap.kind !== 'instance') throw new Error(`expected an instance document, got ${snap.kind}`);
  return snap.doc;
}

/** What a recapture must keep of an instance document: layout, statuses, the request in flight, not the counters. */
function instanceShape(doc: InstanceDocument) {
  return {
    version: doc.version,
    workers: doc.workers.length,
    coresPerWorker: doc.workers.map((w) => w.cores?.length ?? null),
    statuses: doc.workers.map((w) => w.status).sort(),
    inFlight: doc.workers.flatMap((w) => w.inFlight).map((r) => ({ method: r.method, host: r.host, uri: r.uri, query: r.query, vars: r.vars.map(([k]) => k) })),
    userAgents: doc.workers.flatMap((w) => w.inFlight).map((r) => r.vars.find(([k]) => k === 'HTTP_USER_AGENT')?.[1]),
    caches: doc.caches.map((c) => ({ name: c.name, maxItems: c.maxItems })),
    metrics: doc.metrics.length,
    memoryReport: doc.workers.some((w) => w.rssBytes > 0),
    sockets: doc.sockets.map((s) => s.proto),
    locks: doc.locks.map((l) => l.name),
    legions: doc.legions.map((l) => ({ legion: l.legion, valor: l.valor, lord: l.iAmTheLord > 0, lordValor: l.lordValor, nodes: l.nodes.length, members: l.members.map((m) => m.valor).sort() })),
  };
}

/** The shape of any sample: its kind, the repairs decoding needed, and the kind's own shape. */
function shape(body: Buffer) {
  const snap = decode(body);
  const base = { kind: snap.kind, opening: body.subarray(0, 16).toString('latin1'), repairs: snap.repairs, warnings: snap.warnings };
  if (snap.kind === 'instance') return { ...base, ...instanceShape(snap.doc) };
  if (snap.kind === 'emperor') {
    const v = snap.doc.vassals;
    return { ...base, dirs: snap.doc.emperor.length, vassals: v.map((x) => x.id).sort(), ready: v.filter((x) => x.ready).length, accepting: v.filter((x) => x.accepting).length };
  }
  return { ...base, router: snap.doc.routerName, sockets: snap.doc.routerSockets.length, subscriptions: snap.doc.subscriptions.map((s) => `${s.key}:${s.nodes.length}`).sort() };
}

/** An HTTP answer split into its head lines and body. */
function httpParts(raw: Buffer): { head: string[]; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  return { head: raw.subarray(0, end).toString('latin1').split('\r\n'), body: raw.subarray(end + 4) };
}

let startedAtMs = 0;
let endedAtMs = 0;

beforeAll(async () => {
  startedAtMs = Date.now();
  uwsgiBinary(); // fails here, with the install hint, when uWSGI is missing
  outDir = mkdtempSync(join(tmpdir(), 'uwsgitop-capture-test-'));
  const { stdout } = await promisify(execFile)('bash', [SCRIPT, outDir], { timeout: 50_000 });
  scriptOutput = stdout;
  endedAtMs = Date.now();
}, 55_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('scripts/capture-samples.sh', () => {
  it('captures the nine documents under the fixtures\u2019 names and says where', () => {
    expect(scriptOutput).toContain(`captured ${NAMES.length} documents`);
    expect(scriptOutput).toContain(outDir);
    for (const name of NAMES) expect(captured(name).length, name).toBeGreaterThan(0);
  });

  it('writes the capture\u2019s wall clock (captured-at.txt, epoch ms) after the busy worker\u2019s request began', () => {
    const at = Number(captured('captured-at.txt').toString('utf8').trim());
    expect(at).toBeGreaterThanOrEqual(startedAtMs);
    expect(at).toBeLessThanOrEqual(endedAtMs);
    const busy = JSON.parse(captured('instance-busy.json').toString('utf8'));
    const start = busy.workers.flatMap((w: { cores: Array<{ in_request: number; req_info: { request_start: number } }> }) => w.cores).find((c: { in_request: number }) => c.in_request === 1).req_info.request_start;
    expect(at / 1000).toBeGreaterThanOrEqual(start);
  });

  it.each(NAMES.filter((n) => n.endsWith('.json')))('%s has the shape of its fixture', (name) => {
    expect(shape(captured(name))).toEqual(shape(fixture(name)));
  });

  it('instance-busy has one request in flight and instance-paused has every other worker paused', () => {
    const busy = instanceShape(instanceDoc(captured('instance-busy.json')));
    expect(busy.inFlight).toHaveLength(1);
    expect(busy.statuses.filter((s) => s === 'busy')).toHaveLength(1);
    const paused = instanceShape(instanceDoc(captured('instance-paused.json')));
    expect(paused.statuses.filter((s) => s === 'pause')).toHaveLength(paused.workers - 1);
    expect(paused.inFlight).toEqual(busy.inFlight);
  });

  it('instance-control-bytes is invalid JSON as sent and decodes with its control bytes repaired', () => {
    const raw = captured('instance-control-bytes.raw');
    expect(() => JSON.parse(raw.toString('utf8'))).toThrow();
    expect(raw.includes(Buffer.from('\u001b[31mRED\u0007'))).toBe(true);
    expect(decode(raw).repairs).toHaveLength(1);
    expect(shape(raw)).toEqual(shape(fixture('instance-control-bytes.raw')));
  });

  it('stats-http-response is a whole HTTP answer with the fixture\u2019s head and an instance document as body', () => {
    const got = httpParts(captured('stats-http-response.raw'));
    const want = httpParts(fixture('stats-http-response.raw'));
    expect(got.head[0]).toBe('HTTP/1.0 200 OK');
    expect([...got.head].sort()).toEqual([...want.head].sort());
    expect(shape(got.body)).toEqual(shape(want.body));
  });

  it('the emperor has 3 vassals, the router its subscriptions, the legion a lord that the member follows', () => {
    const emperor = decode(captured('emperor.json'));
    expect(emperor.kind === 'emperor' && emperor.doc.vassals.filter((v) => v.ready)).toHaveLength(3);
    const [l, m] = [instanceDoc(captured('legion-lord.json')).legions[0]!, instanceDoc(captured('legion-member.json')).legions[0]!];
    expect(l.iAmTheLord).toBeGreaterThan(0);
    expect(l.lordUuid).toBe(l.uuid);
    expect(m.iAmTheLord).toBe(0);
    expect(m.lordUuid).toBe(l.uuid);
    expect(m.members.map((x) => x.uuid)).toContain(l.uuid);
  });
});
