#!/usr/bin/env node
// The 100,000-worker document (the busy sample's workers cloned, a third busy with a request in flight,
// about 48 MB), served by a plain socket server: wall time, CPU and peak RSS of --once and --json, then the
// relay (serve) watching it next to a small target: peak RSS, /metrics size and time, WebSocket hello and
// update sizes, and how often the small target was updated. Prints figures only; nothing is asserted.
// Usage: npm run build && node scripts/bench-huge.mjs [workers]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/bed/port.mjs';
import { sampleBytes, sampleDoc } from '../test/support/bed/samples.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workers = Number(process.argv[2] ?? 100_000);
const launcher = join(root, 'bin', 'uwsgitop-ts');

function hugeBody(count) {
  const doc = sampleDoc('instance-busy.json');
  const busy = doc.workers.find((w) => w.status === 'busy');
  const idle = doc.workers.find((w) => w.status !== 'busy');
  busy.cores = busy.cores.filter((c) => c.in_request === 1);
  idle.cores = [];
  const texts = [JSON.stringify(busy), JSON.stringify(idle)];
  const parts = [];
  for (let i = 0; i < count; i++) {
    parts.push(texts[i % 3 === 0 ? 0 : 1].replace(/^\{"id":\d+,"pid":\d+/, `{"id":${i + 1},"pid":${100_000 + i}`).replace(/"requests":\d+/, `"requests":${i * 7}`));
  }
  return JSON.stringify({ ...doc, workers: [] }).replace('"workers":[]', `"workers":[${parts.join(',')}]`);
}

function serve(body) {
  return new Promise((resolve) => {
    const server = net.createServer((c) => {
      c.on('error', () => undefined);
      c.end(body);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, address: `127.0.0.1:${server.address().port}` }));
  });
}

/** Run the launcher under rusage.py; resolves with its figures and the size of what it printed. */
function measured(args) {
  return new Promise((resolve) => {
    const child = spawn('python3', [join(root, 'scripts/bench-support/rusage.py'), process.execPath, launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = 0;
    let err = '';
    child.stdout.on('data', (d) => (out += d.length));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', () => {
      const figures = JSON.parse(err.trim().split('\n').pop());
      resolve({ ...figures, out, errors: err.trim().split('\n').slice(0, -1).join(' | ') });
    });
  });
}

const mib = (n) => (n / 1048576).toFixed(1) + ' MiB';
const body = hugeBody(workers);
console.log(`document: ${workers} workers, ${mib(body.length)}`);
const big = await serve(body);
const small = await serve(sampleBytes('instance-idle.json'));

for (const [name, args] of [['--once', [big.address, '--once', '--interval', '0.5', '--timeout', '60']], ['--json', [big.address, '--json', '--timeout', '60']]]) {
  const r = await measured(args);
  console.log(`${name}: exit ${r.status}, wall ${r.wall_s.toFixed(2)} s, cpu ${r.cpu_s.toFixed(2)} s, peak RSS ${mib(r.maxrss_kb * 1024)}, output ${mib(r.out)}${r.errors ? `, stderr: ${r.errors.slice(0, 200)}` : ''}`);
}

// The relay: 30 s with one WebSocket client connected.
const port = await freePort();
const relay = spawn(process.execPath, [launcher, 'serve', big.address, small.address, '--listen', `127.0.0.1:${port}`, '--interval', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
let relayLog = '';
relay.stdout.on('data', (d) => (relayLog += d));
relay.stderr.on('data', (d) => (relayLog += d));
const vmHwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${relay.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const until = async (check, ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 100));
};
await until(() => relayLog.includes(`:${port}/`), 20_000);
const { default: WebSocket } = await import('ws');
const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false, maxPayload: 2 ** 31 - 1 });
const frames = [];
ws.on('message', (d) => frames.push({ at: Date.now(), bytes: d.length, head: d.subarray(0, 200).toString() }));
await until(() => frames.some((f) => f.head.includes(big.address) && !f.head.includes('"type":"hello"')), 60_000);
const t0 = Date.now();
await new Promise((r) => setTimeout(r, 30_000));
const m0 = performance.now();
const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const metricsMs = performance.now() - m0;
const hello = frames.find((f) => f.head.includes('"type":"hello"'));
const bigFrames = frames.filter((f) => f.at >= t0 && f.head.includes(`"target":"${big.address}"`));
const smallFrames = frames.filter((f) => f.at >= t0 && f.head.includes(`"target":"${small.address}"`));
console.log(`serve: peak RSS ${mib(vmHwm())} (1 WebSocket client, 30 s at --interval 1)`);
console.log(`serve: /metrics ${mib(metrics.length)} in ${metricsMs.toFixed(0)} ms; hello ${mib(hello?.bytes ?? 0)}; big-target messages ${bigFrames.length} in 30 s, largest ${mib(Math.max(0, ...bigFrames.map((f) => f.bytes)))}`);
console.log(`serve: small target updated ${smallFrames.length} times in 30 s (polled every 1 s)`);
console.log(`serve: ${relayLog.split('\n').find((l) => l.includes('workers:')) ?? '(no limit note)'}`);
ws.terminate();
relay.kill('SIGTERM');
big.server.close();
small.server.close();
