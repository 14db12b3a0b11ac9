/**
 * uwsgitop's and top's habits in a real terminal against a real uWSGI: `a` cycles the per-core view and `f`
 * turns on fast refresh (neither touches the instance); a FIFO write happens only after `!`, the byte and a
 * y/N line naming the target and the FIFO.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, httpRequests, rawStats, startUwsgi, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('uwsgitop-habits');

const seen = paneSeen(tmux, 'dash');

let proc: UwsgiProcess;

beforeAll(async () => {
  buildDist();
  proc = await startUwsgi({ workers: 2, fifos: ['master.fifo'], args: ['--threads', '2', '--cheaper-algo', 'manual', '--cheaper', '1', '--lazy-apps'] });
}, 180_000);

afterAll(cleanupAll);

it('a cycles the per-core view and f fast refresh, as in uwsgitop; ! c asks y/N naming the target and FIFO before writing', async () => {
  const addr = proc.statsAddress;
  await httpRequests(proc.httpPort!, '/', 20, 2);
  const before = await rawStats(proc);
  const pids = before.workers.filter((w: { pid: number }) => w.pid > 0).map((w: { pid: number }) => w.pid).sort();

  tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', 'dash', `node ${LAUNCHER} ${addr} --fifo ${addr}=${proc.fifos[0]}; echo "exit=$?"`, 'Enter');
  await seen((x) => x.includes('● live') && x.includes('a:cores'), 'the live dashboard offering a:cores');

  // a: one row per core (WID:core), then the cores under their worker, then workers only; no worker added.
  const busyWorker = before.workers.find((w: { requests: number }) => w.requests > 0);
  tmux('send-keys', '-t', 'dash', 'a');
  await seen((x) => new RegExp(`^\\s+${busyWorker.id}:[01]\\s`, 'm').test(x), 'a row per core');
  tmux('send-keys', '-t', 'dash', 'a');
  await seen((x) => /^\s+:[01]\s/m.test(x) && new RegExp(`^\\s+${busyWorker.id}\\s+\\S+\\s+${busyWorker.pid}\\s`, 'm').test(x), 'cores under their worker');
  tmux('send-keys', '-t', 'dash', 'a');
  await seen((x) => !/^\s+\d*:[01]\s/m.test(x), 'workers only again');

  // f: fast refresh, and back.
  tmux('send-keys', '-t', 'dash', 'f');
  await seen((x) => x.includes('every 0.25s'), 'fast refresh');
  tmux('send-keys', '-t', 'dash', 'f');
  await seen((x) => x.includes('every 1s'), 'the interval before');

  // None of those keys wrote to the FIFO: same workers, none added.
  const still = await rawStats(proc);
  expect(still.workers.filter((w: { pid: number }) => w.pid > 0).map((w: { pid: number }) => w.pid).sort()).toEqual(pids);

  // A FIFO command: ! then uWSGI's byte, then a line naming the target and the FIFO; n sends nothing.
  tmux('send-keys', '-t', 'dash', '!');
  await seen((x) => x.includes(`Control ${addr}: which FIFO byte?`), 'the control prompt');
  tmux('send-keys', '-t', 'dash', 'c');
  await seen((x) => x.includes(`chain-reload ${addr}? y/N, k: canary first (writes "c" to ${proc.fifos[0]})`), 'the confirmation');
  tmux('send-keys', '-t', 'dash', 'n');
  await seen((x) => x.includes(`chain-reload not sent: nothing was written to ${proc.fifos[0]}`), 'not sent');
  await new Promise((r) => setTimeout(r, 1500));
  const unchanged = await rawStats(proc);
  expect(unchanged.workers.filter((w: { pid: number }) => w.pid > 0).map((w: { pid: number }) => w.pid).sort()).toEqual(pids);

  tmux('send-keys', '-t', 'dash', '!', 'c', 'y');
  await seen((x) => /chain-reload: chain reload done/.test(x) || /chain-reload: .*replaced/.test(x), 'the chain reload verdict first', 60_000);
  const after = await rawStats(proc);
  for (const p of pids) expect(after.workers.some((w: { pid: number }) => w.pid === p)).toBe(false);

  tmux('send-keys', '-t', 'dash', 'q');
  await seen((x) => x.includes('exit=0'), 'the dashboard exited with 0');
}, 180_000);
