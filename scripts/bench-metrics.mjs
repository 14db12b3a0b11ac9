#!/usr/bin/env node
// Memory and cost of the metrics pipeline (derive + history + events through MonitorCore) on a 64-worker
// document. Build first (npx tsc -p tsconfig.json), run with: node --expose-gc scripts/bench-metrics.mjs
// Prints figures; asserts nothing.
import { sampleDoc } from '../test/support/bed/samples.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const { MonitorCore } = await import(join(dist, 'monitor/monitor-core.js'));
const { derive } = await import(join(dist, 'metrics/derive.js'));
let decodeSnapshot = null;
try {
  ({ decodeSnapshot } = await import(join(dist, 'stats/document.js')));
} catch {
  decodeSnapshot = null;
}

const WORKERS = 64;
const sample = sampleDoc('instance-busy.json');

/** A 64-worker document grown from the real sample: workers and their per-worker metrics replicated. */
function bigDocument() {
  const doc = structuredClone(sample);
  const proto = sample.workers;
  doc.workers = [];
  const metrics = {};
  for (const [k, v] of Object.entries(sample.metrics)) if (!k.startsWith('worker.')) metrics[k] = v;
  for (let i = 0; i < WORKERS; i++) {
    const w = structuredClone(proto[i % proto.length]);
    w.id = i + 1;
    w.pid = 10000 + i;
    w.requests = 1000 * (i + 1);
    doc.workers.push(w);
    for (const [k, v] of Object.entries(sample.metrics)) {
      const m = /^worker\.1\.(.*)$/.exec(k);
      if (m) metrics[`worker.${i + 1}.${m[1]}`] = { ...v, oid: v.oid.replace(/^3\.1\./, `3.${i + 1}.`) };
    }
  }
  doc.metrics = metrics;
  return doc;
}

const doc = bigDocument();
const text = JSON.stringify(doc, null, '\t');
const body = Buffer.from(text);
const meta = (mono) => ({ target: 'bench:9191', readAtMs: 1795270490000 + mono, monotonicMs: mono, durationMs: 1 });

// A base snapshot: decoded when decodeSnapshot exists, else a hand-made minimal one is not worth it.
if (decodeSnapshot === null) {
  console.log('decodeSnapshot not found in dist/: build first (npx tsc -p tsconfig.json)');
  process.exit(1);
}
const base = decodeSnapshot(body, meta(0));

/** Poll k: new objects for the document and every worker (as a real decode makes), counters moving. */
function pollSnapshot(k) {
  const mono = k * 1000;
  const workers = base.doc.workers.map((w, i) => {
    // Every slot respawns once every 997 polls, at its own phase.
    const life = Math.floor((k + i * 13) / 997);
    return {
      ...w,
      pid: w.pid + 100_000 * life,
      requests: w.requests + k * (i + 1),
      deltaRequests: w.deltaRequests + k,
      exceptions: w.exceptions + Math.floor(k / 50),
      txBytes: w.txBytes + k * 512,
      runningTimeUs: w.runningTimeUs + k * 20_000,
      status: k % 300 < 3 && i < 8 ? 'pause' : w.status,
      apps: w.apps.map((a) => ({ ...a, requests: a.requests + k })),
    };
  });
  const metrics = base.doc.metrics.map((m) => (m.type === 'counter' ? { ...m, value: m.value + k } : m));
  const caches = base.doc.caches.map((c) => ({ ...c, hits: c.hits + k * 3, misses: c.misses + k, full: c.full + (k % 500 === 0 ? 1 : 0) }));
  return { ...base, readAtMs: 1795270490000 + mono, monotonicMs: mono, doc: { ...base.doc, workers, metrics, caches } };
}

function mem() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
  // heapUsed is what the program keeps alive; rss also counts heap pages V8 reserved and has not returned.
  return `heapUsed ${mib(m.heapUsed)}, heapTotal ${mib(m.heapTotal)}, external ${mib(m.external)}, rss ${mib(m.rss)}`;
}

if (typeof globalThis.gc !== 'function') console.log('note: run with node --expose-gc for figures after a forced GC');
console.log(`document: ${WORKERS} workers, ${base.doc.metrics.length} metrics, ${body.length} bytes`);
console.log(`before polls: ${mem()}`);

const core = new MonitorCore('bench:9191', { historySize: 600, eventLogSize: 1000 });
let events = 0;
const t0 = performance.now();
for (let k = 1; k <= 100_000; k++) {
  const u = core.ingestSnapshot(pollSnapshot(k), k);
  events += u.events.length;
  if (k % 1000 === 0 && k % 7000 === 0) core.ingestFailure('connection refused', k, 1795270490000 + k * 1000, null);
  if (k === 1000) console.log(`after 1,000 polls: ${mem()}`);
  if (k === 10_000 || k === 50_000) console.log(`after ${k.toLocaleString('en')} polls: ${mem()}`);
}
const t1 = performance.now();
console.log(`after 100,000 polls: ${mem()} (events produced ${events}, kept ${core.events().length}, history length ${core.history('rps').values().length})`);
console.log(`100,000 polls through MonitorCore (snapshot building included): ${((t1 - t0) / 1000).toFixed(1)} s, ${(((t1 - t0) / 100_000) * 1000).toFixed(0)} µs/poll`);

/** Mean time of fn over n runs after a warm-up, microseconds. */
function time(n, fn) {
  for (let i = 0; i < Math.min(200, n); i++) fn(i);
  const s = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - s) / n) * 1000;
}
const a = pollSnapshot(10);
const b = pollSnapshot(11);
const N = 2000;
const tDerive = time(N, () => derive(a, b));
const tIngest = time(N, (i) => core.ingestSnapshot(i % 2 ? a : b, i));
const tParse = time(N, () => JSON.parse(text));
const tDecode = time(N, () => decodeSnapshot(body, meta(0)));
console.log(`one derive step: ${tDerive.toFixed(0)} µs`);
console.log(`one MonitorCore step (derive + events + history): ${tIngest.toFixed(0)} µs`);
console.log(`JSON.parse of the same document: ${tParse.toFixed(0)} µs`);
console.log(`decodeSnapshot of the same document: ${tDecode.toFixed(0)} µs`);
