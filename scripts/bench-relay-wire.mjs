#!/usr/bin/env node
// Bytes per update per tab on the relay's /ws feed, against a real uWSGI (4 workers of 4 threads,
// --memory-report, --enable-metrics, a cache, light traffic and one request in flight), polled every second. Counts what each WebSocket client really reads
// from its TCP socket (frames and headers included):
//   before  the whole target each poll, uncompressed (protocol v1's update: the `update` message's size);
//   deltas  protocol v2 without permessage-deflate (a client that does not offer it);
//   deflate protocol v2 with permessage-deflate (what a browser gets).
// Usage: npm run build && node scripts/bench-relay-wire.mjs [polls]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUwsgi } from '../test/support/bed/uwsgi.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const POLLS = Number(process.argv[2] ?? 30);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

if (!existsSync(join(DIST, 'web', 'server.js'))) {
  console.error('bench-relay-wire: dist/ is missing: run `npm run build` first');
  process.exit(1);
}

/** The size of one raw stats document (read to EOF, as uWSGI sends it). */
function rawDocumentBytes(port) {
  return new Promise((ok, fail) => {
    let n = 0;
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('data', (c) => (n += c.length));
    s.on('end', () => (n > 0 ? ok(n) : fail(new Error('empty'))));
    s.on('error', fail);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-wire-'));
const uwsgi = await startUwsgi({ dir, workers: 4, args: ['--threads', '4', '--memory-report', '--enable-metrics', '--cache2', 'name=bench,items=100'] });
const { httpPort, statsPort } = uwsgi;
const traffic = setInterval(() => http.get({ host: '127.0.0.1', port: httpPort, path: '/', agent: false }, (r) => r.resume()).on('error', () => undefined), 100);
let slow = null;

try {
  const { createMonitor } = await import(join(DIST, 'monitor', 'monitor.js'));
  const { readSnapshot } = await import(join(DIST, 'stats', 'client.js'));
  const { parseAddress } = await import(join(DIST, 'stats', 'address.js'));
  const { startRelay } = await import(join(DIST, 'web', 'server.js'));
  const { encodeMessage, targetState, updateMessage, latestPoints } = await import(join(DIST, 'relay', 'protocol.js'));
  const { default: WebSocket } = await import('ws');
  const address = parseAddress(`127.0.0.1:${statsPort}`);
  let rawBytes = 0;
  for (let i = 0; i < 50; i++) {
    try {
      rawBytes = await rawDocumentBytes(statsPort);
      await readSnapshot(address, { timeoutMs: 1000 });
      break;
    } catch {
      await sleep(200);
    }
  }
  slow = net.connect({ host: '127.0.0.1', port: httpPort }, () => slow.write('GET /slow?s=600 HTTP/1.0\r\nHost: bench\r\nCookie: a=b\r\n\r\n'));
  slow.on('error', () => undefined);
  const monitor = createMonitor(`127.0.0.1:${statsPort}`, (signal) => readSnapshot(address, { timeoutMs: 3000, signal }), { intervalMs: 1000 });
  const relay = await startRelay([monitor], { port: 0 });
  // "before": the size of the whole-target update message each poll (what protocol v1 sent, uncompressed).
  let wholeBytes = 0;
  let polls = 0;
  let counting = false;
  monitor.subscribe((u) => {
    if (!counting) return;
    polls++;
    wholeBytes += Buffer.byteLength(encodeMessage(updateMessage(u.target, 0, targetState(u), { events: u.events, points: latestPoints(monitor), at: Date.now() })));
  });
  const clients = [false, true].map((deflate) => {
    const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/ws`, { perMessageDeflate: deflate });
    const c = { deflate, ws, hello: 0, messages: 0, start: 0 };
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"v":2,"type":"hello"')) {
        c.hello = ws._socket.bytesRead;
      } else c.messages++;
    });
    return c;
  });
  while (clients.some((c) => c.hello === 0)) await sleep(100);
  await sleep(1500);
  for (const c of clients) {
    c.start = c.ws._socket.bytesRead;
    c.startMessages = c.messages;
  }
  counting = true;
  await sleep(POLLS * 1000 + 200);
  counting = false;
  const perUpdate = (c) => (c.ws._socket.bytesRead - c.start) / Math.max(1, c.messages - c.startMessages);
  const [plain, deflated] = clients;
  const before = wholeBytes / Math.max(1, polls);
  console.log(`4 workers x 4 threads, one request in flight, stats document ${rawBytes} B, ${polls} polls at 1 s (hello: ${plain.hello} B plain, ${deflated.hello} B deflated)`);
  console.log(`before  whole target, uncompressed : ${before.toFixed(0)} B per update per tab`);
  console.log(`deltas  v2, no permessage-deflate  : ${perUpdate(plain).toFixed(0)} B per update per tab (${((perUpdate(plain) / before) * 100).toFixed(1)} %)`);
  console.log(`deflate v2, permessage-deflate     : ${perUpdate(deflated).toFixed(0)} B per update per tab (${((perUpdate(deflated) / before) * 100).toFixed(1)} %)`);
  for (const c of clients) c.ws.close();
  await relay.close();
  monitor.stop();
} finally {
  clearInterval(traffic);
  slow?.destroy();
  await uwsgi.stop(3000);
  rmSync(dir, { recursive: true, force: true });
}
