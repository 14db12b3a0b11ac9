#!/usr/bin/env node
// The flight recorder on a real uWSGI with 32 workers x 100 ugreen cores, 8 requests kept in flight and 5 fast
// requests a second (the instance of bench-peer.mjs). Run `npm run build` first.
//
//   1. size and CPU of recording, in process: every second one stats read, parsed as the monitor parses it,
//      then the recorder's own work timed with process.cpuUsage (masking, patch, JSON, deflate, the write);
//      the recording's bytes against the documents' bytes, and a day at 1 s projected from the keyframe and
//      patch sizes seen;
//   2. end to end: `--json --watch --interval 1` with and without `--record`, side by side over the same window,
//      CPU from /proc/PID/stat.
//
// Figures and "goal:" lines are printed; nothing is asserted.
//   node scripts/bench-record.mjs [--seconds 120] [--e2e-seconds 60] [--keyframe 300] [--slow 8] [--rps 5]
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, cleanup, describe, loadAvg, measureTogether, readStats, sleep, startLoadedInstance, state } from './bench-support/real.mjs';
import { goalLine } from './bench-support/goal.mjs';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    'e2e-seconds': { type: 'string', default: '60' },
    keyframe: { type: 'string', default: '300' },
    slow: { type: 'string', default: '8' },
    rps: { type: 'string', default: '5' },
  },
});

if (!existsSync(join(ROOT, 'dist/record/writer.js'))) throw new Error('dist/ is missing: run `npm run build` first');
const { RecordingWriter } = await import(join(ROOT, 'dist/record/writer.js'));
const { maskRawDocument } = await import(join(ROOT, 'dist/record/mask.js'));
const { parseStatsJson } = await import(join(ROOT, 'dist/stats/decode-json.js'));
const { Recording } = await import(join(ROOT, 'dist/record/reader.js'));

const cpuMs = (u) => (u.user + u.system) / 1000;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function inProcess(inst, seconds, keyframeEvery) {
  const file = join(state.tmp, 'inproc.uwrec');
  const writer = new RecordingWriter({ file, target: inst.addr, tool: 'bench', intervalMs: 1000, secrets: false, keyframeEvery, maxBytes: 1024 ** 3 });
  const costs = [];
  const frames = [];
  let rawBytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await sleep(Math.max(0, t0 + i * 1000 - performance.now()));
    const body = await readStats(inst.statsPort);
    const { value, repairs } = parseStatsJson(body);
    rawBytes += body.length;
    const before = writer.written;
    const c0 = process.cpuUsage();
    writer.document(Date.now(), performance.now(), maskRawDocument(value), 1, body.length, repairs);
    const cost = cpuMs(process.cpuUsage(c0));
    costs.push(cost);
    frames.push({ bytes: writer.written - before, key: i % keyframeEvery === 0 });
  }
  writer.close();
  const fileBytes = statSync(file).size;
  const keys = frames.filter((f) => f.key);
  const patches = frames.filter((f) => !f.key);
  const keyBytes = mean(keys.map((f) => f.bytes));
  const patchBytes = mean(patches.map((f) => f.bytes));
  const docBytes = rawBytes / seconds;
  const dayBytes = (86_400 / keyframeEvery) * keyBytes + 86_400 * (1 - 1 / keyframeEvery) * patchBytes;
  const keyCost = mean(costs.filter((_, i) => frames[i].key));
  const patchCost = mean(costs.filter((_, i) => !frames[i].key));
  const amortised = keyCost / keyframeEvery + patchCost * (1 - 1 / keyframeEvery);
  const rec = Recording.open(file);
  console.log(`polls: ${seconds} at 1 s, documents ${(rawBytes / 1e6).toFixed(1)} MB (${Math.round(docBytes)} bytes each), recording ${fileBytes} bytes (${((100 * fileBytes) / rawBytes).toFixed(3)} % of the documents, one keyframe every ${keyframeEvery} polls); replay reads ${rec.polls.length} polls back`);
  console.log(`frames: keyframe ${Math.round(keyBytes)} bytes (${((100 * keyBytes) / docBytes).toFixed(2)} % of a document), patch mean ${Math.round(patchBytes)} bytes, p95 ${pct(patches.map((f) => f.bytes), 0.95)} bytes`);
  console.log(`a day at 1 s, projected: ${(dayBytes / 1e6).toFixed(1)} MB against ${(86_400 * docBytes / 1e9).toFixed(1)} GB of documents (${((100 * dayBytes) / (86_400 * docBytes)).toFixed(3)} %)`);
  console.log(`CPU of recording one poll: patch mean ${patchCost.toFixed(3)} ms (p95 ${pct(costs.filter((_, i) => !frames[i].key), 0.95).toFixed(3)} ms), keyframe ${keyCost.toFixed(1)} ms; amortised ${amortised.toFixed(3)} ms a poll = ${(amortised / 10).toFixed(3)} % of one core at 1 s`);
  return { ratioPct: (100 * dayBytes) / (86_400 * docBytes), cpuPct: amortised / 10 };
}

function startClient(args, out) {
  const fd = openSync(out, 'w');
  const child = spawn(process.execPath, ['bin/uwsgitop-ts', ...args], { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  state.children.push(child);
  return child;
}

async function endToEnd(inst, seconds) {
  const plain = startClient(['--json', '--watch', '--interval', '1', inst.addr], '/dev/null');
  const file = join(state.tmp, 'e2e.uwrec');
  const recording = startClient(['--json', '--watch', '--interval', '1', '--record', file, inst.addr], '/dev/null');
  await sleep(5000);
  const [mPlain, mRec] = await measureTogether([plain.pid, recording.pid], seconds);
  for (const c of [plain, recording]) c.kill('SIGTERM');
  await sleep(500);
  console.log(describe('--json --watch', mPlain, inst.bytes));
  console.log(describe('--json --watch --record', mRec, inst.bytes));
  console.log(`recording after ${seconds + 5} s: ${statSync(file).size} bytes; difference ${(mRec.cpuPct - mPlain.cpuPct).toFixed(2)} % of one core (noisy: two processes on a shared machine)`);
}

async function main() {
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-record-'));
  console.log(`node ${process.version}; load average ${loadAvg()}`);
  const inst = await startLoadedInstance({ slow: Number(opts.slow), rps: Number(opts.rps), log: (l) => console.log(l) });
  console.log(`\n1. in process, ${opts.seconds} polls`);
  const r = await inProcess(inst, Number(opts.seconds), Number(opts.keyframe));
  if (Number(opts['e2e-seconds']) > 0) {
    console.log(`\n2. end to end, ${opts['e2e-seconds']} s window`);
    await endToEnd(inst, Number(opts['e2e-seconds']));
  }
  console.log(`\nload average at the end: ${loadAvg()}`);
  console.log(goalLine('recording, a day at 1 s, % of the documents', r.ratioPct / 0.3, 1.0, null, `${r.ratioPct.toFixed(3)} % (goal <= 0.3 %)`));
  console.log(goalLine('recording CPU, % of one core at 1 s', r.cpuPct / 0.2, 1.0, null, `${r.cpuPct.toFixed(3)} % (goal <= 0.2 %)`));
}

main()
  .catch((err) => {
    console.error(`bench-record: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
