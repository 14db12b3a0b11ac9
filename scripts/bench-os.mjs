#!/usr/bin/env node
// What the OS reads cost (issue 21: CPU and memory from /proc, the kernel's listen queue through the perl
// sock_diag helper, interval means, folding events): this build against the build before, side by side on one
// real uWSGI with 32 workers x 100 ugreen cores and a unix socket, 8 requests kept in flight, 1 s interval.
//
//   node scripts/bench-os.mjs --before-ref REF [--seconds 60]     (e.g. --before-ref ab87e03)
//   node scripts/bench-os.mjs --before DIR [--seconds 60]
//   node scripts/bench-os.mjs --without-os [--seconds 60]
// REF is a commit of the build before: it is unpacked with `git archive` into a temp directory, this
// checkout's node_modules linked, built with `npm run build`, and removed at the end. DIR is such a built
// checkout made by hand. --without-os isolates the OS reads: the build before is this very build (dist/, bin/)
// copied to a temp directory with one change in the copy, every target taken for not local (dist/cli/targets.js:
// no /proc reads, no sock_diag helper), so the difference is what the OS reads cost and nothing else. Both dashboards run in tmux at 160x50, plus both `--json --watch`; CPU from
// /proc/PID/stat over the same window, this build's perl helper counted with it. Prints figures, asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, existsSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT, alive, childrenOf, cleanup, describe, loadAvg, measureTogether, sleep, startInTmux, startLoadedInstance,
  state, stopTmux, waitForScreen,
} from './bench-support/real.mjs';

const { values: opts } = parseArgs({ options: { before: { type: 'string' }, 'before-ref': { type: 'string' }, seconds: { type: 'string', default: '60' }, 'without-os': { type: 'boolean', default: false } } });

/** Unpack and build commit `ref` in a temp directory (removed by the caller): the build before, without touching the repository. */
function buildRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-before-'));
  const tar = spawnSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', ref, dir], { cwd: ROOT, stdio: 'inherit' });
  if (tar.status !== 0) throw new Error(`git archive ${ref} failed`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`npm run build of ${ref} failed`);
  console.log(`build before: ${ref} in ${dir}`);
  return dir;
}

/** This build copied with its OS reads off (every target not local): the build before of --without-os. */
function copyWithoutOs() {
  const dir = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-no-os-'));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const file = join(dir, 'dist/cli/targets.js');
  const text = readFileSync(file, 'utf8');
  const patched = text.replace('onThisHost(address) ? await readOsFacts', 'false ? await readOsFacts');
  if (patched === text) throw new Error(`${file}: the local-target test to turn off was not found`);
  writeFileSync(file, patched);
  console.log(`build before: this build with its OS reads off, in ${dir}`);
  return dir;
}

/** The perl children of a process (this build's sock_diag helper). */
function helpersOf(pid) {
  return childrenOf(pid).filter((c) => {
    try {
      return readFileSync(`/proc/${c}/comm`, 'utf8').trim().startsWith('perl');
    } catch {
      return false;
    }
  });
}

async function main() {
  const given = [opts.before, opts['before-ref'], opts['without-os'] || undefined].filter((x) => x !== undefined);
  if (given.length !== 1) throw new Error('one of --before-ref REF (a commit of the build before), --before DIR (a built checkout of it) or --without-os is required');
  const before = opts.before !== undefined ? resolve(opts.before) : opts['without-os'] ? copyWithoutOs() : buildRef(opts['before-ref']);
  if (opts.before === undefined) process.on('exit', () => rmSync(before, { recursive: true, force: true }));
  for (const dir of [ROOT, before]) if (!existsSync(join(dir, 'dist/cli/main.js'))) throw new Error(`${dir}: dist/ is missing: run npm run build there`);
  const seconds = Number(opts.seconds);
  state.tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-os-'));
  console.log(`machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, node ${process.version}; load average ${loadAvg()}`);
  const inst = await startLoadedInstance({ slow: 8, rps: 5, log: (l) => console.log(l), extraArgs: ['--socket', join(state.tmp, 'app.sock'), '--listen', '64'] });

  const after = join(ROOT, 'bin/uwsgitop-ts');
  const old = join(before, 'bin/uwsgitop-ts');
  const dashAfter = await startInTmux('after', `${after} --interval 1 ${inst.addr}`);
  const dashBefore = await startInTmux('before', `${old} --interval 1 ${inst.addr}`);
  const out = openSync('/dev/null', 'w');
  const jsonAfter = spawn(after, ['--json', '--watch', '--interval', '1', inst.addr], { cwd: ROOT, stdio: ['ignore', out, 'inherit'] });
  const jsonBefore = spawn(old, ['--json', '--watch', '--interval', '1', inst.addr], { cwd: before, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  state.children.push(jsonAfter.pid, jsonBefore.pid);
  for (const t of [dashAfter, dashBefore]) {
    if (!alive(t.pid)) throw new Error(`${t.name}: the dashboard is not running`);
    await waitForScreen(t.name, ['WID', inst.firstPid]);
  }
  await sleep(3000);
  const helpers = [...helpersOf(dashAfter.pid), ...helpersOf(jsonAfter.pid)];
  console.log(`this build's sock_diag helpers: ${helpers.length} (pids ${helpers.join(', ') || 'none'})`);

  console.log(`\n${seconds} s window, 1 s interval, 160x50`);
  const [mDa, mDb, mJa, mJb, ...mH] = await measureTogether([dashAfter.pid, dashBefore.pid, jsonAfter.pid, jsonBefore.pid, ...helpers], seconds);
  console.log(describe('dashboard, this build', mDa, inst.bytes));
  console.log(describe('dashboard, build before', mDb, inst.bytes));
  console.log(describe('--json --watch, this build', mJa, inst.bytes));
  console.log(describe('--json --watch, build before', mJb, inst.bytes));
  mH.forEach((m, i) => console.log(describe(`sock_diag helper ${i + 1}`, m, inst.bytes)));
  const helperPct = mH.reduce((a, m) => a + m.cpuPct, 0) / Math.max(1, mH.length);
  const dash = mDa.cpuPct + helperPct - mDb.cpuPct;
  const json = mJa.cpuPct + helperPct - mJb.cpuPct;
  console.log(`\ndashboard: this build ${mDa.cpuPct.toFixed(2)} % + helper ${helperPct.toFixed(3)} % vs ${mDb.cpuPct.toFixed(2)} %: ${dash >= 0 ? '+' : ''}${dash.toFixed(2)} % of one core, ratio ${((mDa.cpuPct + helperPct) / mDb.cpuPct).toFixed(3)}`);
  console.log(`--json --watch: this build ${mJa.cpuPct.toFixed(2)} % + helper ${helperPct.toFixed(3)} % vs ${mJb.cpuPct.toFixed(2)} %: ${json >= 0 ? '+' : ''}${json.toFixed(2)} % of one core, ratio ${((mJa.cpuPct + helperPct) / mJb.cpuPct).toFixed(3)}`);
  console.log(`RSS (window mean): dashboard ${mDa.rssMean.toFixed(1)} vs ${mDb.rssMean.toFixed(1)} MB; --json --watch ${mJa.rssMean.toFixed(1)} vs ${mJb.rssMean.toFixed(1)} MB; helper ${mH.map((m) => m.rssMean.toFixed(1)).join(', ') || '-'} MB`);
  console.log(`load average at the end: ${loadAvg()}`);
  for (const t of [dashAfter, dashBefore]) stopTmux(t.name);
  process.kill(jsonAfter.pid, 'SIGINT');
  process.kill(jsonBefore.pid, 'SIGINT');
}

main()
  .catch((err) => {
    console.error(`bench-os: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
