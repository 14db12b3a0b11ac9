#!/usr/bin/env node
// CPU of `uwsgitop-ts --json --watch --interval 1` on an abstract stats socket (@name) against a TCP one.
// On Node < 22 abstract sockets are reached through python3 (a helper process), so the helper's CPU counts:
// for each target this prints the node process's utime+stime+cutime+cstime (children that exited, e.g.
// per-read helpers) and the utime+stime of every child still running (a long-lived broker), between
// second 3 and second 3+N, in clock ticks and as % of one core. Run `npm run build` first.
//
//   node scripts/bench-abstract-cpu.mjs [--seconds 20] [--workers 4] [--targets abstract,tcp]
//
// Every process started here is stopped by pid (uWSGI by its process group), also on Ctrl-C and on error.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startUwsgi as startBedUwsgi } from '../test/support/bed/uwsgi.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_PCT = 3.5;
const WARMUP_S = 3;

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '4' },
    targets: { type: 'string', default: 'abstract,tcp' },
  },
});
const SECONDS = Number(opts.seconds);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cleanups = [];
async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch {
      /* best effort */
    }
  }
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

/** utime, stime, cutime, cstime of a pid (fields 14-17 of /proc/PID/stat), or null when it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): field N is fields[N - 3].
    return { utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
  } catch {
    return null;
  }
}

/** Pids of the running children of `pid`. */
function childrenOf(pid) {
  const found = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      found.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      /* task gone */
    }
  }
  return found;
}

/** CPU of the node process (with its reaped children) and of each running child, at this moment. */
function sample(pid) {
  const own = cpuTicks(pid);
  const children = new Map();
  for (const child of childrenOf(pid)) {
    const ticks = cpuTicks(child);
    if (ticks) children.set(child, ticks.utime + ticks.stime);
  }
  return { self: own.utime + own.stime + own.cutime + own.cstime, children };
}

/** The instance, from the test bed (free port or abstract name), stopped in cleanup(). */
async function startUwsgi(kind, dir) {
  const proc = await startBedUwsgi({ dir, stats: kind === 'abstract' ? 'abstract' : 'tcp', workers: Number(opts.workers) });
  cleanups.push(() => proc.stop(3000));
  return { pid: proc.pid, target: proc.statsAddress };
}

async function measure(kind, dir) {
  const uwsgi = await startUwsgi(kind, dir);
  await sleep(1500); // the workers are up
  // Like > /dev/null, but kept to check that every interval produced a document of this instance.
  const outFile = join(dir, `uwsgitop-${kind}.ndjson`);
  const devnull = openSync(outFile, 'w');
  const errFile = join(dir, `uwsgitop-${kind}.err`);
  const errFd = openSync(errFile, 'w');
  const node = spawn(process.execPath, [join(ROOT, 'bin', 'uwsgitop-ts'), '--json', '--watch', '--interval', '1', uwsgi.target], {
    cwd: ROOT,
    stdio: ['ignore', devnull, errFd],
  });
  closeSync(devnull);
  closeSync(errFd);
  const nodeExited = new Promise((ok) => node.once('exit', ok));
  cleanups.push(async () => {
    try {
      process.kill(node.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([nodeExited, sleep(2000)]);
    try {
      process.kill(node.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  await sleep(WARMUP_S * 1000);
  const first = sample(node.pid);
  await sleep(SECONDS * 1000);
  const last = sample(node.pid);
  const running = [...last.children.keys()];
  const cmdlines = running.map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    } catch {
      return '?';
    }
  });
  const selfTicks = last.self - first.self;
  // A child that started after the first sample counts from zero.
  const childTicks = running.reduce((sum, pid) => sum + last.children.get(pid) - (first.children.get(pid) ?? 0), 0);
  await cleanup();
  const errors = readFileSync(errFile, 'utf8').trim();
  const lines = readFileSync(outFile, 'utf8').split('\n').filter(Boolean);
  const ofInstance = lines.filter((line) => line.includes(`"pid":${uwsgi.pid}`)).length;
  return { kind, target: uwsgi.target, selfTicks, childTicks, running: running.map((pid, i) => `${pid} (${cmdlines[i]})`), errors, lines: lines.length, ofInstance };
}

const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-abstract-'));
try {
  console.log(`node ${process.versions.node}, ${opts.workers} workers, ${SECONDS} s after a ${WARMUP_S} s warm-up, CLK_TCK ${CLK_TCK}, budget ${BUDGET_PCT} % of a core`);
  for (const kind of opts.targets.split(',')) {
    const r = await measure(kind, dir);
    const pct = (ticks) => ((ticks / CLK_TCK / SECONDS) * 100).toFixed(2);
    const total = r.selfTicks + r.childTicks;
    console.log(
      `${kind.padEnd(8)} node+reaped children ${String(r.selfTicks).padStart(4)} ticks (${pct(r.selfTicks)} %), ` +
        `running children ${String(r.childTicks).padStart(4)} ticks (${pct(r.childTicks)} %), total ${total} ticks = ${pct(total)} % of one core` +
        (r.running.length > 0 ? `; running children: ${r.running.join(', ')}` : ''),
    );
    console.log(`  ${r.lines} NDJSON lines, ${r.ofInstance} naming the master pid`);
    if (r.errors) console.log(`  uwsgitop-ts stderr: ${r.errors.split('\n').slice(-3).join(' | ')}`);
  }
} finally {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
}
