import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-helpers.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, freePort, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';
import { DEPLOYS, deploy, getRoot, goodApp, startApp } from '../support/deploys.js';

/** `uwsgitop-ts fifo FIFO WORDS... --stats ADDR --wait` through the command line's entry point. */
async function fifoWait(proc: { fifos: string[]; statsAddress: string }, ...words: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(['fifo', proc.fifos[0]!, ...words, '--stats', proc.statsAddress, '--wait', '--timeout', '30'], { env: {} });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describe('fifo --wait: the verdict about the new generation, on a real uWSGI', () => {
  afterAll(cleanupAll);

  it.concurrent('a good deploy: chain reload done, every new worker has its app, exit 0, the new code answers', async () => {
    const proc = await startApp();
    deploy(proc, 'good');
    const r = await fifoWait(proc, 'chain-reload');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('2 of 2 workers replaced');
    expect(r.out).toContain('application loaded in every new worker');
    expect(await getRoot(proc.httpPort!)).toEqual([200, 'v2']);
  }, 60_000);

  it.concurrent('lazy apps + a syntax error: the chain reload FAILED (exit 3), the worker without its app named, and requests do get 500', async () => {
    const proc = await startApp();
    deploy(proc, 'syntax');
    const r = await fifoWait(proc, 'chain-reload');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(/chain reload FAILED: worker \d \(pid \d+\) has no application loaded/);
    expect(r.err).toContain('will get 500');
    expect(r.out).toBe('');
    expect((await getRoot(proc.httpPort!))[0]).toBe(500);
  }, 60_000);

  it.concurrent('--need-app + a syntax error: the master exited, named with its pid (exit 3), not "no progress within 30 s"', async () => {
    const proc = await startApp({ needApp: true });
    deploy(proc, 'syntax');
    const started = performance.now();
    const r = await fifoWait(proc, 'chain-reload');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toContain(`master ${proc.pid} exited during the chain reload`);
    expect(r.err).not.toContain('no progress');
    await waitFor(() => !proc.alive(), 'the master gone', 5000);
    expect(proc.log().slice(-3000)).toMatch(/no app loaded. GAME OVER|need-app requested, destroying the instance/);
    // Long before the 30 s limit (the verdict's speed is measured by scripts/bench-verdict.mjs, not here).
    expect(performance.now() - started).toBeLessThan(25_000);
  }, 60_000);

  it.concurrent('an app that exits at import: a crash loop, named with the slot, the count and the window (exit 3)', async () => {
    const proc = await startApp();
    deploy(proc, 'exit');
    const r = await fifoWait(proc, 'chain-reload');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(/worker 1 crash-looping: \d+ respawns in [\d.]+ m?s/);
    // The chain stops at the first worker: the other one still serves the old code.
    expect(await getRoot(proc.httpPort!)).toEqual([200, 'v1']);
  }, 60_000);

  it.concurrent('reload-workers and reload of a broken lazy app fail the same way (exit 3)', async () => {
    const [a, b] = await Promise.all([startApp(), startApp()]);
    deploy(a, 'syntax');
    deploy(b, 'syntax');
    const [w, r] = await Promise.all([fifoWait(a, 'reload-workers'), fifoWait(b, 'reload')]);
    expect(w.code, w.out + w.err).toBe(3);
    expect(w.err).toContain('reload of workers FAILED');
    expect(w.err).toContain('no application loaded');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toContain('reload FAILED');
    expect(r.err).toContain('no application loaded');
  }, 60_000);

  it.concurrent('remove-worker without cheaper mode and an add-worker with every slot running fail at once, nothing written (exit 1)', async () => {
    const proc = await startApp({ lazy: false });
    const started = performance.now();
    const remove = await fifoWait(proc, 'remove-worker');
    expect(remove.code).toBe(1);
    expect(remove.err).toContain('remove-worker needs cheaper mode');
    expect(remove.err).toContain('nothing written');
    const add = await fifoWait(proc, 'add-worker');
    expect(add.code).toBe(1);
    expect(add.err).toContain('add-worker refused: all 2 worker slots');
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 60_000);
});

describe('dance: the verdict about the new instance, on a real zerg pool', () => {
  afterAll(cleanupAll);

  it('a broken new instance (no app, then a crash loop) stops the dance before anything is done (exit 3); a good one is promoted', async () => {
    const shared = tempDir('uwsgitop-zerg-');
    const pool = join(shared, 'pool.sock');
    const port = await freePort();
    const fifo = { new: join(shared, 'new.fifo'), running: join(shared, 'running.fifo'), sleeping: join(shared, 'sleeping.fifo') };
    const fifos = [fifo.new, fifo.running, fifo.sleeping];
    await startUwsgi({ stats: 'none', http: false, app: false, args: ['--plugin', 'zergpool', '--zergpool', `${pool}:127.0.0.1:${port}`] });
    await waitFor(() => existsSync(pool), 'the zerg pool socket', 10000);
    const zerg = (source: string, waitForWorkers = true): ReturnType<typeof startApp> =>
      startApp({ source, fifos, extra: { http: false, waitForWorkers, args: ['--zerg', pool, '--protocol', 'http'] } });
    const dance = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const r = await runCli(['dance', '--new', fifo.new, '--running', fifo.running, '--sleeping', fifo.sleeping, '--timeout', '20', ...args], { env: {} });
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    const a = await zerg(goodApp('v1'));
    expect((await dance('--new-stats', a.statsAddress)).code).toBe(0);
    await waitFor(async () => (await getRoot(port))[1] === 'v1', 'the pool serving v1 through A', 10000);

    const b = await zerg(DEPLOYS.syntax);
    const broken = await dance('--new-stats', b.statsAddress, '--running-stats', a.statsAddress);
    expect(broken.code, broken.out + broken.err).toBe(3);
    expect(broken.out).toContain('is broken, nothing done (nothing written to the running instance: it keeps serving the old code)');
    expect(broken.out).toContain('no application loaded');
    // A zerg instance takes connections as soon as it attaches: once the broken one is stopped, A (not paused) serves alone.
    await b.stop();
    expect(await getRoot(port)).toEqual([200, 'v1']);

    const c = await zerg(DEPLOYS.exit, false);
    const looping = await dance('--new-stats', c.statsAddress, '--running-stats', a.statsAddress);
    expect(looping.code, looping.out + looping.err).toBe(3);
    expect(looping.out).toMatch(/worker \d crash-looping: \d+ respawns in/);
    await c.stop();
    expect(await getRoot(port)).toEqual([200, 'v1']);

    const d = await zerg(goodApp('v2'));
    const good = await dance('--new-stats', d.statsAddress, '--running-stats', a.statsAddress, '--check', `http://127.0.0.1:${port}/=2xx`);
    expect(good.code, good.out + good.err).toBe(0);
    // Requests through the pool during the dance and after it, every one answered.
    const counted = /^(\d+) checks: (\d+) x 200$/m.exec(good.out);
    expect(counted, good.out).not.toBeNull();
    expect(counted![1]).toBe(counted![2]);
    await waitFor(async () => (await getRoot(port))[1] === 'v2', 'the pool serving v2 through D', 10000);
  }, 120_000);
});
