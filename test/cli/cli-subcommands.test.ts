/**
 * Subcommands are delegated with the rest of the command line, and ws:// relay addresses work in the script
 * modes: a relay started with `uwsgitop-ts serve` over a real uWSGI is read with --json and --once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanupAll, freePort, rawStats, REPO_ROOT, startUwsgi, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { LAUNCHER, buildDist, parseTable, runCli, section } from '../support/cli-helpers.js';

let uwsgi: UwsgiProcess;
let relay: ChildProcess | null = null;
let relayPort = 0;

beforeAll(async () => {
  buildDist();
  uwsgi = await startUwsgi({ workers: 2 });
  relayPort = await freePort();
  relay = spawn(process.execPath, [LAUNCHER, 'serve', '--listen', `127.0.0.1:${relayPort}`, '-i', '0.2', uwsgi.statsAddress], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${relayPort}/healthz`)).ok, 'the relay to answer');
}, 60_000);
afterAll(async () => {
  if (relay?.pid !== undefined && relay.exitCode === null) {
    const exited = new Promise((r) => relay!.once('exit', r));
    process.kill(relay.pid, 'SIGKILL');
    await exited;
  }
  await cleanupAll();
});

describe('subcommand delegation', () => {
  it('uwsgitop-ts fifo --help prints the fifo command help', async () => {
    const { code, stdout, stderr } = await runCli(['fifo', '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: uwsgitop-ts fifo FIFO COMMAND/);
  });
});

describe('ws:// relay targets', () => {
  it('--json reads the targets a relay serves, named HOST:PORT/target next to a direct target', async () => {
    const raw = await rawStats(uwsgi);
    const { code, stdout, stderr } = await runCli(['--json', `ws://127.0.0.1:${relayPort}`, uwsgi.statsAddress]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [viaRelay, direct] = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(viaRelay).toMatchObject({ target: `127.0.0.1:${relayPort}/${uwsgi.statsAddress}`, ok: true, pid: uwsgi.pid });
    expect(viaRelay.workers.map((w: any) => w.pid)).toEqual(raw.workers.map((w: any) => w.pid));
    expect(direct).toMatchObject({ target: uwsgi.statsAddress, ok: true, pid: uwsgi.pid });
  });

  it('--once prints the report of a relayed target; an unreachable relay fails with one line', async () => {
    const raw = await rawStats(uwsgi);
    const dead = `ws://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await runCli(['--once', '-i', '0.3', `ws://127.0.0.1:${relayPort}`, dead]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^uwsgitop-ts: ${dead.replace(/[./]/g, '\\$&')}: `));
    expect(stdout).toContain(`master pid ${uwsgi.pid}`);
    expect(parseTable(section(stdout, 'Workers (')).map((r) => Number(r.PID))).toEqual(raw.workers.map((w: any) => w.pid));
  });
});
