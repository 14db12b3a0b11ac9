// What the benchmarks on a real instance share: /proc readings of a process, a real uWSGI with 32 workers x
// 100 ugreen cores and its load, private tmux servers at 160x50, and the cleanup of everything started here
// (tmux servers by socket name, children by pid, uWSGI by process group), also on Ctrl-C and on error.
// Ports, the uWSGI start and the raw stats read are the test bed's (test/support/bed), the suite's own.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { freePort } from '../../test/support/bed/port.mjs';
import { cleanupAll, rawStatsBytes, startUwsgi as startBedUwsgi, uwsgiBinary } from '../../test/support/bed/uwsgi.mjs';

export { freePort };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const UWSGI = uwsgiBinary();
export const WORKERS = 32;
export const CORES = 100;
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// /proc readings

/** utime+stime of a process in seconds, from /proc/PID/stat (fields 14 and 15, after the command name). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** VmRSS and VmHWM of a process, in MB. */
export function memoryMb(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Bytes the process has read through read-like calls (sockets included), from /proc/PID/io. */
export function rchar(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/io`, 'utf8').match(/^rchar:\s+(\d+)/m)[1]);
  } catch {
    return NaN;
  }
}

/** Child pids of a process (all threads), from /proc/PID/task/TID/children. */
export function childrenOf(pid) {
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
export const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

export const alive = (pid) => existsSync(`/proc/${pid}`);

// ---------------------------------------------------------------------------------------------------------
// Processes started here (all stopped in cleanup())

export const state = { stopLoad: () => {}, uwsgiPid: 0, tmuxNames: [], children: [], requests: new Set(), stopping: false, tmp: '' };

/** One raw read of the stats server on 127.0.0.1:port: the whole document, as bytes (the test bed's read). */
export function readStats(port, timeoutMs = 10_000) {
  return rawStatsBytes({ statsBind: `127.0.0.1:${port}` }, timeoutMs);
}

export function tmux(name, ...args) {
  return execFileSync('tmux', ['-L', name, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Stop everything this benchmark started. */
export async function cleanup() {
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
  // Every uWSGI the test bed started here: SIGINT, then SIGKILL of its process group.
  await cleanupAll();
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

/** Starts the 32 x 100 instance (demo app) and resolves once its stats list every worker with every core. */
export async function startUwsgi(extraArgs = []) {
  const proc = await startBedUwsgi({
    dir: state.tmp,
    workers: WORKERS,
    args: ['--plugin', 'ugreen', '--async', String(CORES), '--ugreen', '--memory-report', ...extraArgs],
    timeoutMs: 60_000,
  });
  state.uwsgiPid = proc.pid;
  const log = proc.logFile;
  proc.exited.then(() => {
    if (!state.stopping) console.error(`uWSGI exited early; log: ${log}`);
  });
  const statsPort = proc.statsPort;
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const body = await readStats(statsPort);
      const doc = JSON.parse(body.toString('latin1'));
      const workers = doc.workers ?? [];
      const cores = workers.map((w) => (w.cores ?? []).length);
      if (workers.length === WORKERS && workers.every((w) => w.pid > 0 && w.accepting === 1) && cores.every((c) => c === CORES)) {
        return { httpPort: proc.httpPort, statsPort, log, doc, bytes: body.length, masterPid: doc.pid };
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
export function startLoad(httpPort, slow, rps, slowSeconds) {
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
  state.stopLoad = () => { if (timer) clearInterval(timer); };
}

/**
 * Starts the instance with its load and describes both; resolves once `slow` cores hold a request.
 * `log` receives one line per fact worth printing.
 */
export async function startLoadedInstance({ slow, rps, log, extraArgs = [] }) {
  const inst = await startUwsgi(extraArgs);
  const nCores = inst.doc.workers.reduce((a, w) => a + w.cores.length, 0);
  log(`uWSGI ${inst.doc.version}: master ${inst.doc.pid}, ${inst.doc.workers.length} workers x ${inst.doc.workers[0].cores.length} cores (${nCores} cores), stats document ${inst.bytes} bytes (${(inst.bytes / 1e6).toFixed(2)} MB)`);
  const slowSeconds = 30;
  startLoad(inst.httpPort, slow, rps, slowSeconds);
  let inFlight = 0;
  for (let i = 0; i < 20 && inFlight < slow; i++) {
    await sleep(500);
    const doc = JSON.parse((await readStats(inst.statsPort)).toString('latin1'));
    inFlight = doc.workers.reduce((a, w) => a + w.cores.filter((c) => c.in_request === 1).length, 0);
  }
  inst.bytes = (await readStats(inst.statsPort)).length;
  log(`load: ${slow} /slow?s=${slowSeconds} requests kept in flight (re-issued as they end; ${inFlight} cores in a request when checked) + ${rps} fast GET / per second; document with load ${inst.bytes} bytes`);
  inst.addr = `127.0.0.1:${inst.statsPort}`;
  inst.firstPid = String(inst.doc.workers[0].pid);
  return inst;
}

// ---------------------------------------------------------------------------------------------------------
// Terminals

/** Starts a command in a fresh tmux server (160x50), returns the server's name and the command's own pid. */
export async function startInTmux(label, command) {
  const name = `uwsgitop-bench-${process.pid}-${label}`;
  state.tmuxNames.push(name);
  // `exec` so the pane's process is the client itself, not a shell around it.
  tmux(name, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-c', ROOT, `exec ${command}`);
  const panePid = Number(tmux(name, 'list-panes', '-F', '#{pane_pid}').trim());
  // The pane starts as a shell that execs the command: on a loaded machine that takes a moment. Should the
  // shell not exec, the client is its child.
  for (let i = 0; i < 100; i++) {
    const comm = readFileSync(`/proc/${panePid}/comm`, 'utf8').trim();
    if (comm !== 'sh' && comm !== 'bash' && comm !== 'dash') return { name, pid: panePid };
    const child = childrenOf(panePid)[0];
    if (child !== undefined) return { name, pid: child };
    await sleep(50);
  }
  throw new Error(`${label}: the terminal's shell never started ${command}`);
}

/** Resolves with the screen once the terminal shows every needle. */
export async function waitForScreen(name, needle, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux(name, 'capture-pane', '-p');
    if (needle.every((n) => screen.includes(n))) return screen;
    await sleep(250);
  }
  throw new Error(`the terminal never showed ${needle.join(' and ')}; last screen:\n${screen}`);
}

export function stopTmux(name) {
  try {
    tmux(name, 'kill-server');
  } catch {
    /* gone */
  }
  state.tmuxNames = state.tmuxNames.filter((n) => n !== name);
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

/**
 * Samples CPU, RSS and bytes read of every pid once a second for `seconds`, all over the same window;
 * resolves with one set of figures per pid.
 */
export async function measureTogether(pids, seconds) {
  const t0 = performance.now();
  const start = pids.map((pid) => ({ cpu: cpuSeconds(pid), read: rchar(pid) }));
  const rss = pids.map(() => []);
  for (let i = 0; i < seconds; i++) {
    await sleep(Math.max(0, t0 + (i + 1) * 1000 - performance.now()));
    pids.forEach((pid, k) => {
      if (!alive(pid)) throw new Error(`pid ${pid} exited during the measurement`);
      rss[k].push(memoryMb(pid).rss);
    });
  }
  const wall = (performance.now() - t0) / 1000;
  return pids.map((pid, k) => {
    const cpuSec = cpuSeconds(pid) - start[k].cpu;
    const mem = memoryMb(pid);
    const s = rss[k];
    const tenth = Math.max(1, Math.floor(s.length / 10));
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      wall,
      cpuSec,
      cpuPct: (100 * cpuSec) / wall,
      rssEnd: mem.rss,
      rssMean: mean(s),
      rssFirst: mean(s.slice(0, tenth)),
      rssLast: mean(s.slice(-tenth)),
      rssPeakSampled: Math.max(...s),
      rssEvery10s: s.filter((_, i) => i % 10 === 9),
      hwm: mem.hwm,
      bytesRead: rchar(pid) - start[k].read,
    };
  });
}

/** One line of a client's figures. */
export function describe(label, m, docBytes) {
  const reads = Number.isFinite(m.bytesRead) ? `${m.bytesRead > 0 ? (m.bytesRead / docBytes).toFixed(1) : 0} documents' worth read` : 'reads unknown';
  return (
    `${label.padEnd(30)} CPU ${m.cpuPct.toFixed(2).padStart(5)} % of one core (${m.cpuSec.toFixed(2)} s in ${m.wall.toFixed(1)} s)` +
    `  RSS first/last tenth ${m.rssFirst.toFixed(1)}/${m.rssLast.toFixed(1)} MB, end ${m.rssEnd.toFixed(1)} MB, VmHWM ${m.hwm.toFixed(1)} MB  ${reads}`
  );
}
