// @module-tag calendar
/**
 * End to end in a real terminal: the built launcher inside tmux against a real uWSGI. See the workers,
 * sort, open a worker, run a chain reload through the master FIFO, watch the target go down and come back,
 * quit, and check the shell is usable again (no alternate screen, no raw mode).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, rawStats, startUwsgi, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('uwsgitop-views');

const seen = paneSeen(tmux, 'dash');

let proc: UwsgiProcess;

beforeAll(async () => {
  buildDist();
  proc = await startUwsgi({ workers: 2, fifos: ['master.fifo'], args: ['--lazy-apps'] });
}, 180_000);

afterAll(cleanupAll);

it('runs in tmux against a real uWSGI: workers, sort, detail, chain reload, down and back, quit', async () => {
  const addr = proc.statsAddress;
  const doc = await rawStats(proc);
  const pids: number[] = doc.workers.map((w: { pid: number }) => w.pid);

  tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', 'dash', `node ${LAUNCHER} ${addr} --fifo ${addr}=${proc.fifos[0]}; echo "exit=$?"`, 'Enter');

  let s = await seen((x) => x.includes('● live') && pids.every((p) => x.includes(` ${p} `)), 'the workers of the live instance');
  expect(s).toContain(`pid ${doc.pid}`);
  expect(s).toMatch(/WID.*PID.*REQ.*RPS.*STATUS/);

  tmux('send-keys', '-t', 'dash', '>', '>', '>');
  await seen((x) => x.includes('sort REQ▼'), 'the sort moved to REQ');

  tmux('send-keys', '-t', 'dash', 'Home', 'Enter');
  s = await seen((x) => x.includes('Cores (') && x.includes('Apps ('), 'the worker popup');
  tmux('send-keys', '-t', 'dash', 'Escape');
  await seen((x) => !x.includes('Cores (') && x.includes('WID'), 'the popup closed');

  // A chain reload through the master FIFO, verified by the stats: new worker pids, a result message.
  tmux('send-keys', '-t', 'dash', '!', 'c');
  await seen((x) => x.includes(`chain-reload ${addr}? y/N, k: canary first (writes "c" to ${proc.fifos[0]})`), 'the confirmation naming the target and the FIFO');
  tmux('send-keys', '-t', 'dash', 'y');
  s = await seen((x) => /chain-reload: /.test(x), 'the chain reload result', 60_000);
  const after = await rawStats(proc);
  for (const p of pids) expect(after.workers.some((w: { pid: number }) => w.pid === p)).toBe(false);
  tmux('send-keys', '-t', 'dash', '9');
  await seen((x) => x.includes('command') && x.includes('chain-reload'), 'the command in the event log');
  tmux('send-keys', '-t', 'dash', '1');

  // The instance goes away: the dashboard says so, with the reason, and keeps answering keys.
  const statsAt = proc.statsBind;
  await proc.stop();
  s = await seen((x) => x.includes('DOWN · retry in') && x.includes('down since'), 'the down state', 20_000);
  tmux('send-keys', '-t', 'dash', '2');
  await seen((x) => x.includes('AGE') && x.includes('URI'), 'keys still work while down');
  tmux('send-keys', '-t', 'dash', '1');

  // Back at the same address: live again, with the new master pid.
  proc = await startUwsgi({ workers: 2, statsAt });
  const back = await rawStats(proc);
  await seen((x) => x.includes('● live') && x.includes(`pid ${back.pid}`), 'the restarted instance', 30_000);

  tmux('send-keys', '-t', 'dash', 'q');
  await seen((x) => x.includes('exit=0'), 'the dashboard exited with 0');
  // The shell works normally again: the typed line echoes, and the terminal is no longer raw.
  tmux('send-keys', '-t', 'dash', 'echo shell-ok-$((6*7)); stty -a | grep -o -- "-*icanon"', 'Enter');
  const modeLine = (x: string): string | undefined => x.split('\n').map((l) => l.trim()).find((l) => l === 'icanon' || l === '-icanon');
  s = await seen((x) => x.includes('shell-ok-42') && modeLine(x) !== undefined, 'a usable shell');
  expect(modeLine(s)).toBe('icanon');
  expect(s).not.toContain('WID');
}, 180_000);
