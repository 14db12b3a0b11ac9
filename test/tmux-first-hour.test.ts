/**
 * What an operator meets in the first hour, in a real terminal against real uWSGI instances: the master's
 * own uptime after a chain reload, repairs and address warnings on the title line and in the events, Enter
 * on an event and `m` showing a whole command result, `--fifo` paired whatever the address's spelling.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER, runCli } from './cli-helpers.js';
import { privateTmux } from './support/tmux.js';
import { cleanupAll, rawStats, startUwsgi, waitFor, REPO_ROOT, type UwsgiProcess } from './support/uwsgi.js';

const tmux = privateTmux('uwsgitop-first-hour');
let session = 0;

/** Start the launcher in a new tmux window of `cols` x `rows`; returns the capture and a key sender. */
function open(args: string, cols = 120, rows = 40): { seen: (check: (s: string) => boolean, what: string, timeoutMs?: number) => Promise<string>; keys: (...k: string[]) => void } {
  const name = `s${session++}`;
  tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', name, `node ${LAUNCHER} ${args}; echo "exit=$?"`, 'Enter');
  const seen = async (check: (s: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> => {
    let last = '';
    try {
      return await waitFor(() => {
        last = tmux('capture-pane', '-p', '-t', name);
        return check(last) ? last : null;
      }, what, timeoutMs, 150);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`);
    }
  };
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
  expect(Number(up![1])).toBeLessThanOrEqual(sinceStart + 1);

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
  await d.seen((x) => x.includes('● live') && x.includes('⚠ warning (9)'), 'the warning mark on the title line', 30_000);
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
