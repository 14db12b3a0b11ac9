#!/usr/bin/env node
// Dashboard CPU on a real instance: starts a real uWSGI with 32 workers x 100 async cores (ugreen), keeps a few
// slow requests in flight, runs the built dashboard (`node bin/uwsgitop-ts --interval 1 ADDR`) in a real tmux
// terminal and measures its CPU (utime+stime from /proc) and memory over a window; then measures the same for
// `--json --watch` (the shared pipeline without drawing). Run `npm run build` first.
//
//   node scripts/bench-dashboard-cpu.mjs [--seconds 60] [--slow 8] [--rps 5] [--screen] [--uwsgitop PATH]
//   node scripts/bench-dashboard-cpu.mjs --profile DIR [--seconds 20]    dashboard under node --cpu-prof, top self time
//   node scripts/bench-dashboard-cpu.mjs --summarize FILE.cpuprofile [--skip S]   top self time of a profile
//
// --screen prints the dashboard's last screen.
//
// --uwsgitop PATH also measures uwsgitop (the Python tool) on the same instance, in the same kind of terminal.
// Every process started here is stopped by pid (tmux server by its socket name, uWSGI by process group),
// also on Ctrl-C and on error.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, openSync, closeSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import http from 'node:http';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UWSGI = '/usr/bin/uwsgi';
const WORKERS = 32;
const CORES = 100;
// uwsgitop 0.12 on the same kind of instance and machine (the issue's reference figures).
const REF_CPU_PCT = 3.5;
const REF_RSS_MB = 50;

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    slow: { type: 'string', default: '8' },
    rps: { type: 'string', default: '5' },
    uwsgitop: { type: 'string' },
    profile: { type: 'string' },
    summarize: { type: 'string' },
    top: { type: 'string', default: '25' },
    skip: { type: 'string', default: '0' },
    screen: { type: 'boolean', default: false },
  },
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// ---------------------------------------------------------------------------------------------------------
// CPU profile summary (self time per function, and per file)

/**
 * Self time per function and per file from a V8 .cpuprofile, as a table of the top entries. Samples before
 * `fromUs` (V8's monotonic clock, the one process.hrtime uses) are left out, so start-up can be excluded.
 */
function summarizeProfile(file, top, fromUs = 0) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // samples[i] was taken timeDeltas[i+1] before the next one: charge each interval to the sampled node.
  let at = prof.startTime;
  let firstUs = null;
  for (let i = 0; i < prof.samples.length; i++) {
    at += prof.timeDeltas[i];
    if (at < fromUs) continue;
    firstUs ??= at;
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const shortUrl = (u) => {
    if (!u) return '';
    const p = u.replace(/^file:\/\//, '');
    return p.startsWith(ROOT + '/') ? p.slice(ROOT.length + 1) : p;
  };
  const fnKey = new Map();
  const fileKey = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') { idle += us; continue; }
    total += us;
    const url = shortUrl(cf.url);
    const name = `${url || '(native)'}:${cf.functionName || '(anonymous)'}${url ? `:${cf.lineNumber + 1}` : ''}`;
    fnKey.set(name, (fnKey.get(name) ?? 0) + us);
    const fileName = url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*/, 'node_modules/$1 (package)') : (url || cf.functionName);
    fileKey.set(fileName, (fileKey.get(fileName) ?? 0) + us);
  }
  const wall = (prof.endTime - (firstUs ?? prof.startTime)) / 1e6;
  const lines = [];
  const skipped = firstUs === null ? 0 : (firstUs - prof.startTime) / 1e6;
  lines.push(`profile ${file}${skipped > 0 ? ` (first ${skipped.toFixed(1)} s, start-up, left out)` : ''}: ${wall.toFixed(1)} s wall, ${(total / 1e6).toFixed(2)} s busy (${((100 * total) / 1e6 / wall).toFixed(1)} % of one core), idle ${(idle / 1e6).toFixed(1)} s`);
  lines.push(`top self time by function (share of busy time):`);
  for (const [k, us] of [...fnKey].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
  lines.push(`self time by file / package:`);
  for (const [k, us] of [...fileKey].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  }
  return lines.join('\n');
}

if (opts.summarize) {
  // --skip S: leave out the profile's first S seconds.
  const { startTime } = JSON.parse(readFileSync(opts.summarize, 'utf8'));
  console.log(summarizeProfile(opts.summarize, Number(opts.top), startTime + Number(opts.skip) * 1e6));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// /proc sampling

/** utime+stime of a process in seconds, from /proc/PID/stat (fields 14 and 15, after the command name). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** VmRSS and VmHWM of a process, in MB. */
function memoryMb(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Bytes the process has read through read-like calls (sockets included), from /proc/PID/io. */
function rchar(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/io`, 'utf8').match(/^rchar:\s+(\d+)/m)[1]);
  } catch {
    return NaN;
  }
}

/** Child pids of a process (all threads), from /proc/PID/task/TID/children. */
function childrenOf(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

/** The 1, 5 and 15 minute load averages, as the kernel prints them. */
const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const alive = (pid) => existsSync(`/proc/${pid}`);

// ---------------------------------------------------------------------------------------------------------
// Processes we start (all stopped in cleanup(), by pid or by tmux socket name)

const state = { stopLoad: () => {}, uwsgiPid: 0, tmuxNames: [], children: [], requests: new Set(), stopping: false, tmp: '' };

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** One raw read of the stats server: the whole document, as bytes. */
function readStats(port, timeoutMs = 10_000) {
  return new Promise((res, rej) => {
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1');
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('stats read timed out')));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', rej);
    sock.on('end', () => res(Buffer.concat(chunks)));
  });
}

function tmux(name, ...args) {
  return execFileSync('tmux', ['-L', name, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function cleanup() {
  if (state.stopping) return;
  state.stopping = true;
  state.stopLoad();
  for (const req of state.requests) req.destroy();
  for (const name of state.tmuxNames) {
    try {
      tmux(name, 'kill-server');
    } catch {
      /* already gone */
    }
  }
  for (const pid of state.children) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  if (state.uwsgiPid) {
    const pg = -state.uwsgiPid;
    try {
      process.kill(pg, 'SIGINT');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 50 && alive(state.uwsgiPid); i++) await sleep(100);
    try {
      process.kill(pg, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping everything this benchmark started`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------
// The instance and its load

async function startUwsgi() {
  const httpPort = await freePort();
  const statsPort = await freePort();
  const log = join(state.tmp, 'uwsgi.log');
  const fd = openSync(log, 'a');
  const args = [
    '--master', '--plugin', 'python3', '--plugin', 'ugreen', '--async', String(CORES), '--ugreen',
    '--workers', String(WORKERS), '--wsgi-file', join(ROOT, 'scripts/demo/app.py'),
    '--http-socket', `127.0.0.1:${httpPort}`, '--stats', `127.0.0.1:${statsPort}`, '--memory-report',
  ];
  const child = spawn(UWSGI, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  state.uwsgiPid = child.pid;
  child.on('exit', (code, sig) => {
    if (!state.stopping) console.error(`uWSGI exited early (${code ?? sig}); log: ${log}`);
  });
  // Ready when the stats document lists every worker, each with its cores and a pid.
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const body = await readStats(statsPort);
      const doc = JSON.parse(body.toString('latin1'));
      const workers = doc.workers ?? [];
      const cores = workers.map((w) => (w.cores ?? []).length);
      if (workers.length === WORKERS && workers.every((w) => w.pid > 0 && w.accepting === 1) && cores.every((c) => c === CORES)) {
        return { httpPort, statsPort, log, doc, bytes: body.length };
      }
      last = `${workers.length} workers, cores ${Math.min(...cores)}..${Math.max(...cores)}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(500);
  }
  throw new Error(`uWSGI did not come up with ${WORKERS} workers x ${CORES} cores within 60 s (last: ${last}); log: ${log}`);
}

/** Keeps `slow` /slow requests in flight (each re-issued when it ends) and sends `rps` fast requests a second. */
function startLoad(httpPort, slow, rps, slowSeconds) {
  const get = (path) => {
    const req = http.get({ host: '127.0.0.1', port: httpPort, path, agent: false }, (res) => res.resume());
    state.requests.add(req);
    req.on('error', () => {});
    return new Promise((res) => req.on('close', () => { state.requests.delete(req); res(); }));
  };
  const keepSlow = async (i) => {
    while (!state.stopping) await get(`/slow?s=${slowSeconds}&n=${i}`);
  };
  for (let i = 0; i < slow; i++) keepSlow(i);
  const timer = rps > 0 ? setInterval(() => { if (!state.stopping) get('/'); }, 1000 / rps) : null;
  return () => { if (timer) clearInterval(timer); };
}

// ---------------------------------------------------------------------------------------------------------
// Measuring one client

/** Starts a command in a fresh tmux server (160x50), returns the pid of the command itself. */
async function startInTmux(label, command) {
  const name = `uwsgitop-bench-${process.pid}-${label}`;
  state.tmuxNames.push(name);
  // `exec` so the pane's process is the client itself, not a shell around it.
  tmux(name, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-c', ROOT, `exec ${command}`);
  const panePid = Number(tmux(name, 'list-panes', '-F', '#{pane_pid}').trim());
  // Should the shell not exec, the client is its child.
  const comm = readFileSync(`/proc/${panePid}/comm`, 'utf8').trim();
  const pid = comm === 'sh' || comm === 'bash' || comm === 'dash' ? childrenOf(panePid)[0] : panePid;
  return { name, pid };
}

async function waitForScreen(name, needle, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux(name, 'capture-pane', '-p');
    if (needle.every((n) => screen.includes(n))) return screen;
    await sleep(250);
  }
  throw new Error(`the terminal never showed ${needle.join(' and ')}; last screen:\n${screen}`);
}

/** Samples CPU, RSS and bytes read of `pid` every second for `seconds`; returns the window's figures. */
async function measure(pid, seconds) {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const read0 = rchar(pid);
  let peakRss = 0;
  const rssSamples = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(Math.max(0, t0 + (i + 1) * 1000 - performance.now()));
    if (!alive(pid)) throw new Error(`pid ${pid} exited during the measurement`);
    const { rss } = memoryMb(pid);
    rssSamples.push(rss);
    peakRss = Math.max(peakRss, rss);
  }
  const cpu1 = cpuSeconds(pid);
  const wall = (performance.now() - t0) / 1000;
  const mem = memoryMb(pid);
  return {
    wall,
    cpuSec: cpu1 - cpu0,
    cpuPct: (100 * (cpu1 - cpu0)) / wall,
    rssEnd: mem.rss,
    rssPeakSampled: peakRss,
    rssMean: rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length,
    hwm: mem.hwm,
    bytesRead: rchar(pid) - read0,
  };
}

function report(label, m, docBytes, masterCpuSec) {
  const reads = Number.isFinite(m.bytesRead) ? `${m.bytesRead > 0 ? (m.bytesRead / docBytes).toFixed(1) : 0} documents' worth read (${(m.bytesRead / 1e6).toFixed(1)} MB)` : 'reads unknown';
  console.log(
    `${label.padEnd(34)} CPU ${m.cpuPct.toFixed(2).padStart(6)} % of one core (${m.cpuSec.toFixed(2)} s in ${m.wall.toFixed(1)} s)` +
      `  RSS end ${m.rssEnd.toFixed(1)} MB, mean ${m.rssMean.toFixed(1)} MB, peak VmHWM ${m.hwm.toFixed(1)} MB  ${reads}` +
      (masterCpuSec === null ? '' : `  uWSGI master CPU ${((100 * masterCpuSec) / m.wall).toFixed(2)} %`),
  );
}

async function measureClient(label, start, waitNeedle, seconds, inst) {
  const { name, pid } = await start();
  if (!pid || !alive(pid)) throw new Error(`${label}: could not find the client's pid`);
  if (waitNeedle) await waitForScreen(name, waitNeedle);
  else await sleep(3000); // a headless client: let it make its first reads
  await sleep(1000);
  const master0 = cpuSeconds(inst.masterPid);
  const m = await measure(pid, seconds);
  const masterCpu = cpuSeconds(inst.masterPid) - master0;
  report(label, m, inst.bytes, masterCpu);
  return { name, pid, m, masterCpu };
}

function stopTmux(name) {
  try {
    tmux(name, 'kill-server');
  } catch {
    /* gone */
  }
  state.tmuxNames = state.tmuxNames.filter((n) => n !== name);
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const seconds = Number(opts.seconds);
  const slow = Number(opts.slow);
  const rps = Number(opts.rps);
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  if (!existsSync(UWSGI)) throw new Error(`${UWSGI} not found (scripts/setup.sh test installs it)`);
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-cpu-'));

  console.log(`machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, node ${process.version}, CLK_TCK ${CLK_TCK}; window ${seconds} s at --interval 1; load average ${loadAvg()}`);
  const inst = await startUwsgi();
  inst.masterPid = inst.doc.pid;
  const nCores = inst.doc.workers.reduce((a, w) => a + w.cores.length, 0);
  console.log(`uWSGI ${inst.doc.version}: master ${inst.doc.pid}, ${inst.doc.workers.length} workers x ${inst.doc.workers[0].cores.length} cores (${nCores} cores), stats document ${inst.bytes} bytes (${(inst.bytes / 1e6).toFixed(2)} MB)`);

  const slowSeconds = 30;
  state.stopLoad = startLoad(inst.httpPort, slow, rps, slowSeconds);
  await sleep(2000);
  const withLoad = JSON.parse((await readStats(inst.statsPort)).toString('latin1'));
  const inFlight = withLoad.workers.reduce((a, w) => a + w.cores.filter((c) => c.in_request === 1).length, 0);
  const loadedBytes = (await readStats(inst.statsPort)).length;
  console.log(`load: ${slow} /slow?s=${slowSeconds} requests kept in flight (re-issued as they end; ${inFlight} cores in a request when checked) + ${rps} fast GET / per second; document with load ${loadedBytes} bytes`);
  inst.bytes = loadedBytes;
  const addr = `127.0.0.1:${inst.statsPort}`;
  const firstPid = String(inst.doc.workers[0].pid);
  const node = process.execPath;

  if (opts.profile) {
    const dir = resolve(opts.profile);
    const { name, pid } = await startInTmux('prof', `${node} --cpu-prof --cpu-prof-dir ${dir} bin/uwsgitop-ts --interval 1 ${addr}`);
    await waitForScreen(name, ['WID', firstPid]);
    await sleep(1000);
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const m = await measure(pid, seconds);
    report(`dashboard under --cpu-prof`, m, inst.bytes, null);
    tmux(name, 'send-keys', 'q'); // a normal exit writes the profile
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    stopTmux(name);
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
    const newest = files.sort().at(-1);
    if (!newest) throw new Error(`no .cpuprofile written in ${dir}`);
    console.log(summarizeProfile(newest, Number(opts.top), fromUs));
    return;
  }

  const results = [];
  const dash = await measureClient(
    'dashboard (tmux 160x50)',
    () => startInTmux('dash', `${node} bin/uwsgitop-ts --interval 1 ${addr}`),
    ['WID', firstPid], seconds, inst,
  );
  results.push(['dashboard', dash.m]);
  const screen = tmux(dash.name, 'capture-pane', '-p');
  if (opts.screen) console.log(screen.replace(/\s+$/gm, ''));
  else console.log(`  screen at the end: ${screen.split('\n').filter((l) => l.trim()).length} non-empty lines, first: ${JSON.stringify(screen.split('\n')[0].trim().slice(0, 100))}`);
  stopTmux(dash.name);

  const json = await measureClient(
    'json --watch (no drawing)',
    async () => {
      const out = openSync('/dev/null', 'w');
      const child = spawn(node, ['bin/uwsgitop-ts', '--json', '--watch', '--interval', '1', addr], { cwd: ROOT, stdio: ['ignore', out, 'inherit'] });
      closeSync(out);
      state.children.push(child.pid);
      return { name: null, pid: child.pid };
    },
    null, seconds, inst,
  );
  results.push(['json --watch', json.m]);
  process.kill(json.pid, 'SIGINT');

  if (opts.uwsgitop) {
    const u = await measureClient(
      'uwsgitop (tmux 160x50)',
      () => startInTmux('uwsgitop', `${opts.uwsgitop} --frequency 1 ${addr}`),
      ['WID', firstPid], seconds, inst,
    );
    results.push(['uwsgitop', u.m]);
    stopTmux(u.name);
  }

  console.log(`load average at the end: ${loadAvg()} (CPU figures are each process's own time, so other load on the machine shows less in them than in wall time)`);
  const d = results[0][1];
  const verdict = d.cpuPct <= REF_CPU_PCT ? 'at or below' : 'ABOVE';
  console.log(`comparison: dashboard ${d.cpuPct.toFixed(2)} % CPU, ${d.rssEnd.toFixed(0)} MB RSS vs uwsgitop 0.12 reference ${REF_CPU_PCT} % CPU, ${REF_RSS_MB} MB RSS: CPU ${verdict} the reference`);
}

main()
  .catch((err) => {
    console.error(`bench-dashboard-cpu: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
