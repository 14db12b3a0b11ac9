#!/usr/bin/env node
// Dashboard cost per frame for 16 and 2,048 workers: building the view model (buildFrame) and painting a
// whole frame headless (view model + blessed render + terminal bytes). Run `npx tsc -p tsconfig.json` first.
// Prints medians; the point is that 2,048 workers cost about what 16 do (only visible rows are formatted).
import { PassThrough } from 'node:stream';
import { decodeSnapshot } from '../dist/stats/document.js';
import { MonitorCore } from '../dist/monitor/monitor-core.js';
import { buildFrame } from '../dist/views/dashboard/model/frame.js';
import { initialState } from '../dist/views/dashboard/model/state.js';
import { Dashboard } from '../dist/views/dashboard/dashboard.js';
import { goalLine } from './bench-support/goal.mjs';

const ITER = Number(process.env.ITER ?? 200);
const EPOCH = 1_795_270_490;

/** A stats document shaped like uWSGI 2.0.21's, with `n` workers of 2 cores, a few of them busy. */
function instanceDoc(n, tick) {
  const workers = Array.from({ length: n }, (_, i) => {
    const busy = i % 7 === 0;
    return {
      id: i + 1, pid: 10_000 + i, accepting: 1, requests: 1000 + i * 3 + tick * (i % 5), delta_requests: 1, exceptions: i % 11,
      harakiri_count: 0, signals: 0, signal_queue: 0, status: busy ? 'busy' : 'idle', rss: 11_710_464 + i, vsz: 144_588_800,
      running_time: 1_000_000 + tick * 10_000 * (i % 3), last_spawn: EPOCH - 3600, respawn_count: 1, tx: 5000 * i + tick * 100, avg_rt: 700 + i,
      apps: [{ id: 0, modifier1: 0, mountpoint: '', startup_time: 0, requests: 1000 + i, exceptions: 0, chdir: '' }],
      cores: [0, 1].map((c) => ({
        id: c, requests: 500 + i, static_requests: 0, routed_requests: 0, offloaded_requests: 0, write_errors: 0, read_errors: 0,
        in_request: busy && c === 1 ? 1 : 0,
        vars: busy && c === 1 ? ['REQUEST_METHOD=GET', `REQUEST_URI=/slow/report?id=${i}`, 'PATH_INFO=/slow/report', `QUERY_STRING=id=${i}`, 'REMOTE_ADDR=10.0.0.1', 'HTTP_HOST=shop.example', ''] : [],
        req_info: busy && c === 1 ? { request_start: EPOCH - (i % 60) } : {},
      })),
    };
  });
  return {
    version: '2.0.21-debian', listen_queue: 3, listen_queue_errors: 0, signal_queue: 0, load: 0, pid: 9999, uid: 0, gid: 0, cwd: '/srv/app',
    locks: [{ 'user 0': 0 }],
    sockets: [{ name: '127.0.0.1:9090', proto: 'http', queue: 3, max_queue: 100, shared: 0, can_offload: 0 }],
    workers,
  };
}

function snapshot(n, tick) {
  const body = Buffer.from(JSON.stringify(instanceDoc(n, tick)));
  return decodeSnapshot(body, { target: 'bench:1', readAtMs: EPOCH * 1000 + tick * 1000, monotonicMs: tick * 1000, durationMs: 1 });
}

// CPU time of this process (this thread and V8's GC helpers), so other processes on a shared machine do
// not land in the figures the way they would in wall time.
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fakeTty(cols, rows) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode() {} });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: cols, rows });
  output.resume();
  return { input, output };
}

/** A TargetMonitor over a MonitorCore, enough for the dashboard. */
function monitorFor(core) {
  return {
    target: core.target, intervalMs: 1000,
    latest: () => core.latest(), subscribe: () => () => {}, history: (n) => core.history(n), events: () => core.events(),
    addEvent: (e) => core.addEvent(e), refresh() {}, setIntervalMs() {}, stop() {},
  };
}

const results = [];
for (const [cols, rows] of [[80, 24], [160, 50]]) {
  for (const n of [16, 2048]) {
    const core = new MonitorCore('bench:1');
    for (let t = 0; t < 30; t++) core.ingestSnapshot(snapshot(n, t), t + 1);
    const monitor = monitorFor(core);
    const target = {
      target: 'bench:1', shown: core.latest(), live: core.latest(), events: core.events(),
      series: (name) => ({ values: core.history(name).values(), times: core.history(name).times() }),
      hasControl: false, intervalMs: 1000, running: null,
    };
    const state = initialState();
    const model = [];
    for (let i = 0; i < ITER; i++) {
      const t0 = cpuMs();
      buildFrame({ state, targets: [target], width: cols, height: rows, nowMs: EPOCH * 1000 + 30_000 });
      model.push(cpuMs() - t0);
    }

    const tty = fakeTty(cols, rows);
    const dash = new Dashboard([monitor], { input: tty.input, output: tty.output, env: { TERM: 'xterm-256color' } }, { color: true, controls: new Map() });
    const paint = [];
    for (let i = 0; i < ITER; i++) {
      // A new poll every frame, as on a live instance (the selection moves too, so rows really change).
      core.ingestSnapshot(snapshot(n, 30 + i), 31 + i);
      dash.state.tables.get('workers') && (dash.state.tables.get('workers').selectedIndex = i % 10, dash.state.tables.get('workers').selectedKey = null);
      const t0 = cpuMs();
      dash.paint();
      paint.push(cpuMs() - t0);
    }
    dash.finish(0);
    results.push({ size: `${cols}x${rows}`, workers: n, modelMs: median(model), paintMs: median(paint) });
  }
}

console.log('dashboard frame cost (median CPU time of %d frames)', ITER);
console.log('size     workers  view model ms  full frame ms (model + blessed render)');
for (const r of results) {
  console.log(`${r.size.padEnd(8)} ${String(r.workers).padStart(7)}  ${r.modelMs.toFixed(3).padStart(13)}  ${r.paintMs.toFixed(3).padStart(13)}`);
}
for (const size of ['80x24', '160x50']) {
  const small = results.find((r) => r.size === size && r.workers === 16);
  const big = results.find((r) => r.size === size && r.workers === 2048);
  console.log(goalLine(`${size} frame: 2,048 workers vs 16`, big.paintMs / small.paintMs, 2.0, null, `${big.paintMs.toFixed(2)} ms vs ${small.paintMs.toFixed(2)} ms`));
}
