import { runCli } from '../support/cli-helpers.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createTargetControl } from '../../src/fifo/control.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, freePort, rawStats, startUwsgi, tempDir, waitFor } from '../support/uwsgi.js';

interface RawWorker {
  id: number;
  pid: number;
  status: string;
  accepting: number;
}

/** `uwsgitop-ts fifo ARGS...` through the command line's entry point, with in-memory streams. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(['fifo', ...args], { env: {} });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function workers(proc: Parameters<typeof rawStats>[0]): Promise<RawWorker[]> {
  return (await rawStats(proc)).workers as RawWorker[];
}

function pids(list: RawWorker[]): number[] {
  return list.filter((w) => w.pid > 0).map((w) => w.pid);
}

describe('FIFO commands on a real uWSGI, verified by the stats', () => {
  afterAll(cleanupAll);

  it('chain reload replaces every worker one at a time, with progress k of N', async () => {
    const proc = await startUwsgi({ fifos: ['a.fifo'], workers: 3, args: ['--lazy-apps'] });
    const before = pids(await workers(proc));
    const progress: Array<[number, number]> = [];
    const control = createTargetControl(proc.fifos[0] as string, proc.statsAddress, { onProgress: (_m, k, n) => progress.push([k, n]) });
    const result = await control.run('chain-reload');
    expect(result.ok, result.message).toBe(true);
    const after = await workers(proc);
    expect(pids(after)).toHaveLength(before.length);
    for (const pid of pids(after)) expect(before).not.toContain(pid);
    expect(after.every((w) => w.accepting === 1)).toBe(true);
    expect(progress.at(-1)).toEqual([before.length, before.length]);
    // Progress counts up, never down.
    for (let i = 1; i < progress.length; i++) expect((progress[i] as [number, number])[0]).toBeGreaterThan((progress[i - 1] as [number, number])[0]);
    expect(result.message).toContain(`${before.length} of ${before.length} workers replaced`);
    // The outcome says it in fields too: what was written where, seen in the stats, how far it got.
    expect([result.written, result.fifoPath, result.verified, result.progress]).toEqual(['c', proc.fifos[0], true, { done: before.length, total: before.length }]);
  }, 60000);

  it('the outcome tells a verified write from an unchecked one and from a refused one', async () => {
    const proc = await startUwsgi({ fifos: ['o.fifo'], workers: 2 });
    const fifo = proc.fifos[0] as string;
    const seen = await createTargetControl(fifo, proc.statsAddress).run('reload-workers');
    expect([seen.ok, seen.written, seen.verified]).toEqual([true, 'w', true]);
    // Without a stats address the write happens and nothing is claimed about its effect.
    const unchecked = await createTargetControl(fifo, null).run('log-stats');
    expect([unchecked.ok, unchecked.written, unchecked.verified]).toEqual([true, 's', null]);
    // A path nobody reads: nothing written, and the effect is reported as not seen.
    const refused = await createTargetControl(join(proc.dir, 'nobody.fifo'), null).run('reload-workers');
    expect([refused.ok, refused.written, refused.verified]).toEqual([false, '', false]);
  }, 60000);

  it('pause then resume: writes p only when needed, every worker shows pause, then none', async () => {
    const proc = await startUwsgi({ fifos: ['p.fifo'], workers: 2 });
    const fifo = proc.fifos[0] as string;
    const paused = await cli([fifo, 'pause', '--stats', proc.statsAddress, '--wait', '--timeout', '10']);
    expect(paused.code, paused.err).toBe(0);
    expect((await workers(proc)).every((w) => w.status === 'pause')).toBe(true);
    // Pausing again must not toggle it back.
    const again = await cli([fifo, 'pause', '--stats', proc.statsAddress, '--wait']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing written');
    expect((await workers(proc)).every((w) => w.status === 'pause')).toBe(true);
    const resumed = await cli([fifo, 'resume', '--stats', proc.statsAddress, '--wait', '--timeout', '10']);
    expect(resumed.code, resumed.err).toBe(0);
    expect((await workers(proc)).some((w) => w.status === 'pause')).toBe(false);
  }, 60000);

  it('reload-workers gives every worker a new pid; reload keeps the master pid and replaces the workers', async () => {
    const proc = await startUwsgi({ fifos: ['w.fifo'], workers: 2 });
    const fifo = proc.fifos[0] as string;
    const first = pids(await workers(proc));
    const w = await cli([fifo, 'reload-workers', '--stats', proc.statsAddress, '--wait']);
    expect(w.code, w.err).toBe(0);
    const second = pids(await workers(proc));
    for (const pid of second) expect(first).not.toContain(pid);
    const r = await cli([fifo, 'reload', '--stats', proc.statsAddress, '--wait']);
    expect(r.code, r.err).toBe(0);
    const doc = await rawStats(proc);
    expect(doc.pid).toBe(proc.pid);
    for (const pid of pids(doc.workers)) expect([...first, ...second]).not.toContain(pid);
    expect(r.out).toContain(`master pid ${proc.pid} kept`);
  }, 60000);

  it('add-worker and remove-worker under --cheaper-algo manual change the running count by one', async () => {
    const proc = await startUwsgi({ fifos: ['c.fifo'], args: ['--workers', '3', '--cheaper', '1', '--cheaper-algo', 'manual'] });
    const fifo = proc.fifos[0] as string;
    const running = async () => (await workers(proc)).filter((w) => w.pid > 0 && w.status !== 'cheap').length;
    const start = await running();
    const add = await cli([fifo, 'add-worker', '--stats', proc.statsAddress, '--wait']);
    expect(add.code, add.err).toBe(0);
    expect(await running()).toBe(start + 1);
    const remove = await cli([fifo, 'remove-worker', '--stats', proc.statsAddress, '--wait']);
    expect(remove.code, remove.err).toBe(0);
    await waitFor(async () => (await running()) === start, 'back to the starting count', 5000);
  }, 60000);

  it('shutdown: the stats server goes away and the master exits', async () => {
    const proc = await startUwsgi({ fifos: ['q.fifo'], workers: 2 });
    const result = await cli([proc.fifos[0] as string, 'shutdown', '--stats', proc.statsAddress, '--wait']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('is gone');
    await waitFor(() => !proc.alive(), 'master exit', 10000);
  }, 60000);

  it('a slot switch is checked at the new path: the old path no longer answers', async () => {
    const proc = await startUwsgi({ fifos: ['s0.fifo', 's1.fifo'], workers: 1 });
    const [s0, s1] = proc.fifos as [string, string];
    const result = await cli([s0, 'slot-1', '--wait']);
    expect(result.code, result.err).toBe(0);
    // The next command must go to slot 1's path: a reload there is seen in the stats.
    const before = pids(await workers(proc));
    const old = await cli([s0, 'reload-workers', '--stats', proc.statsAddress]);
    expect(old.code).toBe(1);
    // With --stats the master's open FIFOs are checked first: s0 is refused before any write.
    expect(old.err).toMatch(/reads none of \S*s0\.fifo: nothing written/);
    const next = await cli([s1, 'reload-workers', '--stats', proc.statsAddress, '--wait']);
    expect(next.code, next.err).toBe(0);
    for (const pid of pids(await workers(proc))) expect(before).not.toContain(pid);
  }, 60000);

  it('usage errors exit 2; a refused write exits 1', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['/tmp/x.fifo', 'reloda'])).code).toBe(2);
    expect((await cli(['/tmp/x.fifo', 'pause'])).code).toBe(2);
    expect((await cli(['/nonexistent-dir/x.fifo', 'reload'])).code).toBe(1);
  });

  it('--ini gives the stats address and the slot paths: --raw 1p switches slot and pauses, both verified', async () => {
    const dir = tempDir();
    const port = await freePort();
    const ini = join(dir, 'site.ini');
    writeFileSync(ini, `[uwsgi]\nstats = 127.0.0.1:${port}\nmaster-fifo = %dsite0.fifo\nmaster-fifo = %dsite1.fifo\n`);
    const proc = await startUwsgi({ dir, stats: 'none', workers: 2, args: ['--ini', ini] });
    const where = { statsBind: `127.0.0.1:${port}`, statsHttp: false };
    await waitFor(async () => (await rawStats(where)).workers.every((w: RawWorker) => w.accepting === 1), 'the ini-configured instance', 15000);
    const result = await cli([join(dir, 'site0.fifo'), '--raw', '1p', '--ini', ini, '--wait']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`the master now reads ${join(dir, 'site1.fifo')}`);
    expect(((await rawStats(where)).workers as RawWorker[]).every((w) => w.status === 'pause')).toBe(true);
    expect(proc.alive()).toBe(true);
  }, 60000);

  it('go-cheap stops every worker (pid 0, status cheap) and a request brings one back', async () => {
    const proc = await startUwsgi({ fifos: ['cheap.fifo'], workers: 2 });
    const result = await cli([proc.fifos[0] as string, 'go-cheap', '--stats', proc.statsAddress, '--wait']);
    expect(result.code, result.err).toBe(0);
    const cheap = await workers(proc);
    expect(cheap.every((w) => w.pid === 0 && w.status === 'cheap')).toBe(true);
    const res = await fetch(`http://127.0.0.1:${proc.httpPort}/`);
    expect(res.status).toBe(200);
  }, 60000);
});
