// @module-tag calendar
/**
 * `--json` records and the `--json --watch` NDJSON stream against real uWSGI instances, through main() with
 * in-memory streams: fields, pids and counts checked against the raw stats document, lines per target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, freePort, tempDir, httpRequests, rawHttpRequest, rawStats, rawStatsRead, startUwsgi, statsCounting, totalRequests, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { startEmperor, startFastrouterWithSubscriber } from '../support/topologies.js';
import { runCli } from '../support/cli-helpers.js';

let a: UwsgiProcess;
let b: UwsgiProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([startUwsgi({ workers: 3 }), startUwsgi({ workers: 2 })]);
}, 60_000);
afterAll(cleanupAll);

function lines(stdout: string): any[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
}

describe('--json', () => {
  it('prints one record per target with the workers, their pids, counts and no rates yet', async () => {
    const before = totalRequests(await rawStats(a));
    await httpRequests(a.httpPort!, '/', 7);
    const raw = await statsCounting(a, before + 7);
    const { code, stdout, stderr } = await runCli(['--json', a.statsAddress, b.statsAddress]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [ra, rb] = lines(stdout);
    expect(ra).toMatchObject({ schema: 1, target: a.statsAddress, ok: true, kind: 'instance', pid: a.pid, warnings: [] });
    expect(rb).toMatchObject({ target: b.statsAddress, ok: true, kind: 'instance', pid: b.pid });
    expect(ra.error).toBeUndefined();
    expect(ra.workers.map((w: any) => w.pid)).toEqual(raw.workers.map((w: any) => w.pid));
    expect(ra.workers.map((w: any) => w.requests)).toEqual(raw.workers.map((w: any) => w.requests));
    expect(ra.workers.reduce((s: number, w: any) => s + w.requests, 0)).toBeGreaterThanOrEqual(7);
    for (const [i, w] of ra.workers.entries()) {
      expect(w).toMatchObject({ slot: i + 1, id: raw.workers[i].id, status: 'idle', accepting: true, rps: null, inFlight: [] });
    }
    expect(ra.summary.totalRequests).toBe(raw.workers.reduce((s: number, w: any) => s + w.requests, 0));
    expect(ra.summary.rps).toBeNull();
    expect(rb.workers).toHaveLength(2);
  });

  it("carries a busy worker's in-flight request, and a hostile URI keeps its characters (escaped in the line)", async () => {
    const uri = '/slow?s=3&x=\u001b[2J\u009b31m\u202eevil';
    const socket = rawHttpRequest(a.httpPort!, Buffer.concat([Buffer.from('GET '), Buffer.from(uri, 'utf8'), Buffer.from(' HTTP/1.0\r\nHost: h\r\n\r\n')]));
    await waitFor(async () => (await rawStatsRead(a)).includes('evil'), 'the request in flight');
    try {
      const { code, stdout } = await runCli(['--json', a.statsAddress]);
      expect(code).toBe(0);
      // No raw ESC, C1 or bidi character in the output bytes; JSON.parse restores them.
      expect(stdout).not.toMatch(/[\u001b\u009b\u202e]/u);
      const [record] = lines(stdout);
      const busy = record.workers.filter((w: any) => w.status === 'busy');
      expect(busy).toHaveLength(1);
      expect(busy[0].inFlight).toHaveLength(1);
      expect(busy[0].inFlight[0]).toMatchObject({ method: 'GET', uri, host: 'h', workerPid: busy[0].pid, workerSlot: busy[0].slot });
      expect(record.summary.busy).toBe(1);
      // The document was not valid JSON while the request was in flight: the record says it was repaired.
      expect(record.repairs.length).toBeGreaterThan(0);
    } finally {
      socket.destroy();
    }
    await waitFor(async () => !(await rawStatsRead(a)).includes('evil'), 'the request to end', 15_000, 200);
  }, 30_000);

  it('prints an ok:false record and exits 1 for a refused target', async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await runCli(['--json', refused, b.statsAddress]);
    expect(code).toBe(1);
    const [bad, good] = lines(stdout);
    expect(bad).toMatchObject({ target: refused, ok: false, errorCode: 'refused' });
    expect(typeof bad.error).toBe('string');
    expect(bad.workers).toBeUndefined();
    expect(good).toMatchObject({ target: b.statsAddress, ok: true });
    expect(stderr.trimEnd().split('\n')).toEqual([`uwsgitop-ts: ${refused}: ${bad.error}`]);
  });

  it('shows an emperor as vassals[] and a fastrouter as subscriptions[] with their nodes', async () => {
    const [{ emperor }, { router, nodeAddress }] = await Promise.all([startEmperor(['alpha', 'beta']), startFastrouterWithSubscriber('app.local')]);
    const rawEmperor = await rawStats(emperor);
    const rawRouter = await waitFor(async () => {
      const doc = await rawStats(router);
      return doc.subscriptions?.length > 0 ? doc : null;
    }, 'the subscription to reach the router');
    const { code, stdout } = await runCli(['--json', emperor.statsAddress, router.statsAddress]);
    expect(code).toBe(0);
    const [e, r] = lines(stdout);
    expect(e.kind).toBe('emperor');
    expect(e.vassals.map((v: any) => v.id).sort()).toEqual(rawEmperor.vassals.map((v: any) => v.id).sort());
    expect(e.vassals.map((v: any) => v.pid).sort()).toEqual(rawEmperor.vassals.map((v: any) => v.pid).sort());
    expect(r.kind).toBe('router');
    expect(r.subscriptions.map((s: any) => s.key)).toEqual(rawRouter.subscriptions.map((s: any) => s.key));
    expect(r.subscriptions[0].key).toBe('app.local');
    expect(r.subscriptions[0].nodes.map((n: any) => n.name)).toContain(nodeAddress);
  }, 60_000);
});

describe('--ini', () => {
  it("reads the target from a uWSGI ini file's stats option", async () => {
    const dir = tempDir();
    const ini = join(dir, 'app.ini');
    writeFileSync(ini, `[uwsgi]\nmaster = true\nstats = ${b.statsAddress}\nmaster-fifo = ${join(dir, 'master.fifo')}\n`);
    const { code, stdout } = await runCli(['--json', '--ini', ini]);
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([expect.objectContaining({ target: b.statsAddress, ok: true, pid: b.pid })]);
    const missing = await runCli(['--json', '--ini', join(dir, 'missing.ini')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.ini');
  });
});

describe('--json --watch', () => {
  it('--count 3 prints three lines per target, numbered, with rates from the second line on', async () => {
    const { code, stdout, stderr } = await runCli(['--json', '--watch', '--count', '3', '--interval', '0.2', a.statsAddress, b.statsAddress]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = lines(stdout);
    expect(records).toHaveLength(6);
    for (const target of [a.statsAddress, b.statsAddress]) {
      const mine = records.filter((r) => r.target === target);
      expect(mine.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(mine.every((r) => r.ok === true && r.state === 'live' && Array.isArray(r.events))).toBe(true);
      expect(mine[0].summary.rps).toBeNull();
      expect(typeof mine[1].summary.rps).toBe('number');
      expect(mine[2].workers.every((w: any) => typeof w.rps === 'number')).toBe(true);
      expect(mine[1].intervalSeconds).toBeGreaterThan(0.1);
    }
  }, 20_000);

  it('reports a worker respawn as an event in the stream', async () => {
    const raw = await rawStats(b);
    const victim = raw.workers[0].pid as number;
    const run = runCli(['--json', '--watch', '--count', '6', '--interval', '0.3', b.statsAddress]);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(victim, 'SIGKILL');
    const { code, stdout } = await run;
    expect(code).toBe(0);
    const records = lines(stdout);
    expect(records).toHaveLength(6);
    const events = records.flatMap((r) => r.events);
    expect(events.some((e: any) => e.type === 'worker-respawned')).toBe(true);
    const last = records[records.length - 1];
    expect(last.workers[0].pid).not.toBe(victim);
  }, 30_000);

  it("says the master's uptime after every worker was replaced, in one-shot --json as in --json --watch and --once", async () => {
    const p = await startUwsgi({ workers: 2, fifos: ['m.fifo'] });
    await new Promise((r) => setTimeout(r, 3000));
    const old = (await rawStats(p)).workers.map((w: { pid: number }) => w.pid);
    writeFileSync(p.fifos[0]!, 'w');
    await waitFor(async () => (await rawStats(p)).workers.every((w: { pid: number }) => !old.includes(w.pid)), 'every worker replaced');
    // The workers are now a second or two old; the master has run for more than 3 s.
    const once = lines((await runCli(['--json', p.statsAddress])).stdout)[0];
    const watched = lines((await runCli(['--json', '--watch', '--count', '1', p.statsAddress])).stdout)[0];
    for (const record of [once, watched]) {
      expect(record.summary.uptimeFrom).toBe('master');
      expect(record.summary.uptimeSeconds).toBeGreaterThanOrEqual(3);
    }
    expect((await runCli(['--once', p.statsAddress])).stdout).toMatch(/\bup \d/);
  }, 40_000);
});
