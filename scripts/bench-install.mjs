#!/usr/bin/env node
// Two packages side by side: what `npm install -g` of each tarball adds (packages, MB) and how fast the
// installed command starts against one real uWSGI (4 workers): `--version`, `--json ADDR`, and the
// dashboard's first frame in tmux (from the command's start to the screen showing "● live"). Runs alternate
// between the two, and each figure is a median, printed with the ratio NEW/OLD.
//   node scripts/bench-install.mjs --old OLD.tgz [--new NEW.tgz] [--runs 15]
// NEW defaults to an `npm pack` of this tree. An OLD tarball of an earlier commit:
//   git worktree add /tmp/old REV && (cd /tmp/old && npm ci && npm pack)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, loadAvg } from './bench-support/real.mjs';
import { startUwsgi as startBedUwsgi } from '../test/support/bed/uwsgi.mjs';

const { values: opts } = parseArgs({ options: { old: { type: 'string' }, new: { type: 'string' }, runs: { type: 'string', default: '15' } } });
if (!opts.old) {
  console.error('usage: node scripts/bench-install.mjs --old OLD.tgz [--new NEW.tgz] [--runs 15]');
  process.exit(2);
}
const RUNS = Number(opts.runs);
const tmp = mkdtempSync(join(tmpdir(), 'uwsgitop-bench-install-'));
const TMUX = `uwsgitop-bench-install-${process.pid}`;
let uwsgiPid = 0;

function cleanup() {
  try {
    execFileSync('tmux', ['-L', TMUX, 'kill-server'], { stdio: 'ignore' });
  } catch {
    /* none */
  }
  if (uwsgiPid) {
    try {
      process.kill(-uwsgiPid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

/** Bytes of every file under dir (apparent size; symlinks counted as links). */
function treeBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : lstatSync(p).size;
  }
  return n;
}

function install(label, tarball) {
  const prefix = join(tmp, label);
  execFileSync('npm', ['install', '-g', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, resolve(tarball)], { stdio: 'ignore' });
  const packages = execFileSync('npm', ['ls', '-g', '--all', '--parseable', '--prefix', prefix], { encoding: 'utf8' }).trim().split('\n').length - 1;
  const du = Number(execFileSync('du', ['-sk', join(prefix, 'lib', 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { label, tarball, command: join(prefix, 'bin', 'uwsgitop-ts'), packages, mb: treeBytes(join(prefix, 'lib', 'node_modules')) / 1e6, diskMb: du / 1024 };
}

/** The 4-worker instance, from the test bed (resolves once its 4 workers accept); killed by its group at exit. */
async function startUwsgi() {
  const proc = await startBedUwsgi({ dir: tmp, workers: 4 });
  uwsgiPid = proc.pid;
  return proc.statsAddress;
}

function timeRun(command, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Milliseconds from starting the dashboard in a 120x40 tmux pane to the screen showing "● live". */
async function firstFrame(command, addr) {
  try {
    execFileSync('tmux', ['-L', TMUX, 'kill-server'], { stdio: 'ignore' });
  } catch {
    /* none */
  }
  execFileSync('tmux', ['-L', TMUX, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40', 'sh']);
  await sleep(200);
  const t0 = process.hrtime.bigint();
  execFileSync('tmux', ['-L', TMUX, 'send-keys', `exec ${command} -i 1 ${addr}`, 'Enter']);
  for (;;) {
    const screen = execFileSync('tmux', ['-L', TMUX, 'capture-pane', '-p'], { encoding: 'utf8' });
    if (screen.includes('● live')) break;
    if (Number(process.hrtime.bigint() - t0) > 30e9) throw new Error(`no first frame:\n${screen}`);
    await sleep(5);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  execFileSync('tmux', ['-L', TMUX, 'kill-server']);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let newTarball = opts.new;
if (!newTarball) {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1);
  newTarball = join(tmp, name);
}
const pkgs = [install('old', opts.old), install('new', newTarball)];
const addr = await startUwsgi();
console.log(`machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, node ${process.version}, load average ${loadAvg()}; ${RUNS} runs each, alternating`);
for (const p of pkgs) console.log(`${p.label}: ${p.tarball}: npm install -g adds ${p.packages} packages, ${p.mb.toFixed(1)} MB (${p.diskMb.toFixed(1)} MB on disk)`);

const results = { version: [[], []], json: [[], []], frame: [[], []] };
for (let r = 0; r < RUNS; r++) {
  for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
    results.version[i].push(timeRun(pkgs[i].command, ['--version']));
    results.json[i].push(timeRun(pkgs[i].command, ['--json', addr]));
  }
}
for (let r = 0; r < Math.min(RUNS, 7); r++) {
  for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) results.frame[i].push(await firstFrame(pkgs[i].command, addr));
}
const rows = [['--version', results.version], ['--json ADDR', results.json], ['first frame', results.frame]];
console.log('\nmedian ms          old      new   new/old');
for (const [what, [a, b]] of rows) {
  console.log(`${what.padEnd(14)} ${median(a).toFixed(0).padStart(7)}  ${median(b).toFixed(0).padStart(7)}   ${(median(b) / median(a)).toFixed(2)}`);
}
console.log(`install          ${String(pkgs[0].packages).padStart(4)} pkg ${String(pkgs[1].packages).padStart(4)} pkg`);
console.log(`install MB       ${pkgs[0].mb.toFixed(1).padStart(7)}  ${pkgs[1].mb.toFixed(1).padStart(7)}   ${(pkgs[1].mb / pkgs[0].mb).toFixed(2)}`);
console.log(`load average after: ${loadAvg()}`);
