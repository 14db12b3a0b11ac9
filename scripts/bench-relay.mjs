#!/usr/bin/env node
// Relay benchmark: CPU and memory of the relay per update for 1, 50 and 200 WebSocket clients watching a
// 64-worker instance (a real sample document grown to 64 workers, fed by a fake monitor: no uWSGI needed).
// Shows that each update is serialised once (serialisations/update = 1) whatever the number of clients.
// The clients run in a child process so the figures are the relay's alone.
// Usage: npm run build && node scripts/bench-relay.mjs [updates-per-run] [--deflate]
//   --deflate: the clients offer permessage-deflate, as browsers do (compression CPU and zlib memory per client).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sampleDoc } from '../test/support/bed/samples.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const DEFLATE = process.argv.includes('--deflate');
if (process.argv[2] === '--clients') {
  await runClients(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else {
  await runBench(Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100));
}

/** Child: open `n` clients, say "ready" once all have the hello, "done" once each has `updates` updates. */
async function runClients(url, n, updates) {
  const { default: WebSocket } = await import('ws');
  let ready = 0;
  let done = 0;
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(url, { perMessageDeflate: DEFLATE });
    let got = 0;
    ws.on('message', (data) => {
      // Cheap type check: clients here only count, like a browser that would parse later.
      const head = data.subarray(0, 40).toString();
      if (head.includes('"type":"hello"')) {
        if (++ready === n) process.stdout.write('ready\n');
      } else if ((head.includes('"type":"delta"') || head.includes('"type":"update"')) && ++got === updates) {
        if (++done === n) process.stdout.write('done\n');
      }
    });
    ws.on('error', (e) => process.stderr.write(`client error: ${e.message}\n`));
  }
  process.stdin.on('data', () => process.exit(0));
}

function lines(child) {
  const waiters = [];
  let buf = '';
  child.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
    }
  });
  return () => new Promise((ok) => waiters.push(ok));
}

async function runBench(updates) {
  if (!existsSync(join(dist, 'web', 'server.js'))) {
    console.error('bench-relay: dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  const { startRelay } = await import(join(dist, 'web', 'server.js'));
  const { decodeSnapshot } = await import(join(dist, 'stats', 'document.js'));
  const { HistorySeries, BoundedLog } = await import(join(dist, 'metrics', 'history.js'));
  const { encodeMessage, targetState, updateMessage } = await import(join(dist, 'relay', 'protocol.js'));

  const doc = sampleDoc('instance-busy.json');
  const template = doc.workers.find((w) => w.cores?.some((c) => c.in_request)) ?? doc.workers[0];
  const snapshots = [0, 1].map((round) => {
    const d = structuredClone(doc);
    d.workers = Array.from({ length: 64 }, (_, i) => ({ ...structuredClone(template), id: i + 1, pid: 20000 + i, requests: 5000 + i * 11 + round }));
    return decodeSnapshot(Buffer.from(JSON.stringify(d)), { target: 'bench:9191', readAtMs: Date.now(), monotonicMs: performance.now(), durationMs: 1 });
  });

  // A hand-driven TargetMonitor (the relay needs only these methods).
  const listeners = new Set();
  const series = new Map(['rps', 'avgRtMs', 'busyWorkers', 'listenQueue', 'txps', 'eps'].map((n) => [n, new HistorySeries(600)]));
  const log = new BoundedLog(1000);
  let seq = 0;
  let latest = null;
  const monitor = {
    target: 'bench:9191', intervalMs: 1000,
    latest: () => latest,
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    history: (n) => series.get(n), events: () => log.toArray(), addEvent: (e) => log.push(e),
    refresh() {}, setIntervalMs() {}, stop() {},
  };
  const emit = () => {
    seq++;
    for (const s of series.values()) s.push(seq % 10, Date.now());
    latest = { target: 'bench:9191', seq, state: { state: 'live' }, snapshot: snapshots[seq % 2], derived: null, events: [], error: null };
    for (const l of listeners) l(latest);
  };
  emit();

  const whole = (u) => encodeMessage(updateMessage(u.target, u.seq, targetState(u), { events: [], points: {}, at: 0 }));
  const one = whole(latest);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) whole(latest);
  const serialiseMs = (performance.now() - t0) / 50;
  console.log(`update message: ${(one.length / 1024).toFixed(1)} KiB for 64 workers; one serialisation takes ${serialiseMs.toFixed(2)} ms`);
  console.log(`updates per run: ${updates}\n`);
  console.log('clients  relay CPU/update  serialisations/update  frames/update  skipped  RSS after   heap after   (per-client serialising would cost)');

  for (const n of [1, 50, 200]) {
    // Without --deflate the clients do not offer permessage-deflate: the figures are encoding and fan-out alone.
    const relay = await startRelay([monitor], { port: 0 });
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--clients', `ws://127.0.0.1:${relay.port}/ws`, String(n), String(updates), ...(DEFLATE ? ['--deflate'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
    const next = lines(child);
    await next(); // ready
    global.gc?.();
    const before = relay.stats();
    const cpu0 = process.cpuUsage();
    const doneLine = next();
    for (let i = 0; i < updates; i++) {
      emit();
      // Let the sockets drain between polls, as a 1 s interval would (a little time, not a tight loop).
      await new Promise((r) => setTimeout(r, 5));
    }
    await doneLine;
    const cpu = process.cpuUsage(cpu0);
    const after = relay.stats();
    const mem = process.memoryUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000 / updates;
    const ser = (after.serialisations - before.serialisations) / updates;
    const frames = (after.frames - before.frames) / updates;
    console.log(
      `${String(n).padStart(7)}  ${cpuMs.toFixed(2).padStart(10)} ms     ${ser.toFixed(2).padStart(12)}          ${frames.toFixed(0).padStart(8)}    ${String(after.skipped - before.skipped).padStart(6)}   ${(mem.rss / 1048576).toFixed(0).padStart(5)} MiB   ${(mem.heapUsed / 1048576).toFixed(0).padStart(5)} MiB    ${(serialiseMs * n).toFixed(1)} ms`,
    );
    child.stdin.write('bye\n');
    await new Promise((r) => child.once('exit', r));
    await relay.close();
  }
}
