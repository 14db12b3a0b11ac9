/**
 * A stuck worker's Python stack through uWSGI's --py-tracebacker, against real uWSGI: found from the master's
 * command line (or the ini it names) without flags, read on Enter in the worker popup, escaped like every
 * document string; an instance without a tracebacker gets a popup that says how to enable one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cleanupAll, rawStats, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { parseAddress } from '../../src/stats/address.js';
import { directTarget } from '../../src/cli/targets.js';
import { createMonitor, type ControllableMonitor } from '../../src/monitor/monitor.js';
import { createStackReader } from '../../src/cli/stacks.js';
import { discoverLocal } from '../../src/cli/discover.js';
import { masterOptions } from '../../src/stats/master-options.js';
import { readTraceback } from '../../src/stats/tracebacker.js';
import { KEY, startHeadless } from '../support/views-support.js';

// The comment on the sleeping line carries ESC and BEL: the stack is application text. (uWSGI 2.0.21's
// tracebacker leaves out a frame whose line holds a non-ASCII character, so this one keeps to ASCII.)
const APP = [
  'import time',
  'def stuck_here(s):',
  "    time.sleep(s)  # \u001b[2J\u0007",
  'def application(env, start_response):',
  "    if env.get('PATH_INFO', '/').startswith('/sleep'):",
  "        stuck_here(float(env.get('QUERY_STRING') or '20'))",
  "    start_response('200 OK', [('Content-Type', 'text/plain')])",
  "    return [b'ok\\n']",
  '',
].join('\n');

let withTb: UwsgiProcess;
let without: UwsgiProcess;
const monitors: ControllableMonitor[] = [];

async function start(extra: string[]): Promise<UwsgiProcess> {
  const dir = tempDir();
  writeFileSync(join(dir, 'sleepy.py'), APP);
  return startUwsgi({ dir, workers: 2, app: false, args: ['--plugin', 'python3', '--wsgi-file', join(dir, 'sleepy.py'), ...extra] });
}

beforeAll(async () => {
  [withTb, without] = await Promise.all([start(['--py-tracebacker', 'tb']), start([])]);
}, 60_000);
afterAll(async () => {
  for (const m of monitors) m.stop();
  await cleanupAll();
});

function monitorOf(u: UwsgiProcess): ControllableMonitor {
  const target = directTarget(parseAddress(u.statsAddress), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 24 });
  const m = createMonitor(u.statsAddress, (signal) => target.fetch(signal), { intervalMs: 500 });
  monitors.push(m);
  return m;
}

/** Start a request that sleeps in stuck_here, and the worker serving it once the stats show it busy. */
async function stuckWorker(u: UwsgiProcess): Promise<{ id: number; slot: number }> {
  void fetch(`http://127.0.0.1:${u.httpPort}/sleep?20`).catch(() => undefined);
  const doc = await waitFor(async () => {
    const d = await rawStats(u);
    return d.workers.some((w: any) => w.status === 'busy') ? d : null;
  }, 'a busy worker');
  const i = doc.workers.findIndex((w: any) => w.status === 'busy');
  return { id: doc.workers[i].id, slot: i + 1 };
}

describe('the stack of a stuck worker', () => {
  it('Enter on a worker sleeping in time.sleep shows that line of its stack, found from the command line, escaped', async () => {
    const worker = await stuckWorker(withTb);
    const m = monitorOf(withTb);
    await waitFor(() => m.latest()?.snapshot?.kind === 'instance' && (m.latest()!.snapshot as any).doc.workers[worker.slot - 1].status === 'busy', 'the monitor to see the busy worker');
    // A live target: the real clock (the harness's fixed one is the samples' time).
    const h = await startHeadless([m], { cols: 100, rows: 40, stacks: createStackReader([m], null, () => true), clock: Date.now });
    try {
      // The busy worker's row, then Enter.
      for (let i = 1; i < worker.slot; i++) await h.keys(KEY.down);
      await h.keys(KEY.enter);
      await waitFor(async () => {
        await h.nextFrame();
        return h.screenText().includes('time.sleep(s)');
      }, 'the stack in the popup', 10_000, 0).catch((err: Error) => {
        throw new Error(`${err.message}\n${h.screenText()}`);
      });
      const screen = h.screenText();
      expect(screen).toContain(`Python stack of worker ${worker.id}`);
      expect(screen).toContain(`tracebacker found in the command line of master ${withTb.pid}`);
      expect(screen).toMatch(/sleepy\.py:3 in stuck_here/);
      expect(screen).toMatch(/sleepy\.py:6 in application/);
      // Escaped, not executed: the comment's ESC and BEL are shown as text.
      expect(screen).toContain('# \\x1b[2J\\x07');
      expect(h.tty.bytes()).not.toContain('\u001b[2J\u0007');
    } finally {
      await h.close();
    }
  }, 60_000);

  it('an instance without --py-tracebacker gets a popup that says how to enable it', async () => {
    const worker = await stuckWorker(without);
    const m = monitorOf(without);
    await waitFor(() => m.latest()?.snapshot?.kind === 'instance', 'a first read');
    // A live target: the real clock (the harness's fixed one is the samples' time).
    const h = await startHeadless([m], { cols: 100, rows: 40, stacks: createStackReader([m], null, () => true), clock: Date.now });
    try {
      for (let i = 1; i < worker.slot; i++) await h.keys(KEY.down);
      await h.keys(KEY.enter);
      await waitFor(async () => {
        await h.nextFrame();
        return h.screenText().includes('no tracebacker');
      }, 'the hint in the popup', 10_000, 0);
      expect(h.screenText()).toContain('start uWSGI with --py-tracebacker');
    } finally {
      await h.close();
    }
  }, 60_000);

  it('reads only a socket, and at most the byte limit', async () => {
    const file = join(withTb.dir, 'plain1');
    writeFileSync(file, 'not a socket');
    await expect(readTraceback(join(withTb.dir, 'plain'), 1)).rejects.toThrow(/is not a socket: not read/);
    const short = await readTraceback(join(withTb.dir, 'tb'), 1, { maxBytes: 20 });
    expect(short.truncated).toBe(true);
  });
});

describe('discovery for a local instance', () => {
  it("finds the master FIFO and the tracebacker in the ini the master's command line names", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sleepy.py'), APP);
    writeFileSync(join(dir, 'app.ini'), ['[uwsgi]', 'master-fifo = ctl.fifo', 'py-tracebacker = %dtb', ''].join('\n'));
    const u = await startUwsgi({ dir, workers: 1, app: false, args: ['--plugin', 'python3', '--wsgi-file', join(dir, 'sleepy.py'), '--ini', join(dir, 'app.ini')] });
    const d = await discoverLocal(u.pid, (await rawStats(u)).cwd);
    expect(d?.masterFifos).toEqual([join(dir, 'ctl.fifo')]);
    expect(d?.tracebacker).toBe(join(dir, 'tb'));
    expect(d?.from).toBe(`the command line of master ${u.pid} and ${join(dir, 'app.ini')}`);
    const tb = await readTraceback(d!.tracebacker!, 1);
    expect(tb.frames).toEqual([]);
  }, 60_000);

  it('reads --name value and --name=value, several master FIFOs in order, relative paths from the cwd', () => {
    const o = masterOptions(['uwsgi', '--master', '--master-fifo', 'a.fifo', '--master-fifo=/run/b.fifo', '--py-tracebacker=tb', '--stats', ':9191', '--socket', 'x.sock'], '/srv/app');
    expect(o).toEqual({ masterFifos: ['/srv/app/a.fifo', '/run/b.fifo'], tracebacker: '/srv/app/tb', stats: ':9191', inis: [] });
    expect(masterOptions(['uwsgi', 'app.ini'], '/srv').inis).toEqual(['/srv/app.ini']);
  });
});
