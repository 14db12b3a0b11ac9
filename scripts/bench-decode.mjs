// Benchmark: decodeSnapshot against a bare JSON.parse on generated instance documents of growing size.
// Build first: `npx tsc -p tsconfig.json && node scripts/bench-decode.mjs` (imports the compiled dist/).
// Prints figures only; nothing here asserts a timing.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const distEntry = new URL('../dist/stats/document.js', import.meta.url);
if (!existsSync(distEntry)) {
  console.error('dist/stats/document.js is missing: run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
const { decodeSnapshot } = await import(distEntry.href);
const { goalLine } = await import('./bench-support/goal.mjs');

const NOW_S = 1795270500;

function requestVars(w, c) {
  return [
    'REQUEST_METHOD=GET',
    `PATH_INFO=/api/v1/items/${w}/${c}`,
    `REQUEST_URI=/api/v1/items/${w}/${c}?page=2&sort=desc`,
    'QUERY_STRING=page=2&sort=desc',
    'SERVER_PROTOCOL=HTTP/1.1',
    'SCRIPT_NAME=',
    'SERVER_NAME=app01',
    'SERVER_PORT=8080',
    `REMOTE_ADDR=10.0.${w % 256}.${c % 256}`,
    'HTTP_HOST=shop.example.com',
    'HTTP_USER_AGENT=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'HTTP_ACCEPT=text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    '',
  ];
}

// An instance document shaped like uWSGI's (same keys and order), every core serving a request.
function instanceDoc(workers, cores) {
  const ws = [];
  for (let w = 0; w < workers; w++) {
    const cs = [];
    for (let c = 0; c < cores; c++) {
      cs.push({
        id: c,
        requests: 1000 + c,
        static_requests: 0,
        routed_requests: 0,
        offloaded_requests: 0,
        write_errors: 0,
        read_errors: 0,
        in_request: 1,
        vars: requestVars(w, c),
        req_info: { request_start: NOW_S - (c % 30) },
      });
    }
    ws.push({
      id: w + 1,
      pid: 10000 + w,
      accepting: 1,
      requests: 123456,
      delta_requests: 12,
      exceptions: 3,
      harakiri_count: 0,
      signals: 0,
      signal_queue: 0,
      status: 'busy',
      rss: 123456789,
      vsz: 987654321,
      running_time: 123456789012,
      last_spawn: NOW_S - 3600,
      respawn_count: 1,
      tx: 98765432,
      avg_rt: 15321,
      apps: [{ id: 0, modifier1: 0, mountpoint: '', startup_time: 1, requests: 123456, exceptions: 3, chdir: '' }],
      cores: cs,
    });
  }
  return {
    version: '2.0.21-debian',
    listen_queue: 0,
    listen_queue_errors: 0,
    signal_queue: 0,
    load: 0,
    pid: 9999,
    uid: 33,
    gid: 33,
    cwd: '/srv/app',
    locks: [{ 'user 0': 0 }, { signal: 0 }, { filemon: 0 }, { timer: 0 }, { rbtimer: 0 }, { cron: 0 }, { rpc: 0 }, { snmp: 0 }],
    sockets: [{ name: '127.0.0.1:8080', proto: 'http', queue: 0, max_queue: 100, shared: 0, can_offload: 0 }],
    workers: ws,
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Interleave the two measurements and keep each result alive until the next run, so JSON.parse and
// decodeSnapshot pay for garbage collection alike (a discarded parse tree would make JSON.parse look cheaper
// than any real use of it). Each sample is the process's CPU time (process.cpuUsage: this thread and V8's
// GC helpers), not wall time, so other processes on a shared machine do not land in it; small documents
// are decoded `batch` times per sample to stay well above the clock's resolution.
let kept = null;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function timePair(a, b, runs, batch) {
  kept = a();
  kept = b(); // warm-up
  const ta = [];
  const tb = [];
  for (let i = 0; i < runs; i++) {
    let t0 = cpuMs();
    for (let k = 0; k < batch; k++) kept = a();
    ta.push((cpuMs() - t0) / batch);
    t0 = cpuMs();
    for (let k = 0; k < batch; k++) kept = b();
    tb.push((cpuMs() - t0) / batch);
  }
  kept = null;
  return [median(ta), median(tb)];
}

const meta = { target: 'bench', readAtMs: NOW_S * 1000, monotonicMs: 0, durationMs: 0 };
const sizes = [
  [8, 1],
  [8, 16],
  [16, 32],
  [32, 100],
  [64, 64],
  [64, 128],
  [64, 256],
];

console.log('workers x cores      bytes   JSON.parse ms   decodeSnapshot ms   ratio   (median CPU time per decode)');
let largest = null;
const ratios = [];
for (const [w, c] of sizes) {
  const body = Buffer.from(JSON.stringify(instanceDoc(w, c), null, '\t'));
  const runs = body.length > 8e6 ? 9 : 15;
  const batch = Math.max(1, Math.round(2e6 / body.length));
  const [parseMs, decodeMs] = timePair(() => JSON.parse(body.toString('utf8')), () => decodeSnapshot(body, meta), runs, batch);
  console.log(
    `${`${w} x ${c}`.padEnd(15)} ${String(body.length).padStart(10)} ${parseMs.toFixed(2).padStart(15)} ${decodeMs
      .toFixed(2)
      .padStart(19)} ${(decodeMs / parseMs).toFixed(2).padStart(7)}`,
  );
  if (w === 32 && c === 100) largest = body;
  if (w * c >= 8 * 16) ratios.push([`${w}x${c}`, decodeMs / parseMs]);
}
const worst = ratios.reduce((a, b) => (b[1] > a[1] ? b : a));
console.log(goalLine('decode vs JSON.parse, worst of 8x16..64x256', worst[1], 1.5, null, `at ${worst[0]}; ${ratios.map(([k, r]) => `${k} ${r.toFixed(2)}`).join(', ')}`));

// Repair path: the 32 x 100 document with one raw ESC byte inside a request URI.
if (largest !== null) {
  const at = largest.indexOf('REQUEST_URI=') + 'REQUEST_URI='.length;
  const bad = Buffer.concat([largest.subarray(0, at), Buffer.from([0x1b]), largest.subarray(at)]);
  const [parseMs, repairMs] = timePair(() => JSON.parse(largest.toString('utf8')), () => decodeSnapshot(bad, meta), 7, 1);
  const repairs = decodeSnapshot(bad, meta).repairs;
  console.log(
    `repair path (32 x 100, one ESC byte, ${bad.length} bytes): decodeSnapshot ${repairMs.toFixed(2)} ms, ` +
      `JSON.parse of the valid document ${parseMs.toFixed(2)} ms, ratio ${(repairMs / parseMs).toFixed(2)}; repairs: ${repairs.join('; ')}`,
  );
}
