/**
 * Discovery as a new user meets it, in a real terminal against a real uWSGI started with --master-fifo and
 * --py-tracebacker but watched without any flag: the events say what the master's command line gave, `!`
 * offers the FIFO found there (and writes only after y), Enter on a stuck worker shows its Python stack.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { paneSeen, privateTmux } from '../support/tmux.js';
import { cleanupAll, rawStats, startUwsgi, tempDir, waitFor, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('uwsgitop-discovery');
const seen = paneSeen(tmux, 'dash');

let proc: UwsgiProcess;

beforeAll(async () => {
  buildDist();
  const dir = tempDir();
  writeFileSync(join(dir, 'sleepy.py'), ['import time', 'def stuck_here(s):', '    time.sleep(s)', 'def application(env, start_response):', '    stuck_here(30)', "    start_response('200 OK', [])", "    return [b'ok']", ''].join('\n'));
  proc = await startUwsgi({ dir, workers: 1, fifos: ['ctl.fifo'], app: false, args: ['--plugin', 'python3', '--wsgi-file', join(dir, 'sleepy.py'), '--py-tracebacker', 'tb'] });
}, 60_000);

afterAll(cleanupAll);

it('finds the master FIFO and the tracebacker without flags, shows them, and uses them (the FIFO offered after !, named in the y/N line)', async () => {
  const addr = proc.statsAddress;
  tmux('new-session', '-d', '-s', 'dash', '-x', '160', '-y', '50', '-c', REPO_ROOT, 'bash --norc --noprofile');
  tmux('send-keys', '-t', 'dash', `node ${LAUNCHER} ${addr}; echo "exit=$?"`, 'Enter');
  await seen((x) => x.includes('● live'), 'the live dashboard');

  tmux('send-keys', '-t', 'dash', '9');
  await seen((x) => x.includes(`found in the command line of master ${proc.pid}: master FIFO`), 'the discovery event');

  // The stuck worker's stack, on Enter in the workers view.
  void fetch(`http://127.0.0.1:${proc.httpPort}/`).catch(() => undefined);
  await waitFor(async () => (await rawStats(proc)).workers[0].status === 'busy', 'a busy worker');
  tmux('send-keys', '-t', 'dash', '1');
  await seen((x) => / busy /.test(x), 'the busy worker row');
  tmux('send-keys', '-t', 'dash', 'Enter');
  const popup = await seen((x) => x.includes('time.sleep(s)'), 'the stack in the popup');
  expect(popup).toMatch(/sleepy\.py:3 in stuck_here/);
  tmux('send-keys', '-t', 'dash', 'Escape');

  // The FIFO found is the control: ! and the byte, then y/N naming it; n writes nothing.
  tmux('send-keys', '-t', 'dash', '!');
  await seen((x) => x.includes('which FIFO byte?'), 'the control prompt');
  tmux('send-keys', '-t', 'dash', 'w');
  await seen((x) => x.includes(`(writes "w" to ${proc.fifos[0]})`), 'the confirmation naming the FIFO found');
  tmux('send-keys', '-t', 'dash', 'n');
  await seen((x) => x.includes('not sent'), 'not sent');
  tmux('send-keys', '-t', 'dash', 'q');
  await seen((x) => x.includes('exit=0'), 'a clean exit');
}, 60_000);
