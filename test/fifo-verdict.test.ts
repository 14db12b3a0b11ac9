import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';
import { cleanupAll, waitFor } from './support/uwsgi.js';
import { deploy, getRoot, startApp } from './support/deploys.js';

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
