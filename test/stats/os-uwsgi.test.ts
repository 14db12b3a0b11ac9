/**
 * What the stats server cannot say, against real uWSGI: CPU% and memory of a local instance's processes
 * from /proc, and the mean response time over an interval from uWSGI's own counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, httpRequests, rawStats, startUwsgi, tempDir, waitFor, type UwsgiProcess } from '../support/uwsgi.js';
import { runCli } from '../support/cli-helpers.js';
import { parseAddress } from '../../src/stats/address.js';
import { directTarget } from '../../src/cli/targets.js';
import { derive } from '../../src/metrics/derive.js';
import { readOsFacts } from '../../src/stats/proc-os.js';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import { collectSamples } from '../../src/web/prom-samples.js';
import { PassThrough } from 'node:stream';
import type { InstanceSnapshot, Snapshot } from '../../src/stats/snapshot.js';

/** An app with a CPU-burning route and a sleeping one (select: see scripts/demo/app.py on libfaketime). */
const APP = `
import select, time
def application(env, start_response):
    path = env.get('PATH_INFO', '/')
    q = float(env.get('QUERY_STRING') or '1')
    if path.startswith('/burn'):
        end = time.monotonic() + q
        while time.monotonic() < end:
            pass
    elif path.startswith('/sleep'):
        select.select([], [], [], q)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\\n']
`;

let u: UwsgiProcess;

/**
 * A worker spinning in Python uses a whole core when it has one; the parallel suite on two shared cores
 * leaves it a third of one at times (load 7.7 here: 29 %, as top said too). Idle workers stay near 0 either way.
 */
const BURNING_AT_LEAST = 20;

beforeAll(async () => {
  const dir = tempDir();
  const app = join(dir, 'burn.py');
  writeFileSync(app, APP);
  // No --memory-report: uWSGI reports rss 0, the OS knows better.
  u = await startUwsgi({ dir, workers: 3, app: false, args: ['--plugin', 'python3', '--wsgi-file', app] });
}, 60_000);
afterAll(cleanupAll);

/** Resident memory of a process as the kernel's status file says it (kB), a different file than the tool reads. */
function vmRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return Number(m![1]) * 1024;
}

function read(): Promise<Snapshot> {
  const target = directTarget(parseAddress(u.statsAddress), new PassThrough(), { timeoutMs: 3000, maxBytes: 1 << 24 });
  return target.fetch(new AbortController().signal);
}

/** Each worker's uwsgi_worker_cpu_seconds_total, by its worker_id label. */
function cpuSecondsByWorker(samples: ReturnType<typeof collectSamples>): Map<string, number> {
  return new Map((samples.get('uwsgi_worker_cpu_seconds_total') ?? []).map((s) => [s.labels.worker_id!, s.value]));
}

describe('CPU and memory from /proc', () => {
  it('a worker burning CPU reads far above 0 % (a core when it has one) and the idle ones about 0, in --json --watch; real RSS without --memory-report', async () => {
    const burning = httpRequests(u.httpPort!, '/burn?4', 1);
    const doc = await waitFor(async () => {
      const d = await rawStats(u);
      return d.workers.some((w: any) => w.status === 'busy') ? d : null;
    }, 'a busy worker');
    const busyPid = doc.workers.find((w: any) => w.status === 'busy').pid;
    const { code, stdout } = await runCli(['--json', '--watch', '--count', '2', '--interval', '1', u.statsAddress]);
    expect(code).toBe(0);
    const [first, second] = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    // No interval yet: unknown, not 0.
    expect(first.workers.every((w: any) => w.cpuPct === null)).toBe(true);
    for (const w of second.workers) {
      if (w.pid === busyPid) expect(w.cpuPct).toBeGreaterThan(BURNING_AT_LEAST);
      else expect(w.cpuPct).toBeLessThan(10);
      // uWSGI says rss 0 here; the record carries what the kernel says, within a few pages of its status file.
      expect(w.memoryFrom).toBe('os');
      expect(w.rssBytes).toBeGreaterThan(1 << 20);
      expect(Math.abs(w.rssBytes - vmRssBytes(w.pid))).toBeLessThan(vmRssBytes(w.pid) * 0.2);
    }
    expect(second.summary.cpuPct).toBeGreaterThan(BURNING_AT_LEAST);
    expect(second.summary.osNote).toMatch(/^local/);
    expect(second.os.master.pid).toBe(u.pid);
    expect(second.os.master.cpuSeconds).toBeGreaterThanOrEqual(0);
    await burning;
  }, 30_000);

  it('--once shows the CPU% column with the burning worker high, the idle ones near 0, and the source of the figures', async () => {
    const burning = httpRequests(u.httpPort!, '/burn?4', 1);
    await waitFor(async () => (await rawStats(u)).workers.some((w: any) => w.status === 'busy'), 'a busy worker');
    const { code, stdout } = await runCli(['--once', '--interval', '1', u.statsAddress]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const header = lines.find((l) => /^\s*WID\s/.test(l))!.trim().split(/\s+/);
    const at = header.indexOf('CPU%');
    expect(at).toBeGreaterThan(0);
    const rows = lines.map((l) => l.trim().split(/\s+/)).filter((r) => r.length === header.length && /^\d+$/.test(r[0]!));
    expect(rows).toHaveLength(3);
    const busy = rows.find((r) => r.includes('busy'))!;
    expect(Number(busy[at]), stdout).toBeGreaterThan(BURNING_AT_LEAST);
    for (const r of rows.filter((x) => x.includes('idle'))) expect(Number(r[at])).toBeLessThan(10);
    expect(stdout).toMatch(/\bcpu \d+(\.\d)?%  master cpu \d+(\.\d)?%  master rss \d/);
    expect(stdout).toContain('(local: /proc/PID/stat)');
    await burning;
  }, 30_000);

  it('exports CPU seconds as counters on /metrics, the burning worker ahead of the idle ones', async () => {
    const core = new MonitorCore(u.statsAddress);
    // Counters: what counts is how far each one moves while one worker burns for two seconds.
    const before = cpuSecondsByWorker(collectSamples([{ target: u.statsAddress, update: core.ingestSnapshot(await read(), 1) }], Date.now()));
    const burning = httpRequests(u.httpPort!, '/burn?2', 1);
    const doc = await waitFor(async () => {
      const d = await rawStats(u);
      return d.workers.some((w: any) => w.status === 'busy') ? d : null;
    }, 'a busy worker');
    const busyId = String(doc.workers.find((w: any) => w.status === 'busy').id);
    await burning;
    const samples = collectSamples([{ target: u.statsAddress, update: core.ingestSnapshot(await read(), 2) }], Date.now());
    const after = cpuSecondsByWorker(samples);
    expect([...after.keys()].sort()).toEqual(['1', '2', '3']);
    const moved = new Map([...after].map(([id, seconds]) => [id, seconds - before.get(id)!]));
    for (const m of moved.values()) expect(m).toBeGreaterThanOrEqual(0);
    // Two seconds of burning on a shared 2-core machine is not two CPU seconds: the burner is well ahead of
    // every idle worker, and each idle one moved by a fraction of a second at most.
    const idle = [...moved].filter(([id]) => id !== busyId).map(([, m]) => m);
    expect(idle).toHaveLength(2);
    for (const m of idle) expect(m).toBeLessThan(0.5);
    expect(moved.get(busyId)!).toBeGreaterThan(0.6);
    expect(moved.get(busyId)!).toBeGreaterThan(4 * Math.max(...idle));
    expect(samples.get('uwsgi_master_cpu_seconds_total')).toHaveLength(1);
    const rss = samples.get('uwsgi_worker_os_rss_bytes')!;
    expect(rss.every((s) => s.value > 1 << 20)).toBe(true);
  }, 30_000);

  it('trusts only pids that /proc proves: a master that is not uwsgi is "not local", a worker not its child is unknown', async () => {
    const snap = (await read()) as InstanceSnapshot;
    expect((await readOsFacts({ ...snap.doc, pid: process.pid })).note).toBe(`not local: process ${process.pid} here is not uwsgi`);
    const workers = snap.doc.workers.map((w, i) => (i === 0 ? { ...w, pid: process.pid } : w));
    const facts = await readOsFacts({ ...snap.doc, workers });
    expect(facts.local).toBe(true);
    expect(facts.workers[0]).toBeNull();
    expect(facts.workers[1]?.pid).toBe(snap.doc.workers[1]!.pid);
  }, 30_000);
});

describe('mean response time over the interval', () => {
  it('is the mean of the requests finished between two reads, where uWSGI\'s running average is not', async () => {
    // A first interval of slow requests, then one of fast ones: the interval mean follows, the running average lags.
    await httpRequests(u.httpPort!, '/sleep?0.6', 3, 3);
    const a = await read();
    await httpRequests(u.httpPort!, '/sleep?0.05', 6, 3);
    const b = await read();
    const d = derive(a, b);
    const mean = d.instance!.intervalAvgRtUs!;
    expect(mean).toBeGreaterThan(45_000);
    expect(mean).toBeLessThan(120_000);
    // Per worker: every worker that finished requests in the interval has its own mean near 50 ms.
    const means = d.workers.map((w) => w.intervalAvgRtUs).filter((m): m is number => m !== null && m !== undefined);
    expect(means.length).toBeGreaterThan(0);
    for (const m of means) expect(m).toBeLessThan(120_000);
    // Nothing finished in an interval: no mean rather than 0.
    const c = await read();
    expect(derive(b, c).instance!.intervalAvgRtUs).toBeNull();
  }, 30_000);
});

describe('a target that is not on this host', () => {
  it('asks /proc nothing and says "not local" in the report and JSON, with CPU and RSS unknown (null), not 0', async () => {
    const { isOnThisHost } = await import('../../src/cli/targets.js');
    const { notLocal } = await import('../../src/stats/proc-os.js');
    const { instanceSummary } = await import('../../src/views/text-instance.js');
    const { snapshotRecord } = await import('../../src/views/json-record.js');
    const { inst, sample, copy } = await import('../support/metrics-fixtures.js');
    const target = (a: string) => directTarget(parseAddress(a), new PassThrough(), { timeoutMs: 1000, maxBytes: 1 << 20 });
    expect(isOnThisHost(target('192.0.2.10:9191'))).toBe(false);
    expect(isOnThisHost(target('http://192.0.2.10:9191'))).toBe(false);
    expect(isOnThisHost(target('127.0.0.1:9191'))).toBe(true);
    expect(isOnThisHost(target('http://localhost:9191'))).toBe(true);
    expect(isOnThisHost(target('/run/app/stats.sock'))).toBe(true);
    const doc = sample('instance-busy.json');
    const a = inst(doc, 0);
    const b = inst(copy(doc), 1000);
    a.os = notLocal('not local: the stats address is not on this host');
    b.os = notLocal('not local: the stats address is not on this host');
    const d = derive(a, b);
    expect(instanceSummary(b, d).at(-1)).toBe('cpu -  (not local: the stats address is not on this host)');
    const record = snapshotRecord(b, d) as { summary: { cpuPct: unknown; osNote: unknown }; workers: Array<{ cpuPct: unknown; rssBytes: unknown; memoryFrom: unknown }> };
    expect(record.summary.cpuPct).toBeNull();
    expect(record.summary.osNote).toBe('not local: the stats address is not on this host');
    for (const w of record.workers) {
      expect(w.cpuPct).toBeNull();
      // The sample was captured with --memory-report: uWSGI's own figure, said so.
      expect(w.memoryFrom).toBe('uwsgi');
    }
  });
});
