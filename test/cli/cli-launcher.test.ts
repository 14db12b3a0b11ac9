/**
 * The real launcher (`node bin/uwsgitop-ts`, compiled with `npx tsc -p tsconfig.json`) as a script would run
 * it: pipes, signals, `| head`, exit codes, against a real uWSGI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, rawStats, startUwsgi, type UwsgiProcess } from '../support/uwsgi.js';
import { LAUNCHER, buildDist, parseTable, section, spawnCli, spawnShell } from '../support/cli-helpers.js';
import { REPO_ROOT } from '../support/uwsgi.js';

let uwsgi: UwsgiProcess;
const children = new Set<number>();

beforeAll(async () => {
  buildDist();
  uwsgi = await startUwsgi({ workers: 3 });
}, 120_000);
afterAll(async () => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await cleanupAll();
});

describe('node bin/uwsgitop-ts', () => {
  it('--version and -V print the version in package.json, and commander still answers --version among other options', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['--no-color', '--version']]) {
      const { code, stdout, stderr } = await spawnCli(args);
      expect({ args, code, stdout, stderr }).toEqual({ args, code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--once prints the report with the master pid and one row per worker', async () => {
    const raw = await rawStats(uwsgi);
    const { code, stdout, stderr } = await spawnCli(['--once', '-i', '0.2', uwsgi.statsAddress]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`master pid ${uwsgi.pid}`);
    expect(parseTable(section(stdout, 'Workers (')).map((r) => Number(r.PID))).toEqual(raw.workers.map((w: any) => w.pid));
  });

  it('runs as an installed command runs it, through its own shebang (with its V8 flag): --once prints the report', async () => {
    const child = spawn(LAUNCHER, ['--once', '-i', '0.2', uwsgi.statsAddress], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child.pid!);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    children.delete(child.pid!);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`master pid ${uwsgi.pid}`);
  });

  it('without a terminal prints one report and says so on stderr', async () => {
    const { code, stdout, stderr } = await spawnCli([uwsgi.statsAddress]);
    expect(code).toBe(0);
    expect(stderr).toContain('stdout is not a terminal: printing one report');
    expect(stdout).toContain(`master pid ${uwsgi.pid}`);
  });

  it('exits 2 with one line and no stack trace for a bad address', async () => {
    const { code, stdout, stderr } = await spawnCli(['[::1:9191']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^uwsgitop-ts: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('ends --json --watch with status 0 on SIGINT, every line a complete record', async () => {
    const child = spawn(process.execPath, [LAUNCHER, '--json', '--watch', '-i', '0.2', uwsgi.statsAddress], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child.pid!);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    const deadline = Date.now() + 15_000;
    while (out.split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const { code, signal } = await closed;
    children.delete(child.pid!);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(err).toBe('');
    const records = out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.every((r) => r.ok && r.pid === uwsgi.pid)).toBe(true);
  }, 30_000);

  it('piped into head -1 stops quietly: no EPIPE trace, status 0', async () => {
    const cmd = `node ${JSON.stringify(LAUNCHER)} --json --watch -i 0.1 ${uwsgi.statsAddress} | head -1`;
    const { code, stdout, stderr } = await spawnShell(cmd, [], 20_000);
    expect(stderr).toBe('');
    expect(code).toBe(0); // pipefail: the launcher's own status
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ target: uwsgi.statsAddress, ok: true, seq: 1 });
  }, 30_000);

  it('a text --watch piped into head stops quietly too', async () => {
    const cmd = `node ${JSON.stringify(LAUNCHER)} --watch -i 0.1 ${uwsgi.statsAddress} | head -3`;
    const { code, stdout, stderr } = await spawnShell(cmd, [], 20_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toContain(`master pid ${uwsgi.pid}`);
  }, 30_000);
});

describe('bin/uwsgitop-ts starts wherever a node is on PATH', () => {
  const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const node18 = join(REPO_ROOT, '.tmp', 'node', '18.20.8', 'bin');

  it('on a Node older than "engines" (18.20, Debian 12\'s) says so in one line and exits 1, run as a command or by node', async () => {
    if (!existsSync(join(node18, 'node'))) throw new Error('Node 18.20.8 is missing: run bash scripts/node-lines.sh bin 18 (scripts/test.sh does)');
    const want = `uwsgitop-ts: needs Node ${engines}, this is Node 18.20.8\n`;
    for (const cmd of [`PATH=${node18}:$PATH ${LAUNCHER} --once ${uwsgi.statsAddress}`, `${node18}/node ${LAUNCHER} serve --listen 127.0.0.1:1 ${uwsgi.statsAddress}`]) {
      const { code, stdout, stderr } = await spawnShell(cmd);
      expect({ cmd, code, stdout, stderr }).toEqual({ cmd, code: 1, stdout: '', stderr: want });
    }
  });

  it('as a command, node runs with --single-threaded-gc (no env -S), also through BusyBox sh as on Alpine', async () => {
    const child = spawn(LAUNCHER, ['--json', '--watch', '-i', '0.2', uwsgi.statsAddress], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child.pid!);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const deadline = Date.now() + 15_000;
    while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // sh exec'd node in its place: same pid.
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
    children.delete(child.pid!);
    expect(cmdline.slice(1, 3)).toEqual(['--single-threaded-gc', LAUNCHER]);
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ ok: true, pid: uwsgi.pid });

    const busybox = await spawnShell(`busybox sh ${LAUNCHER} --once -i 0.2 ${uwsgi.statsAddress}`);
    expect(busybox.stderr).toBe('');
    expect(busybox.code).toBe(0);
    expect(busybox.stdout).toContain(`master pid ${uwsgi.pid}`);
  }, 30_000);
});
