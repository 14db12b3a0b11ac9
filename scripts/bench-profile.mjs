#!/usr/bin/env node
// Where the dashboard's time goes on a real instance: starts the 32 workers x 100 ugreen cores instance with its
// load (scripts/bench-support/real.mjs), runs the built dashboard under `node --cpu-prof` in a 160x50 tmux
// terminal, and prints the top self-time functions and files of the measured window. Run `npm run build` first.
//
//   node scripts/bench-profile.mjs --profile DIR [--seconds 20] [--top 25] [--flags "--max-semi-space-size=1"]
//   node scripts/bench-profile.mjs --summarize FILE.cpuprofile [--skip S]   top self time of a saved profile
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT, alive, cleanup, describe, measureTogether, sleep, startInTmux, startLoadedInstance, state, stopTmux, tmux, waitForScreen,
} from './bench-support/real.mjs';

// The V8 flags the launcher starts node with (its sh line: `exec node FLAGS "$0" "$@"`), so the profile is of the dashboard as run.
const LAUNCHER_FLAGS = /exec node (.*?) "\$0"/.exec(readFileSync(join(ROOT, 'bin/uwsgitop-ts'), 'utf8'))[1].trim();

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    slow: { type: 'string', default: '8' },
    rps: { type: 'string', default: '5' },
    profile: { type: 'string' },
    summarize: { type: 'string' },
    flags: { type: 'string', default: '' },
    top: { type: 'string', default: '25' },
    skip: { type: 'string', default: '0' },
  },
});

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


async function main() {
  if (!opts.profile) throw new Error('give --profile DIR (or --summarize FILE.cpuprofile)');
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-prof-'));
  const inst = await startLoadedInstance({ slow: Number(opts.slow), rps: Number(opts.rps), log: (l) => console.log(l) });
  const dir = resolve(opts.profile);
  const { name, pid } = await startInTmux('prof', `${process.execPath} ${LAUNCHER_FLAGS} ${opts.flags} --cpu-prof --cpu-prof-dir ${dir} bin/uwsgitop-ts --interval 1 ${inst.addr}`);
  await waitForScreen(name, ['WID', inst.firstPid]);
  await sleep(1000);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const [m] = await measureTogether([pid], Number(opts.seconds));
  console.log(describe('dashboard under --cpu-prof', m, inst.bytes));
  tmux(name, 'send-keys', 'q'); // a normal exit writes the profile
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  stopTmux(name);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  const newest = files.sort().at(-1);
  if (!newest) throw new Error(`no .cpuprofile written in ${dir}`);
  console.log(summarizeProfile(newest, Number(opts.top), fromUs));
}

main()
  .catch((err) => {
    console.error(`bench-profile: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
