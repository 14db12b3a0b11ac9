/**
 * What an operator meets in the first hour, in a real terminal against real uWSGI instances: the master's
 * own uptime after a chain reload, repairs and address warnings on the title line and in the events, Enter
 * on an event and `m` showing a whole command result, `--fifo` paired whatever the address's spelling.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER, runCli } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, freePort, rawStats, startUwsgi, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('uwsgitop-first-hour');
let session = 0;

/** Start the launcher in a new tmux window of `cols` x `rows`; returns the capture and a key sender. */
function open(args: string, cols = 120, rows = 40): { seen: (check: (s: string) => boolean, what: string, timeoutMs?: number) => Promise<string>; keys: (...k: string[]) => void } {
  const name = `s${session++}`;
  tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', name, `node ${LAUNCHER} ${args}; echo "exit=$?"`, 'Enter');
  const seen = paneSeen(tmux, name);
  return { seen, keys: (...k: string[]) => void tmux('send-keys', '-t', name, ...k) };
}

/** The number of seconds in a duration as the dashboard writes it (4.2s, 12s, 1m05s). */
function seconds(text: string): number {
  const m = /^(?:(\d+)m)?([\d.]+)s$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
}

let proc: UwsgiProcess;
let startedAt = 0;

beforeAll(async () => {
  buildDist();
  startedAt = Date.now();
  proc = await startUwsgi({ workers: 2, fifos: ['master.fifo'], args: ['--lazy-apps'] });
}, 180_000);

afterAll(cleanupAll);

it("shows the master's own uptime after a chain reload, not the new workers' age (dashboard and --once)", async () => {
  await new Promise((r) => setTimeout(r, 6000));
  const reload = await runCli(['fifo', proc.fifos[0]!, 'chain-reload', '--stats', proc.statsAddress, '--wait']);
  expect(reload.code, reload.stderr).toBe(0);
  const doc = await rawStats(proc);
  const workersAge = Date.now() / 1000 - Math.min(...doc.workers.map((w: { last_spawn: number }) => w.last_spawn));
  const sinceStart = (Date.now() - startedAt) / 1000;
  expect(workersAge).toBeLessThan(sinceStart - 4);

  const once = await runCli(['--once', '-i', '0.2', proc.statsAddress]);
  const up = /master pid \d+ {2}up ([\d.]+)s/.exec(once.stdout);
  expect(up, once.stdout.split('\n')[0]).not.toBeNull();
  expect(Number(up![1])).toBeGreaterThan(workersAge + 3);
  // /proc's boot time is whole seconds: the master's start is known to about a second.
  expect(Number(up![1])).toBeLessThanOrEqual(sinceStart + 2);

  const d = open(proc.statsAddress, 80, 24);
  const s = await d.seen((x) => x.includes('● live') && / up \S+s/.test(x), 'the live title with up');
  const shown = seconds(/ up (\S+)/.exec(s)![1]!);
  expect(shown).toBeGreaterThan(workersAge + 3);
  expect(s).not.toContain('workers up');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('says "workers up" for a saved document and the oldest spawn, not an age counted from now', async () => {
  const r = await runCli(['--once', 'file:test/fixtures/samples/instance-idle.json']);
  expect(r.stdout.split('\n')[0]).toMatch(/oldest worker spawned \d/);
  expect(r.stdout.split('\n')[0]).not.toMatch(/ up /);
});

it('marks an address warning on the title line and logs it as an event; Enter on it shows it whole', async () => {
  const http = await startUwsgi({ workers: 1, statsHttp: true });
  // Read as a plain socket: it adapts to HTTP and says to use http://.
  const d = open(`${http.statsBind} --timeout 6`, 80, 24);
  await d.seen((x) => x.includes('● live') && x.includes('⚠ warning: key 9'), 'the warning mark on the title line', 30_000);
  d.keys('9');
  await d.seen((x) => /document-warning|warning: /.test(x), 'the warning event');
  d.keys('Enter');
  const whole = await d.seen((x) => x.includes('Esc closes') && x.replace(/[│\s]+/g, ' ').includes(`use http://${http.statsBind}`), 'the whole event in a popup');
  expect(whole).toContain('--stats-http');
  d.keys('Escape', 'q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('pairs --fifo 127.0.0.1:P=F with the target :P (one target, control offered); m shows a command result whole', async () => {
  const port = proc.statsBind.split(':')[1]!;
  const d = open(`--fifo 127.0.0.1:${port}=${proc.fifos[0]} :${port}`, 80, 24);
  const s = await d.seen((x) => x.includes('● live') && x.includes('!:control'), 'control offered on the one target');
  expect(s).not.toMatch(/1:.*2:/);
  d.keys('!', 'w');
  await d.seen((x) => x.includes(`reload-workers :${port}? y/N`), 'the confirmation');
  d.keys('y');
  await d.seen((x) => /reload-workers: \S/.test(x), 'the verdict', 60_000);
  d.keys('m');
  const popup = await d.seen((x) => x.includes('Last message'), 'the whole result');
  expect(popup.replace(/[│\s]+/g, ' ')).toContain(`(wrote "w" to ${proc.fifos[0]}`);
  d.keys('Escape', 'q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('a restarted unix-socket instance shows live again within a few seconds (local back-off capped), r reads at once', async () => {
  const first = await startUwsgi({ workers: 1, stats: 'unix' });
  const d = open(first.statsAddress, 100, 30);
  await d.seen((x) => x.includes('● live'), 'live');
  const at = first.statsBind;
  await first.stop();
  await d.seen((x) => x.includes('DOWN'), 'down');
  // Long enough for a doubling back-off (1, 2, 4, 8, 10 s) to be waiting up to 10 s.
  await new Promise((r) => setTimeout(r, 25_000));
  const again = await startUwsgi({ workers: 1, stats: 'unix', statsAt: at, dir: first.dir });
  const t0 = Date.now();
  await d.seen((x) => x.includes('● live') && x.includes(`pid ${again.pid}`), 'live again', 10_000);
  expect(Date.now() - t0).toBeLessThan(5000);
  d.keys('r');
  await d.seen((x) => x.includes('reading now'), 'r reads now');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('a chain reload written from the dashboard logs every respawn as its own from the first, none as "died"', async () => {
  const p = await startUwsgi({ workers: 3, fifos: ['m.fifo'], args: ['--lazy-apps'] });
  const d = open(`--fifo ${p.statsAddress}=${p.fifos[0]} --no-confirm -i 0.25 ${p.statsAddress}`, 140, 40);
  await d.seen((x) => x.includes('● live'), 'live');
  d.keys('!', 'c');
  await d.seen((x) => /chain-reload: \S/.test(x), 'the verdict', 60_000);
  d.keys('9');
  const log = await d.seen((x) => /respawned \(chain reload\)|all 3 workers reloaded/.test(x), 'the respawns in the log');
  expect(log).not.toContain('respawned (died)');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('through a relay without --allow-control, ! says to start the relay with --allow-control, not --fifo', async () => {
  const p = await startUwsgi({ workers: 1 });
  const port = await freePort();
  const relay = open(`serve --listen 127.0.0.1:${port} ${p.statsAddress}`, 100, 10);
  await relay.seen((x) => x.includes('uwsgitop-ts relay:'), 'the relay up');
  const d = open(`ws://127.0.0.1:${port}`, 160, 30);
  await d.seen((x) => x.includes('● live'), 'live through the relay');
  d.keys('!');
  const s = await d.seen((x) => x.includes('--allow-control'), 'the relay hint');
  expect(s).not.toContain('--fifo');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
  relay.keys('C-c');
  await relay.seen((x) => x.includes('exit='), 'the relay stopped');
}, 120_000);

it('at 40 columns: the socket file name in the title, no label without its value, the URI of a request in flight', async () => {
  const p = await startUwsgi({ workers: 1, stats: 'unix', args: ['--threads', '2'] });
  const slow = fetch(`http://127.0.0.1:${p.httpPort}/slow?s=8`).catch(() => undefined);
  const d = open(p.statsAddress, 40, 20);
  const name = p.statsBind.split('/').pop()!;
  const s = await d.seen((x) => x.includes('● live'), 'live');
  expect(s.split('\n')[0]).toContain(name);
  expect(s.split('\n')[0]).not.toMatch(/\b(pid|up)\s+●/);
  d.keys('2');
  const req = await d.seen((x) => x.includes('/slow'), 'the request in flight', 10_000);
  expect(req).toContain('HOST+URI');
  expect(req).not.toContain('REMOTE');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
  await p.stop();
  await slow;
}, 120_000);
