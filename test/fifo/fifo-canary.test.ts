import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-helpers.js';
import { cleanupAll, rawStats } from '../support/uwsgi.js';
import { deploy, getRoot, startApp } from '../support/deploys.js';
import { writeFileSync } from 'node:fs';

type Proc = Awaited<ReturnType<typeof startApp>>;

async function fifo(proc: Proc, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(['fifo', proc.fifos[0]!, 'chain-reload', '--stats', proc.statsAddress, '--timeout', '30', ...args], { env: {} });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function pids(proc: Proc): Promise<number[]> {
  return ((await rawStats(proc)).workers as Array<{ pid: number }>).map((w) => w.pid);
}

describe('fifo chain-reload --canary on a real uWSGI (--lazy-apps)', () => {
  afterAll(cleanupAll);

  it.concurrent('a broken deploy: the canary fails (exit 3), says the others still run the old code, and they still answer 200 with it', async () => {
    const proc = await startApp();
    const before = await pids(proc);
    deploy(proc, 'syntax');
    const r = await fifo(proc, '--canary', '--settle', '1');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toContain('canary FAILED: worker 1 (pid');
    expect(r.err).toContain('no application loaded');
    expect(r.err).toContain(`the other 1 worker (pid ${before[1]}) still run the old code: nothing else was reloaded`);
    expect(r.err).toContain('next: restore the previous release');
    // Worker 2 is the same process, and it answers with the old code; the chain reload was never written.
    const after = await pids(proc);
    expect(after[1]).toBe(before[1]);
    expect(after[0]).not.toBe(before[0]);
    const answers: Array<[number, string]> = [];
    for (let i = 0; i < 40 && !answers.some(([s]) => s === 200); i++) answers.push(await getRoot(proc.httpPort!));
    expect(answers.filter(([s, body]) => s === 200 && body === 'v1').length, JSON.stringify(answers)).toBeGreaterThan(0);
    expect(answers.every(([s, body]) => (s === 200 && body === 'v1') || s === 500)).toBe(true);
  }, 60_000);

  it.concurrent('an app that exits at import: the canary crash-loops, nothing else reloaded, every request still 200 v1', async () => {
    const proc = await startApp();
    const before = await pids(proc);
    deploy(proc, 'exit');
    const r = await fifo(proc, '--canary', '--settle', '1');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(/canary FAILED: worker 1 crash-looping: \d+ respawns in/);
    expect((await pids(proc))[1]).toBe(before[1]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => getRoot(proc.httpPort!)));
    expect(answers).toEqual(Array(6).fill([200, 'v1']));
  }, 60_000);

  it.concurrent('a good deploy: the canary holds, then the chain reload of the rest; the checks count every answer', async () => {
    const proc = await startApp();
    deploy(proc, 'good');
    const r = await fifo(proc, '--canary', '--settle', '1', '--check', `http://127.0.0.1:${proc.httpPort}/=2xx`);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^canary passed \(worker 1 \(pid \d+\) healthy for [\d.]+ s with the new code: app loaded/);
    expect(r.out).toContain('chain reload done: 2 of 2 workers replaced');
    const counted = /(\d+) checks: (\d+) x 200/.exec(r.out);
    expect(counted, r.out).not.toBeNull();
    expect(counted![1]).toBe(counted![2]);
    expect(await getRoot(proc.httpPort!)).toEqual([200, 'v2']);
  }, 60_000);

  it.concurrent('without --lazy-apps a canary could prove nothing: it says so and writes nothing (exit 1)', async () => {
    const proc = await startApp({ lazy: false });
    const before = await pids(proc);
    const r = await fifo(proc, '--canary', '--settle', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('a canary cannot mean anything here');
    expect(r.err).toContain('without --lazy-apps');
    expect(await pids(proc)).toEqual(before);
  }, 60_000);
});

describe('fifo --check on a real uWSGI', () => {
  afterAll(cleanupAll);

  it.concurrent('every worker replaced with its app, but the app answers 503: the check fails the reload (exit 3), counted', async () => {
    const proc = await startApp();
    writeFileSync(proc.appFile, "def application(env, start_response):\n    start_response('503 Service Unavailable', [])\n    return [b'down']\n");
    const r = await fifo(proc, '--wait', '--check', `http://127.0.0.1:${proc.httpPort}/`);
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toContain(`chain reload FAILED: check failed: http://127.0.0.1:${proc.httpPort}/ answered 503 (expected 2xx)`);
    expect(r.err).toMatch(/\d+ checks: \d+ x (200|503)/);
  }, 60_000);

  it('--check without --wait, and --canary with another command, are usage errors (exit 2)', async () => {
    expect((await runCli(['fifo', '/nonexistent.fifo', 'chain-reload', '--stats', ':1', '--check', 'http://127.0.0.1:1/'])).code).toBe(2);
    expect((await runCli(['fifo', '/nonexistent.fifo', 'reload', '--stats', ':1', '--canary'])).code).toBe(2);
    expect((await runCli(['fifo', '/nonexistent.fifo', 'chain-reload', '--stats', ':1', '--wait', '--check', 'ftp://x/'])).code).toBe(2);
  });
});
