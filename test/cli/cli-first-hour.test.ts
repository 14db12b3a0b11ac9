/** The small first-hour messages, against a real uWSGI: each says what happened once, and names what it is about. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli-helpers.js';
import { cleanupAll, startUwsgi, tempDir, type UwsgiProcess } from '../support/uwsgi.js';

let proc: UwsgiProcess;

beforeAll(async () => {
  proc = await startUwsgi({ workers: 1, fifos: ['master.fifo'] });
}, 60_000);
afterAll(cleanupAll);

it('a command without a visible effect does not repeat its name (log-stats: log-stats:)', async () => {
  const r = await runCli(['fifo', proc.fifos[0]!, 'log-stats', '--stats', proc.statsAddress, '--wait']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^no effect visible in the stats, not verified \(wrote "s" to /);
  expect(r.stdout).not.toContain('log-stats');
});

it('a FIFO that does not exist is "no master FIFO at PATH", with --stats too', async () => {
  const missing = join(tempDir(), 'none.fifo');
  const r = await runCli(['fifo', missing, 'reload-workers', '--stats', proc.statsAddress]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`no master FIFO at ${missing} (ENOENT)`);
  expect(r.stderr).not.toContain('reads none of');
});

it('--ini with a file that declares no stats names that file', async () => {
  const ini = join(tempDir(), 'nostats.ini');
  writeFileSync(ini, '[uwsgi]\nmaster = true\nworkers = 2\n');
  const r = await runCli(['--once', '--ini', ini]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${ini}: no "stats" option`);
});

it('TERM=dumb on a terminal says so, not that stdout is not a terminal', async () => {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  stdout.resume();
  const code = await main([proc.statsAddress], { stdin: new PassThrough(), stdout, stderr, env: { TERM: 'dumb' } });
  expect(code).toBe(0);
  expect(err.split('\n')[0]).toBe('uwsgitop-ts: TERM=dumb cannot show the dashboard: printing one report (use --once/--count/--json for scripts)');
});
