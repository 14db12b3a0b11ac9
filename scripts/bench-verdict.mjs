// How long `uwsgitop-ts fifo FIFO chain-reload --stats ADDR --wait` takes to give its verdict after a deploy,
// on a real uWSGI (2 workers, --lazy-apps): a good deploy, an app file with a syntax error, the same with
// --need-app, and an app that exits at import (a crash loop). An independent observer reads the stats every
// 100 ms (raw socket, not the code under test) and notes when the first failing worker is visible (a new
// worker accepting with no app; the stats server refusing; a slot's second respawn); the figure is the
// verdict's time after that moment, and after the FIFO write.
//   node scripts/bench-verdict.mjs                      this build
//   node scripts/bench-verdict.mjs --baseline DIR       also DIR's build (another checkout with dist/), side by side
// Figures and "goal:" lines are printed; nothing is asserted. The observer is a second reader of the stats
// server, for the measurement only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadAvg, readStats, sleep } from './bench-support/real.mjs';
import { startUwsgi } from '../test/support/bed/uwsgi.mjs';
import { goalLine } from './bench-support/goal.mjs';

const baselineAt = process.argv.indexOf('--baseline');
const builds = [['this build', ROOT]];
if (baselineAt > 0) builds.push(['baseline', process.argv[baselineAt + 1]]);

const GOOD = (v) => `def application(env, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'${v}']\n`;
const SCENARIOS = [
  { name: 'good deploy', source: GOOD('v2'), needApp: false, visible: null },
  { name: 'syntax error, --lazy-apps', short: 'lazy-apps syntax error', source: 'def application(env, start_response)\n    return []\n', needApp: false, visible: 'no-app' },
  { name: 'syntax error, --need-app', short: '--need-app syntax error', source: 'def application(env, start_response)\n    return []\n', needApp: true, visible: 'gone' },
  { name: 'os._exit(3) at import (crash loop)', short: 'crash loop at import', source: 'import os\nos._exit(3)\n', needApp: false, visible: 'respawn' },
];

const started = new Set();

async function startInstance(needApp) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-verdict-'));
  const app = join(dir, 'app.py');
  writeFileSync(app, GOOD('v1'));
  // The test bed's start: free ports, and it resolves once both workers accept.
  const uwsgi = await startUwsgi({ dir, wsgiFile: app, workers: 2, fifos: ['m.fifo'], args: ['--lazy-apps', ...(needApp ? ['--need-app'] : [])] });
  const proc = { child: uwsgi, dir, app, stats: uwsgi.statsPort, fifo: uwsgi.fifos[0] };
  started.add(proc);
  for (let i = 0; i < 100; i++) {
    try {
      const doc = JSON.parse(String(await readStats(proc.stats, 1000)));
      if (doc.workers.filter((w) => w.pid > 0 && w.accepting === 1).length === 2) return { ...proc, before: doc };
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error('uWSGI did not start');
}

function stop(proc) {
  started.delete(proc);
  try {
    process.kill(-proc.child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  rmSync(proc.dir, { recursive: true, force: true });
}

/** Poll the stats every 100 ms until `kind` of failure shows; resolves with its time (ms since t0), or null. */
function observe(proc, kind, t0, until) {
  const oldPids = new Set(proc.before.workers.map((w) => w.pid));
  const respawns = new Map(proc.before.workers.map((w) => [w.id, w.respawn_count]));
  return (async () => {
    while (!until.done) {
      try {
        const doc = JSON.parse(String(await readStats(proc.stats, 1000)));
        if (kind === 'no-app' && doc.workers.some((w) => !oldPids.has(w.pid) && w.accepting === 1 && w.apps.length === 0)) return performance.now() - t0;
        if (kind === 'respawn' && doc.workers.some((w) => w.respawn_count >= respawns.get(w.id) + 2)) return performance.now() - t0;
      } catch (err) {
        if (kind === 'gone' && err.code === 'ECONNREFUSED') return performance.now() - t0;
      }
      await sleep(100);
    }
    return null;
  })();
}

function runCli(root, proc) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'uwsgitop-ts'), 'fifo', proc.fifo, 'chain-reload', '--stats', `127.0.0.1:${proc.stats}`, '--wait', '--timeout', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, line: out.trim().split('\n').at(-1) ?? '' }));
  });
}

const results = [];
process.on('SIGINT', () => {
  for (const p of [...started]) stop(p);
  process.exit(130);
});
console.log(`load average before: ${loadAvg()} (a shared machine: other work runs beside this)`);
for (const scenario of SCENARIOS) {
  for (const [label, root] of builds) {
    const proc = await startInstance(scenario.needApp);
    try {
      writeFileSync(proc.app, scenario.source);
      const until = { done: false };
      const t0 = performance.now();
      const seen = scenario.visible ? observe(proc, scenario.visible, t0, until) : Promise.resolve(null);
      const cli = await runCli(root, proc);
      const verdictMs = performance.now() - t0;
      until.done = true;
      const visibleMs = await seen;
      results.push({ scenario: scenario.name, label, code: cli.code, verdictMs, visibleMs });
      const after = visibleMs === null ? '' : `, ${((verdictMs - visibleMs) / 1000).toFixed(2)} s after the first failing worker was visible (at ${(visibleMs / 1000).toFixed(2)} s)`;
      console.log(`${scenario.name.padEnd(36)} ${label.padEnd(10)} exit ${cli.code}  verdict ${(verdictMs / 1000).toFixed(2)} s after the write${after}`);
      console.log(`    ${cli.line.slice(0, 200)}`);
    } finally {
      stop(proc);
    }
  }
}
for (const scenario of SCENARIOS.filter((s) => s.visible)) {
  const mine = results.find((r) => r.scenario === scenario.name && r.label === 'this build');
  const base = results.find((r) => r.scenario === scenario.name && r.label === 'baseline');
  if (mine?.visibleMs != null) {
    const after = (mine.verdictMs - mine.visibleMs) / 1000;
    console.log(goalLine(`verdict after visible: ${scenario.short}`, after / 5, 1, null, `${after.toFixed(2)} s after the first failing worker, against the 5 s aim`));
  }
  if (mine && base) console.log(`ratio ${scenario.name}: baseline ${(base.verdictMs / 1000).toFixed(2)} s (exit ${base.code}) / this build ${(mine.verdictMs / 1000).toFixed(2)} s (exit ${mine.code}) = ${(base.verdictMs / mine.verdictMs).toFixed(1)}x`);
}
console.log(`load average after: ${loadAvg()}`);
