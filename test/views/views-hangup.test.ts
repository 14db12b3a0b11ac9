// @module-tag calendar
/**
 * The terminal goes away under a running dashboard (ssh drops, `tmux kill-session`): the dashboard must end
 * quietly, by the hangup, with nothing on stderr. Before, a frame written to the dead terminal failed with
 * EIO and surfaced as an uncaught error, and Node 20 then aborted restoring the vanished terminal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, LAUNCHER } from '../support/cli-helpers.js';
import { privateTmux } from '../support/tmux.js';
import { cleanupAll, startUwsgi, tempDir, waitFor, REPO_ROOT, type UwsgiProcess } from '../support/uwsgi.js';

const tmux = privateTmux('uwsgitop-hup');

let proc: UwsgiProcess;

beforeAll(async () => {
  buildDist();
  proc = await startUwsgi({ workers: 2 });
}, 180_000);

afterAll(cleanupAll);

it('ends by the hangup, with an empty stderr, when its tmux session is killed', async () => {
  const dir = tempDir('uwsgitop-hup-');
  const errFile = join(dir, 'stderr.txt');
  const statusFile = join(dir, 'status.txt');
  // The wrapping shell ignores the hangup only to live long enough to write down how the dashboard ended.
  const script = `trap "" HUP; node ${LAUNCHER} ${proc.statsAddress} 2>${errFile}; echo $? > ${statusFile}`;
  tmux('new-session', '-d', '-s', 'dash', '-x', '80', '-y', '24', '-c', REPO_ROOT, 'bash', '-c', script);
  await waitFor(() => tmux('capture-pane', '-p', '-t', 'dash').includes('● live'), 'the live dashboard', 20_000, 150);

  tmux('kill-session', '-t', 'dash');
  const status = await waitFor(() => (existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() : null) || null, 'the dashboard to end', 10_000, 100);

  // 128 + SIGHUP (1): ended by the signal itself, not by a crash (1) or an abort (134).
  expect(status).toBe('129');
  expect(readFileSync(errFile, 'utf8')).toBe('');
}, 120_000);
