#!/usr/bin/env node
// uwsgitop-ts against uwsgitop 0.12 (scripts/peer/uwsgitop), side by side on one real uWSGI with 32 workers x
// 100 ugreen cores, 8 requests kept in flight. Run `npm run build` first (npm run bench -- --real does).
//
//   1. both dashboards in tmux at 160x50, 1 s interval, plus `--json --watch` (no drawing); CPU from
//      /proc/PID/stat over the same window (--seconds, 60 by default), RSS from /proc/PID/status;
//   2. start-up: `uwsgitop-ts --version` against `uwsgitop --help` (and a bare `node -e 0` as the floor), and
//      launch to the first frame that shows the master's pid, typed into an idle shell in 160x50 tmux for
//      both tools (bench-support/first-frame.mjs);
//   3. one `--json ADDR` of that instance against a python3 read of the same stats socket plus json.loads.
//
// Each figure is printed, then each ratio against its goal as a line starting with "goal:" (npm run bench
// gathers those lines at the end). Nothing here asserts anything: the exit status is 0 unless a step broke.
//   node scripts/bench-peer.mjs [--seconds 30] [--settle 6] [--slow 8] [--rps 5] [--runs 15] [--frames 7] [--screen] [--also CMD]...
// The window starts --settle seconds after both dashboards were launched; quick checks: --seconds 10 --runs 5 --frames 3.
// --from installed (default) runs the package as installed (the bundle, bench-support/installed.mjs); --from clone the clone's dist/cli.
// --also CMD runs one more dashboard in the same window (CMD is given `--interval 1 ADDR`), to measure a
// variant against the same uwsgitop: e.g. --also "node --optimize-for-size bin/uwsgitop-ts" (the dashboard itself runs as bin/uwsgitop-ts, with its shebang's flags).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLK_TCK, ROOT, UWSGI, alive, cleanup, cpuSeconds, describe, loadAvg, measureTogether, sleep, startInTmux, startLoadedInstance,
  state, stopTmux, tmux, waitForScreen,
} from './bench-support/real.mjs';
import { goalLine } from './bench-support/goal.mjs';
import { launchToFirstFrame } from './bench-support/first-frame.mjs';
import { stageInstalled } from './bench-support/installed.mjs';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    settle: { type: 'string', default: '6' },
    frames: { type: 'string', default: '7' },
    from: { type: 'string', default: 'installed' },
    slow: { type: 'string', default: '8' },
    rps: { type: 'string', default: '5' },
    runs: { type: 'string', default: '15' },
    screen: { type: 'boolean', default: false },
    also: { type: 'string', multiple: true, default: [] },
  },
});

const PYTHON = '/usr/bin/python3';
const PEER = join(ROOT, 'scripts/peer/uwsgitop');
const RUSAGE = join(ROOT, 'scripts/bench-support/rusage.py');
const FLOOR = join(ROOT, 'scripts/bench-support/node-floor.mjs');
const NODE = process.execPath;
// Run as an installed command is: the launcher itself, with the V8 flags of its shebang, loading the bundle
// (bench-support/installed.mjs stages the package's files); --from clone runs the clone's bin/ (dist/cli).
let TS = join(ROOT, 'bin/uwsgitop-ts');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a command under rusage.py: wall time, CPU time and peak RSS of the command alone. */
function timed(cmd, args) {
  const r = spawnSync(PYTHON, [RUSAGE, cmd, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').at(-1);
  const fig = JSON.parse(last);
  if (fig.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${fig.status}: ${r.stderr.trim().split('\n')[0]}`);
  return { ...fig, stdout: r.stdout };
}

/** Runs each command `runs` times, alternating, and returns the medians of each. */
function alternate(commands, runs) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach(([cmd, args], k) => samples[k].push(timed(cmd, args)));
  return samples.map((s) => ({
    wallMs: 1000 * median(s.map((x) => x.wall_s)),
    cpuMs: 1000 * median(s.map((x) => x.cpu_s)),
    maxRssMb: median(s.map((x) => x.maxrss_kb)) / 1024,
    stdout: s[0].stdout,
  }));
}

const fmt = (r) => `${r.wallMs.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU, peak RSS ${r.maxRssMb.toFixed(1)} MB`;

async function sideBySide(inst, seconds) {
  const launched = performance.now();
  const ts = await startInTmux('ts', `${TS} --interval 1 ${inst.addr}`);
  const py = await startInTmux('peer', `${PYTHON} ${PEER} --frequency 1 ${inst.addr}`);
  const out = openSync('/dev/null', 'w');
  const json = spawn(TS, ['--json', '--watch', '--interval', '1', inst.addr], { cwd: ROOT, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  state.children.push(json.pid);
  // What any Node monitor pays at the least: a read and a JSON.parse each second, nothing else.
  const floor = spawn(NODE, [FLOOR, String(inst.statsPort), '--watch'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  state.children.push(floor.pid);
  const also = [];
  for (const [i, cmd] of opts.also.entries()) also.push([cmd, await startInTmux(`also${i}`, `${cmd} --interval 1 ${inst.addr}`)]);
  for (const [label, t] of [['uwsgitop-ts', ts], ['uwsgitop', py], ...also]) {
    if (!t.pid || !alive(t.pid)) throw new Error(`${label}: could not find the client's pid`);
    await waitForScreen(t.name, ['WID', inst.firstPid]);
  }
  // The window starts --settle seconds after the launch: past start-up and the first reads of all of them.
  await sleep(Math.max(0, Number(opts.settle) * 1000 - (performance.now() - launched)));
  const master0 = cpuSeconds(inst.masterPid);
  const [mTs, mPy, mJson, mFloor, ...mAlso] = await measureTogether([ts.pid, py.pid, json.pid, floor.pid, ...also.map(([, t]) => t.pid)], seconds);
  const masterPct = (100 * (cpuSeconds(inst.masterPid) - master0)) / mTs.wall;
  console.log(describe('uwsgitop-ts dashboard (tmux)', mTs, inst.bytes));
  console.log(describe('uwsgitop 0.12 (tmux)', mPy, inst.bytes));
  console.log(describe('uwsgitop-ts --json --watch', mJson, inst.bytes));
  console.log(describe('node read + JSON.parse a second', mFloor, inst.bytes));
  for (const [label, m] of [['uwsgitop-ts', mTs], ['uwsgitop', mPy], ['--json --watch', mJson]]) {
    console.log(`  ${label} RSS every 10 s: ${m.rssEvery10s.map((x) => x.toFixed(1)).join(' ')} MB`);
  }
  also.forEach(([cmd, t], i) => {
    console.log(describe(`variant ${i + 1} (tmux)`, mAlso[i], inst.bytes));
    console.log(`  variant ${i + 1}: ${cmd}: CPU ${(mAlso[i].cpuPct / mPy.cpuPct).toFixed(2)}x uwsgitop's, RSS ${(mAlso[i].rssMean / mPy.rssMean).toFixed(2)}x; RSS every 10 s: ${mAlso[i].rssEvery10s.map((x) => x.toFixed(1)).join(' ')} MB`);
    stopTmux(t.name);
  });
  console.log(`uWSGI master CPU over the window: ${masterPct.toFixed(2)} % of one core (serving ${4 + also.length} clients)`);
  for (const [label, t] of [['uwsgitop-ts', ts], ['uwsgitop', py]]) {
    const screen = tmux(t.name, 'capture-pane', '-p');
    if (opts.screen) console.log(`--- ${label}, last screen:\n${screen.replace(/\s+$/gm, '')}`);
    else console.log(`  ${label} screen at the end: ${screen.split('\n').filter((l) => l.trim()).length} non-empty lines, first: ${JSON.stringify(screen.split('\n')[0].trim().slice(0, 90))}`);
    stopTmux(t.name);
  }
  process.kill(json.pid, 'SIGINT');
  process.kill(floor.pid, 'SIGTERM');
  return { mTs, mPy, mJson, mFloor };
}

async function main() {
  const seconds = Number(opts.seconds);
  const runs = Number(opts.runs);
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  for (const f of [UWSGI, PYTHON]) if (!existsSync(f)) throw new Error(`${f} not found (scripts/setup.sh test installs it)`);
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-peer-'));
  if (opts.from === 'installed') TS = stageInstalled(join(state.tmp, 'package'));
  else if (opts.from !== 'clone') throw new Error(`--from installed or --from clone, not ${opts.from}`);
  console.log(`uwsgitop-ts: ${opts.from === 'installed' ? 'the package as installed (bin/uwsgitop-ts loading dist/bundle, staged in a temp dir)' : "the clone's bin/uwsgitop-ts (dist/cli)"}`);
  console.log(`machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, node ${process.version}, ${spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim()}; load average ${loadAvg()}`);
  const inst = await startLoadedInstance({ slow: Number(opts.slow), rps: Number(opts.rps), log: (l) => console.log(l) });

  console.log(`\n1. dashboards side by side, ${seconds} s window, 1 s interval, 160x50`);
  const { mTs, mPy, mJson, mFloor } = await sideBySide(inst, seconds);

  console.log(`\n2. start-up, median of ${runs} runs each, alternating`);
  const [version, help, bare] = alternate([[TS, ['--version']], [PYTHON, [PEER, '--help']], [NODE, ['-e', '0']]], runs);
  console.log(`uwsgitop-ts --version: ${fmt(version)}`);
  console.log(`uwsgitop --help:       ${fmt(help)}`);
  console.log(`node -e 0 (the floor): ${fmt(bare)}`);

  const frames = Number(opts.frames);
  console.log(`\n2b. launch to the first frame showing the master pid ${inst.masterPid}, 160x50 tmux, typed into an idle shell, median of ${frames} runs each, alternating`);
  const [ffTs, ffPy] = await launchToFirstFrame(
    [
      ['ts', `${TS} --interval 1 ${inst.addr}`, `pid ${inst.masterPid}`],
      ['peer', `${PYTHON} ${PEER} --frequency 1 ${inst.addr}`, `masterpid: ${inst.masterPid}`],
    ],
    frames,
  );
  const ms = (r) => `median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)}; ${r.samples.map((x) => x.toFixed(0)).join(' ')})`;
  console.log(`uwsgitop-ts (bin/uwsgitop-ts, its shebang): ${ms(ffTs)}`);
  console.log(`uwsgitop 0.12:                              ${ms(ffPy)}`);

  console.log(`\n3. one read of the instance, median of ${Math.ceil(runs / 2)} runs each, alternating`);
  const pyRead = `import json,socket\ns=socket.create_connection(('127.0.0.1',${inst.statsPort}))\nb=bytearray()\nwhile True:\n  d=s.recv(65536)\n  if not d: break\n  b+=d\nd=json.loads(bytes(b))\nprint(len(b), len(d['workers']))`;
  const [jsonOnce, pyOnce, nodeOnce] = alternate(
    [[TS, ['--json', inst.addr]], [PYTHON, ['-c', pyRead]], [NODE, [FLOOR, String(inst.statsPort)]]],
    Math.ceil(runs / 2),
  );
  const record = JSON.parse(jsonOnce.stdout.split('\n')[0]);
  console.log(`uwsgitop-ts --json ADDR:           ${fmt(jsonOnce)} (a record of ${record.workers?.length ?? '?'} workers, ${jsonOnce.stdout.length} bytes)`);
  console.log(`python3 read + json.loads:         ${fmt(pyOnce)} (read ${pyOnce.stdout.trim().split(' ')[0]} bytes, ${pyOnce.stdout.trim().split(' ')[1]} workers)`);
  console.log(`node read + JSON.parse (the floor): ${fmt(nodeOnce)} (read ${nodeOnce.stdout.trim().split(' ')[0]} bytes)`);

  console.log(`\nload average at the end: ${loadAvg()} (CPU figures are each process's own time)`);
  const growth = mTs.rssLast - mTs.rssFirst;
  const ticks = (m) => Math.round(m.cpuSec * CLK_TCK);
  console.log(goalLine(`dashboard CPU, ${seconds} s window after ${opts.settle} s, vs uwsgitop`, mTs.cpuPct / mPy.cpuPct, 1.0, 0.5, `${ticks(mTs)} vs ${ticks(mPy)} ticks (${mTs.cpuPct.toFixed(2)} % vs ${mPy.cpuPct.toFixed(2)} % of one core)`));
  console.log(goalLine('dashboard RSS (window mean) vs the Node floor', mTs.rssMean / mFloor.rssMean, 1.3, null, `${mTs.rssMean.toFixed(1)} MB vs ${mFloor.rssMean.toFixed(1)} MB (node read + JSON.parse a second)`));
  console.log(goalLine('dashboard RSS (window mean) vs uwsgitop', mTs.rssMean / mPy.rssMean, 2.0, 1.5, `${mTs.rssMean.toFixed(1)} MB vs ${mPy.rssMean.toFixed(1)} MB; uwsgitop-ts ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB from the first to the last tenth`));
  console.log(goalLine('launch to first frame (master pid), tmux, vs uwsgitop', ffTs.medianMs / ffPy.medianMs, 1.5, null, `${ffTs.medianMs.toFixed(0)} ms vs ${ffPy.medianMs.toFixed(0)} ms, medians of ${frames}`));
  console.log(goalLine('start-up: --version vs uwsgitop --help', version.wallMs / help.wallMs, 1.5, null, `${version.wallMs.toFixed(0)} ms vs ${help.wallMs.toFixed(0)} ms wall`));
  console.log(goalLine('--json ADDR vs python3 read + json.loads', jsonOnce.wallMs / pyOnce.wallMs, 2.0, null, `${jsonOnce.wallMs.toFixed(0)} ms vs ${pyOnce.wallMs.toFixed(0)} ms wall; CPU ${jsonOnce.cpuMs.toFixed(0)} vs ${pyOnce.cpuMs.toFixed(0)} ms; peak RSS ${jsonOnce.maxRssMb.toFixed(0)} vs ${pyOnce.maxRssMb.toFixed(0)} MB`));
  console.log(`info: --json --watch ${mJson.cpuPct.toFixed(2)} % of one core, ${(mJson.cpuPct / mPy.cpuPct).toFixed(2)}x uwsgitop's dashboard`);
  console.log(`info: node read + JSON.parse a second (no validation, no drawing) ${mFloor.cpuPct.toFixed(2)} % of one core, ${(mFloor.cpuPct / mPy.cpuPct).toFixed(2)}x uwsgitop's dashboard; RSS ${(mFloor.rssMean / mPy.rssMean).toFixed(2)}x (${mFloor.rssMean.toFixed(1)} MB)`);
  console.log(`info: one node read + JSON.parse ${(nodeOnce.wallMs / pyOnce.wallMs).toFixed(2)}x python3's read + json.loads (${nodeOnce.wallMs.toFixed(0)} vs ${pyOnce.wallMs.toFixed(0)} ms wall); uwsgitop-ts --json ADDR ${(jsonOnce.wallMs / nodeOnce.wallMs).toFixed(2)}x that floor`);
}

main()
  .catch((err) => {
    console.error(`bench-peer: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
