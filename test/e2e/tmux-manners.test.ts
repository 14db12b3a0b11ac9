/**
 * Terminal manners every full-screen program has, in a real terminal (tmux, an interactive bash with job
 * control) against real uWSGI instances: Ctrl-Z suspends and gives the shell back with the terminal
 * restored, `fg` redraws and the keys work again; `q` quits from every popup (Esc closes one); targets
 * that share most of their address are told apart at 80x24 and 100x30; ini targets are named by their file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, httpRequests, rawStats, startUwsgi, tempDir, waitFor, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('i22-manners');
let session = 0;

interface Pane {
  name: string;
  seen: (check: (s: string) => boolean, what: string, timeoutMs?: number) => Promise<string>;
  keys: (...k: string[]) => void;
  /** A tmux format of the pane (#{alternate_on}, #{cursor_flag}). */
  format: (f: string) => string;
}

/** An interactive bash (job control on) in a new tmux window of `cols` x `rows`, the launcher started in it. */
function open(args: string, cols = 100, rows = 30, env = '', echoExit = true): Pane {
  const name = `m${session++}`;
  tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', REPO_ROOT, 'bash --norc --noprofile -i');
  // A list (`cmd; echo`) would go on to its echo as soon as the job stops: the Ctrl-Z test asks for $? itself.
  tmux('send-keys', '-t', name, `${env}node ${LAUNCHER} ${args}${echoExit ? '; echo "exit=$?"' : ''}`, 'Enter');
  return {
    name,
    seen: paneSeen(tmux, name),
    keys: (...k: string[]) => void tmux('send-keys', '-t', name, ...k),
    format: (f: string) => tmux('display-message', '-p', '-t', name, f).trim(),
  };
}

let proc: UwsgiProcess;

beforeAll(async () => {
  buildDist();
  proc = await startUwsgi({ workers: 2 });
}, 120_000);

afterAll(cleanupAll);

it('Ctrl-Z suspends (shell back, normal screen, cursor shown, keys echo); fg redraws and the keys work again', async () => {
  const d = open(proc.statsAddress, 80, 24, '', false);
  await d.seen((x) => x.includes('● live'), 'the live dashboard');
  expect(d.format('#{alternate_on}')).toBe('1');
  d.keys('C-z');
  const stopped = await d.seen((x) => /Stopped\s+node /.test(x), 'the shell saying the job stopped');
  expect(stopped).not.toContain('● live');
  expect(d.format('#{alternate_on}')).toBe('0');
  expect(d.format('#{cursor_flag}')).toBe('1');
  // The shell reads lines again (nothing of ours in raw mode): an echo runs.
  d.keys('echo "sum=$((20+22))"', 'Enter');
  await d.seen((x) => x.includes('sum=42'), 'the shell running a command while the dashboard is stopped');
  d.keys('fg', 'Enter');
  await d.seen((x) => x.includes('● live') && !x.includes('sum=42'), 'the dashboard redrawn whole after fg');
  expect(d.format('#{alternate_on}')).toBe('1');
  d.keys('?');
  await d.seen((x) => x.includes('Help: every key'), 'a key works after fg');
  d.keys('Escape');
  await d.seen((x) => !x.includes('Help: every key') && x.includes('● live'), 'Esc closed the help');
  d.keys('q');
  await d.seen((x) => !x.includes('● live'), 'q quits');
  d.keys('echo "exit=$?"', 'Enter');
  await d.seen((x) => x.includes('exit=0'), 'the job ended with 0');
}, 90_000);

it('Ctrl-Z with no shell to return to (started straight by tmux) says so and keeps the dashboard running', async () => {
  const name = `m${session++}`;
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', '-c', REPO_ROOT, `node ${LAUNCHER} ${proc.statsAddress}`);
  const seen = paneSeen(tmux, name);
  await seen((x) => x.includes('● live'), 'live');
  tmux('send-keys', '-t', name, 'C-z');
  await seen((x) => x.includes('Ctrl-Z: no shell to return to'), 'the reason on the status line');
  tmux('send-keys', '-t', name, '?');
  await seen((x) => x.includes('Help: every key'), 'keys still work');
  tmux('send-keys', '-t', name, 'q');
  const closed = (): boolean => {
    try {
      return !tmux('list-sessions', '-F', '#{session_name}').split('\n').includes(name);
    } catch {
      return true; // its last session gone, the server ended
    }
  };
  await waitFor(closed, 'the pane to close as q quits');
}, 60_000);

it('q quits from the help, a worker and an event popup; Esc closes each of them', async () => {
  await httpRequests(proc.httpPort!, '/', 5);
  // Esc closes, the dashboard stays.
  const esc = open(proc.statsAddress, 100, 30);
  await esc.seen((x) => x.includes('● live'), 'live');
  esc.keys('Enter');
  await esc.seen((x) => x.includes('Worker slot'), 'the worker popup');
  esc.keys('Escape');
  await esc.seen((x) => !x.includes('Worker slot') && x.includes('● live'), 'Esc closed the worker popup');
  esc.keys('q');
  await esc.seen((x) => x.includes('exit=0'), 'exit');

  // An address read as a plain socket that answers HTTP logs a warning event: something to open in view 9.
  const http = await startUwsgi({ workers: 1, statsHttp: true });
  const popups: Array<[string, string[], (x: string) => boolean, string]> = [
    [proc.statsAddress, ['?'], (x) => x.includes('Help: every key'), 'the help'],
    [proc.statsAddress, ['Enter'], (x) => x.includes('Worker slot'), 'a worker popup'],
    [`${http.statsBind} --timeout 6`, ['9', 'Enter'], (x) => x.includes('Esc closes') && x.includes('--stats-http'), 'an event popup'],
  ];
  for (const [target, keys, shown, what] of popups) {
    const d = open(target, 100, 30);
    await d.seen((x) => x.includes('● live'), 'live', 30_000);
    for (const k of keys) {
      d.keys(k);
      await new Promise((r) => setTimeout(r, 300));
    }
    await d.seen(shown, what);
    d.keys('q');
    await d.seen((x) => x.includes('exit=0'), `q quits from ${what}`);
  }
}, 120_000);

/** The dashboard's line of numbered targets ("1:NAME state  2:NAME state …"), or '' when not shown. */
function targetsLine(screen: string): string {
  return screen.split('\n').find((l) => /(^|\s)1:/.test(l) && /\s2:/.test(l)) ?? '';
}

it('tells :P, /srv/shop/run/stats.sock and /srv/blog/run/stats.sock apart at 80x24 and 100x30', async () => {
  const root = tempDir();
  const socks = ['shop', 'blog'].map((site) => {
    const dir = join(root, 'srv', site, 'run');
    mkdirSync(dir, { recursive: true });
    return join(dir, 'stats.sock');
  });
  const [shop, blog] = await Promise.all(socks.map((s) => startUwsgi({ workers: 1, stats: 'unix', statsAt: s })));
  const port = proc.statsBind.split(':')[1]!;
  for (const [cols, rows] of [[80, 24], [100, 30]] as const) {
    const d = open(`:${port} ${shop!.statsAddress} ${blog!.statsAddress}`, cols, rows);
    // Three targets live on the targets line (the title's own "live" is not one of them).
    const s = await d.seen((x) => (targetsLine(x).match(/ live\b/g) ?? []).length >= 3, `three live targets at ${cols}x${rows}`);
    const fleet = targetsLine(s);
    expect(fleet, s).toMatch(new RegExp(`1:${port} live`));
    expect(fleet, s).toMatch(/2:\S*shop\S* live/);
    expect(fleet, s).toMatch(/3:\S*blog\S* live/);
    d.keys(']');
    const second = await d.seen((x) => x.includes(`pid ${shop!.pid}`), 'the second target shown');
    expect(second.split('\n')[0]).toContain('shop');
    d.keys('q');
    await d.seen((x) => x.includes('exit=0'), 'exit');
  }
}, 120_000);

it('names targets found with --ini by their ini file, and vassals by their vassal name', async () => {
  const dir = tempDir();
  const vassals = join(dir, 'vassals');
  mkdirSync(vassals);
  const [a, b] = await Promise.all([startUwsgi({ workers: 1 }), startUwsgi({ workers: 1 })]);
  writeFileSync(join(dir, 'shop.ini'), `[uwsgi]\nstats = ${a!.statsBind}\n`);
  writeFileSync(join(vassals, 'blog.ini'), `[uwsgi]\nstats = ${b!.statsBind}\n`);
  const d = open(`--ini ${join(dir, 'shop.ini')} ${vassals}`, 80, 24);
  // Both named by their ini file on the targets line, once each has been read (the title's "live" is not the second).
  const s = await d.seen((x) => (targetsLine(x).match(/ live\b/g) ?? []).length >= 2, 'two live targets on the targets line');
  expect(targetsLine(s), s).toMatch(/1:shop\S* live/);
  expect(targetsLine(s), s).toMatch(/2:blog\S* live/);
  // The title still says where it reads from.
  expect(s.split('\n')[0]).toContain(a!.statsBind.split(':')[1]!);
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('draws in ASCII under LANG=C, TERM=vt100 and TERM=linux (views, help, graphs); UTF-8 symbols under a UTF-8 xterm', async () => {
  await httpRequests(proc.httpPort!, '/', 10);
  const nonAscii = (s: string): string[] => [...new Set(s.match(/[^\x20-\x7e\n]/gu) ?? [])];
  const cases = ['LANG=C LC_ALL=C TERM=xterm', 'LANG=C.UTF-8 LC_ALL= TERM=vt100', 'LANG=C.UTF-8 LC_ALL= TERM=linux'];
  for (const env of cases) {
    const d = open(`-i 0.3 ${proc.statsAddress}`, 100, 40, `${env} `);
    const main = await d.seen((x) => x.includes('* live') && x.includes('-- In flight'), `the ASCII dashboard (${env})`);
    expect(nonAscii(main), `${env}: main screen\n${main}`).toEqual([]);
    d.keys('?');
    const help = await d.seen((x) => x.includes('Help: every key'), 'the help');
    expect(nonAscii(help), `${env}: help\n${help}`).toEqual([]);
    expect(help).toMatch(/^\+-+ Help/m);
    d.keys('Escape');
    await new Promise((r) => setTimeout(r, 300));
    d.keys('3');
    // Several polls, so the charts draw lines, not only their axes.
    await new Promise((r) => setTimeout(r, 2000));
    const graphs = await d.seen((x) => x.includes('req/s') && x.includes('now'), 'the graphs');
    expect(nonAscii(graphs), `${env}: graphs\n${graphs}`).toEqual([]);
    expect(graphs).toMatch(/[.:']{3}/);
    d.keys('q');
    await d.seen((x) => x.includes('exit=0'), 'exit');
  }
  const utf8 = open(proc.statsAddress, 100, 40, 'LANG=C.UTF-8 LC_ALL= TERM=xterm ');
  const s = await utf8.seen((x) => x.includes('● live'), 'the UTF-8 dashboard');
  expect(s).toContain('── In flight');
  utf8.keys('q');
  await utf8.seen((x) => x.includes('exit=0'), 'exit');
}, 120_000);

it('--sort COLUMN and --filter TEXT start the workers table sorted and filtered (as htop -s, -F)', async () => {
  const doc = await rawStats(proc);
  const pid = String(doc.workers[1].pid);
  const d = open(`--sort busy% --filter ${pid} ${proc.statsAddress}`, 100, 30);
  const s = await d.seen((x) => x.includes('● live') && x.includes('sort BUSY%'), 'sorted by BUSY% from the start');
  expect(s).toContain(`filter "${pid}" 1/2`);
  expect(s).toMatch(new RegExp(`^\\s+2\\s+\\S+\\s+${pid}\\s`, 'm'));
  expect(s).not.toMatch(new RegExp(`^\\s+1\\s+\\S+\\s+${doc.workers[0].pid}\\s`, 'm'));
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
}, 60_000);

it('v in the requests list opens the request with every variable shown', async () => {
  const slow = fetch(`http://127.0.0.1:${proc.httpPort}/slow?s=6&who=manners`).catch(() => undefined);
  const d = open(proc.statsAddress, 100, 30);
  await d.seen((x) => x.includes('● live'), 'live');
  d.keys('2');
  const list = await d.seen((x) => x.includes('/slow?s=6'), 'the request in flight');
  expect(list).toContain('v:variables');
  d.keys('v');
  const popup = await d.seen((x) => x.includes('Worker slot'), 'the popup');
  expect(popup).toContain('QUERY_STRING');
  expect(popup).toContain('who=manners');
  d.keys('q');
  await d.seen((x) => x.includes('exit=0'), 'exit');
  await slow;
}, 60_000);

it('NO_COLOR set but empty leaves colour on (no-color.org); a non-empty NO_COLOR turns it off', async () => {
  const colours = /\x1b\[[0-9;]*(?:3[1-7]|38;5;\d+)m/;
  for (const [env, coloured] of [['NO_COLOR=', true], ['NO_COLOR=1', false]] as const) {
    const d = open(proc.statsAddress, 100, 30, `${env} `);
    await d.seen((x) => x.includes('● live'), `live (${env})`);
    const raw = tmux('capture-pane', '-p', '-e', '-t', d.name);
    expect(colours.test(raw), `${env}: colour escapes on screen`).toBe(coloured);
    d.keys('q');
    await d.seen((x) => x.includes('exit=0'), 'exit');
  }
}, 60_000);
