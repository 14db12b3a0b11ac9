import http from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runDanceCli } from '../../src/cli/dance-cli.js';
import { probeFifo } from '../../src/fifo/writer.js';
import { cleanupAll, freePort, rawStats, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';

/** One GET on a fresh connection (no keep-alive, so every request goes through the pool's accept queue). */
function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

/** Sequential requests until stopped; records every status (0 = failed). */
function requestLoop(port: number): { stop: () => Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      statuses.push(await get(port));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return statuses;
    },
  };
}

async function dance(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const stream = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const code = await runDanceCli(args, { stdout: stream, stderr: stream, env: {} });
  return { code, out };
}

async function statuses(proc: UwsgiProcess): Promise<string[]> {
  return ((await rawStats(proc)).workers as Array<{ status: string }>).map((w) => w.status);
}

describe('the zerg dance on a real zerg pool', () => {
  afterAll(cleanupAll);

  it('three instances started one after the other, the dance after each start, then the roll-back, with no failed request', async () => {
    const shared = tempDir('uwsgitop-zerg-');
    const pool = join(shared, 'pool.sock');
    const port = await freePort();
    const fifo = { new: join(shared, 'new.fifo'), running: join(shared, 'running.fifo'), sleeping: join(shared, 'sleeping.fifo') };
    await startUwsgi({ stats: 'none', http: false, app: false, args: ['--plugin', 'zergpool', '--zergpool', `${pool}:127.0.0.1:${port}`] });
    await waitFor(() => existsSync(pool), 'the zerg pool socket', 10000);
    const start = () =>
      startUwsgi({ http: false, app: true, workers: 2, fifos: [fifo.new, fifo.running, fifo.sleeping], args: ['--zerg', pool, '--protocol', 'http'] });

    // First deploy: no runner, no sleeper yet.
    const a = await start();
    await waitFor(async () => (await get(port)) === 200, 'the pool to serve through instance A', 10000);
    const loop = requestLoop(port);
    const first = await dance(['--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping, '--new-stats', a.statsAddress]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('no sleeping instance');
    expect(first.out).toContain('no running instance');
    expect((await probeFifo(fifo.running)).state).toBe('answering');

    const b = await start();
    const second = await dance(['--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping, '--new-stats', b.statsAddress, '--running-stats', a.statsAddress]);
    expect(second.code, second.out).toBe(0);
    expect((await statuses(a)).every((s) => s === 'pause')).toBe(true);
    expect((await statuses(b)).some((s) => s === 'pause')).toBe(false);

    const c = await start();
    const third = await dance([
      '--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping,
      '--new-stats', c.statsAddress, '--running-stats', b.statsAddress, '--sleeping-stats', a.statsAddress,
    ]);
    expect(third.code, third.out).toBe(0);
    await waitFor(() => !a.alive(), 'the first instance to exit after Q', 10000);
    expect((await statuses(b)).every((s) => s === 'pause')).toBe(true);
    expect((await statuses(c)).some((s) => s === 'pause')).toBe(false);
    const servedByC = async () => ((await rawStats(c)).workers as Array<{ requests: number }>).reduce((n, w) => n + w.requests, 0);
    await waitFor(async () => (await servedByC()) > 0, 'requests served by the new runner C', 5000);

    // Roll back: C goes away, B runs again and holds running.fifo.
    const back = await dance(['rollback', '--running', fifo.running, '--sleeping', fifo.sleeping, '--running-stats', c.statsAddress, '--sleeping-stats', b.statsAddress]);
    expect(back.code, back.out).toBe(0);
    await waitFor(() => !c.alive(), 'C to exit after the roll-back', 10000);
    expect((await statuses(b)).some((s) => s === 'pause')).toBe(false);
    expect((await probeFifo(fifo.running)).state).toBe('answering');
    const beforeB = ((await rawStats(b)).workers as Array<{ requests: number }>).reduce((n, w) => n + w.requests, 0);
    await new Promise((r) => setTimeout(r, 500));
    const all = await loop.stop();
    const afterB = ((await rawStats(b)).workers as Array<{ requests: number }>).reduce((n, w) => n + w.requests, 0);
    expect(afterB).toBeGreaterThan(beforeB);
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((s) => s !== 200)).toEqual([]);
  }, 120000);

  it('refuses to dance without a new instance, and to roll back without a sleeper, touching nothing', async () => {
    const dir = tempDir();
    const fifo = { new: join(dir, 'new.fifo'), running: join(dir, 'running.fifo'), sleeping: join(dir, 'sleeping.fifo') };
    const runner = await startUwsgi({ workers: 1, fifos: [fifo.new, fifo.running, fifo.sleeping] });
    // Make it the runner by hand (slot 1), so new.fifo is left without a reader.
    const promote = await dance(['--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping]);
    expect(promote.code, promote.out).toBe(0);
    const noNew = await dance(['--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping, '--running-stats', runner.statsAddress]);
    expect(noNew.code).toBe(1);
    expect(noNew.out).toContain('no new instance to promote, nothing done');
    expect((await statuses(runner)).some((s) => s === 'pause')).toBe(false);
    const noSleeper = await dance(['rollback', '--running', fifo.running, '--sleeping', fifo.sleeping]);
    expect(noSleeper.code).toBe(1);
    expect(noSleeper.out).toContain('no sleeping instance to bring back, nothing done');
    expect(runner.alive()).toBe(true);
    expect((await dance(['--new', fifo.new])).code).toBe(2);
  }, 60000);

  it('without stats addresses the FIFOs alone prove each step; rollback in the manual order', async () => {
    const shared = tempDir();
    const fifo = { new: join(shared, 'new.fifo'), running: join(shared, 'running.fifo'), sleeping: join(shared, 'sleeping.fifo') };
    const fifos = [fifo.new, fifo.running, fifo.sleeping];
    const args = ['--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping];
    const a = await startUwsgi({ workers: 1, fifos });
    expect((await dance(args)).code).toBe(0);
    const b = await startUwsgi({ workers: 1, fifos });
    const swap = await dance(args);
    expect(swap.code, swap.out).toBe(0);
    expect(swap.out).toContain(`the master now reads ${fifo.sleeping}`);
    expect(await statuses(a)).toEqual(['pause']);
    expect(await statuses(b)).toEqual(['idle']);
    const back = await dance(['rollback', '--running', fifo.running, '--sleeping', fifo.sleeping, '--manual-order']);
    expect(back.code, back.out).toBe(0);
    expect(back.out).toContain('the master no longer reads it (exited)');
    await waitFor(() => !b.alive(), 'B to exit', 10000);
    await waitFor(async () => (await statuses(a)).every((s) => s === 'idle'), 'A to run again', 5000);
    // A reopens its FIFO after each writer closes it (the dance's own probes): for that instant nobody reads.
    await waitFor(async () => (await probeFifo(fifo.running)).state === 'answering', 'A reading running.fifo', 5000);
  }, 60000);
});
