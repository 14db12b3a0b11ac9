// @module-tag calendar
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/metrics/derive.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import { copy, emperor, inst, router, sample } from '../support/metrics-fixtures.js';
import { SAMPLE_EPOCH_MS } from '../support/samples.js';

describe('derive: the summary average', () => {
  it('weights each worker by its requests: one slow, little-used worker does not make it slow', () => {
    const doc = copy(sample('instance-idle.json'));
    doc.workers.forEach((w: any) => ((w.requests = 1000), (w.avg_rt = 170)));
    doc.workers[0].requests = 2;
    doc.workers[0].avg_rt = 1_500_000;
    const i = derive(null, inst(doc, 0)).instance!;
    const n = doc.workers.length;
    expect(i.avgRtUs).toBeCloseTo((2 * 1_500_000 + (n - 1) * 1000 * 170) / (2 + (n - 1) * 1000));
    expect(i.avgRtUs!).toBeLessThan(2000);
  });
});

describe('derive: first sample', () => {
  it('gives no rate on the first sample, only values read from the document', () => {
    const doc = sample('instance-busy.json');
    const d = derive(null, inst(doc, 5000));
    expect(d.intervalSeconds).toBeNull();
    expect(d.restarted).toBe(false);
    for (const w of d.workers) {
      expect(w.rps).toBeNull();
      expect(w.eps).toBeNull();
      expect(w.txps).toBeNull();
      expect(w.busyness).toBeNull();
    }
    const i = d.instance!;
    expect(i.rps).toBeNull();
    expect(i.eps).toBeNull();
    expect(i.txps).toBeNull();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ws: any[] = doc.workers;
    const total = ws.reduce((a, w) => a + w.requests, 0);
    expect(i.totalRequests).toBe(total);
    expect(i.totalTx).toBe(ws.reduce((a, w) => a + w.tx, 0));
    expect(i.busy).toBe(ws.filter((w) => w.status === 'busy').length);
    expect(i.idle).toBe(ws.filter((w) => w.status === 'idle').length);
    expect(i.running).toBe(ws.length);
    expect(i.inFlight).toBe(ws.flatMap((w) => w.cores).filter((c) => c.in_request === 1).length);
    const served = ws.filter((w) => w.requests > 0);
    // Weighted by requests: a worker that served more counts more.
    expect(i.avgRtUs).toBeCloseTo(served.reduce((a, w) => a + w.avg_rt * w.requests, 0) / served.reduce((a, w) => a + w.requests, 0));
    // Uptime = read time - the oldest running worker's last_spawn.
    const readAtS = (SAMPLE_EPOCH_MS + 5000) / 1000;
    expect(i.uptimeSeconds).toBeCloseTo(readAtS - Math.min(...ws.map((w) => w.last_spawn)));
    // uwsgitop's %: each worker's share of all requests.
    d.workers.forEach((w, k) => expect(w.sharePct).toBeCloseTo((ws[k].requests / total) * 100));
  });

  it('counts paused, cheap and signal-handler workers from their status', () => {
    const doc = sample('instance-paused.json');
    doc.workers[3].status = 'sig14';
    doc.workers[1].status = 'cheap';
    doc.workers[1].pid = 0;
    const i = derive(null, inst(doc, 0)).instance!;
    expect(i.paused).toBe(1); // slot 1 stays paused; slot 2 cheap, 3 busy, 4 sig
    expect(i.cheap).toBe(1);
    expect(i.sig).toBe(1);
    expect(i.busy).toBe(1);
    expect(i.running).toBe(3);
  });
});

describe('derive: rates over the monotonic clock', () => {
  it('turns counter deltas into per-second rates per worker and per instance', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].requests += 50;
    b.workers[0].apps[0].requests += 50;
    b.workers[0].exceptions += 4;
    b.workers[0].tx += 10_000;
    b.workers[0].running_time += 500_000; // 0.5 s of request time in 2 s
    b.workers[2].requests += 30;
    b.workers[2].running_time += 5_000_000; // more than wall time (threads): clamped to 1
    const d = derive(inst(a, 1000), inst(b, 3000));
    expect(d.intervalSeconds).toBe(2);
    expect(d.restarted).toBe(false);
    expect(d.workers[0]!.rps).toBe(50 / 2);
    expect(d.workers[0]!.appRps[0]).toBe(50 / 2);
    expect(d.workers[0]!.eps).toBe(4 / 2);
    expect(d.workers[0]!.txps).toBe(10_000 / 2);
    expect(d.workers[0]!.busyness).toBeCloseTo(500_000 / (2 * 1e6));
    expect(d.workers[1]!.rps).toBe(0);
    expect(d.workers[1]!.busyness).toBe(0);
    expect(d.workers[2]!.rps).toBe(30 / 2);
    expect(d.workers[2]!.busyness).toBe(1);
    const i = d.instance!;
    expect(i.rps).toBe((50 + 30) / 2);
    expect(i.eps).toBe(4 / 2);
    expect(i.txps).toBe(10_000 / 2);
    expect(i.busyness).toBeCloseTo((0.25 + 0 + 1 + 0) / 4);
  });

  it('counts a request still in flight as busy time (running_time only grows when a request ends)', () => {
    const a = sample('instance-busy.json');
    const slot = a.workers.findIndex((w: { cores: Array<{ in_request: number }> }) => w.cores.some((c) => c.in_request === 1));
    const core = a.workers[slot].cores.find((c: { in_request: number }) => c.in_request === 1);
    const b = copy(a);
    // Read 2 s apart; the request started 1.5 s before the second read and has not ended.
    const secondReadMs = 4000;
    const readAtS = (SAMPLE_EPOCH_MS + secondReadMs) / 1000;
    b.workers[slot].cores.find((c: { id: number }) => c.id === core.id).req_info.request_start = readAtS - 1.5;
    const d = derive(inst(a, secondReadMs - 2000), inst(b, secondReadMs));
    expect(d.workers[slot]!.busyness).toBeCloseTo(1.5 / 2);
    // A request older than the interval makes the worker busy for the whole interval.
    b.workers[slot].cores.find((c: { id: number }) => c.id === core.id).req_info.request_start = readAtS - 30;
    expect(derive(inst(a, secondReadMs - 2000), inst(b, secondReadMs)).workers[slot]!.busyness).toBe(1);
  });

  it('counts requests in flight, and says "unknown" (null) for a document without cores', () => {
    const busy = sample('instance-busy.json');
    const expected = busy.workers.reduce(
      (n: number, w: { cores: Array<{ in_request: number }> }) => n + w.cores.filter((c) => c.in_request === 1).length,
      0,
    );
    expect(expected).toBeGreaterThan(0);
    expect(derive(null, inst(busy, 1000)).instance!.inFlight).toBe(expected);
    const noCores = copy(busy);
    for (const w of noCores.workers) delete w.cores;
    expect(derive(null, inst(noCores, 1000)).instance!.inFlight).toBeNull();
  });

  it('uses the monotonic clock, not the wall clock', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].requests += 40;
    const meta = { target: 't', durationMs: 1 };
    // The wall clock jumped back an hour between the reads; 4 s passed on the monotonic clock.
    const pa = decodeSnapshot(Buffer.from(JSON.stringify(a)), { ...meta, readAtMs: SAMPLE_EPOCH_MS, monotonicMs: 10_000 });
    const pb = decodeSnapshot(Buffer.from(JSON.stringify(b)), { ...meta, readAtMs: SAMPLE_EPOCH_MS - 3_600_000, monotonicMs: 14_000 });
    const d = derive(pa, pb);
    expect(d.intervalSeconds).toBe(4);
    expect(d.workers[0]!.rps).toBe(40 / 4);
  });

  it('gives no rate when no monotonic time passed (same read twice)', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[0].requests += 5;
    const d = derive(inst(a, 1000), inst(b, 1000));
    expect(d.intervalSeconds).toBeNull();
    expect(d.instance!.rps).toBeNull();
    expect(d.workers[0]!.rps).toBeNull();
  });

  it('reports per-cache hits and misses per second and the hit ratio of the interval', () => {
    const a = sample('instance-idle.json');
    a.caches[0].hits = 100;
    a.caches[0].miss = 100;
    const b = copy(a);
    b.caches[0].hits += 90;
    b.caches[0].miss += 10;
    const d = derive(inst(a, 0), inst(b, 2000));
    const c = d.caches.find((x) => x.name === a.caches[0].name)!;
    expect(c.hitsPerSec).toBe(90 / 2);
    expect(c.missesPerSec).toBe(10 / 2);
    expect(c.hitRatio).toBeCloseTo(90 / (90 + 10));
  });

  it('falls back to the lifetime hit ratio with no lookups in the interval, null with none ever', () => {
    const a = sample('instance-idle.json');
    const none = derive(null, inst(a, 0)).caches[0]!;
    expect(none.hitRatio).toBeNull(); // the sample cache has 0 hits and 0 misses
    a.caches[0].hits = 30;
    a.caches[0].miss = 10;
    const d = derive(inst(a, 0), inst(copy(a), 1000)).caches[0]!;
    expect(d.hitsPerSec).toBe(0);
    expect(d.hitRatio).toBeCloseTo(30 / 40);
  });

  it('makes counters rates and keeps gauges as values', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.metrics['worker.1.requests'].value += 12;
    b.metrics['core.busy_workers'].value = 3;
    const d = derive(inst(a, 0), inst(b, 3000));
    const counter = d.metrics.find((m) => m.name === 'worker.1.requests')!;
    expect(counter.type).toBe('counter');
    expect(counter.value).toBe(a.metrics['worker.1.requests'].value + 12);
    expect(counter.rate).toBe(12 / 3);
    const gauge = d.metrics.find((m) => m.name === 'core.busy_workers')!;
    expect(gauge.type).toBe('gauge');
    expect(gauge.value).toBe(3);
    expect(gauge.rate).toBeNull();
  });

  it('gives subscription nodes requests per second, and no rate when a node counter went down', () => {
    const a = sample('fastrouter.json');
    a.subscriptions[1].nodes[0].requests = 500;
    const b = copy(a);
    b.subscriptions[0].nodes[0].requests += 20;
    b.subscriptions[1].nodes[0].requests = 3; // the node re-subscribed: counter started over
    const d = derive(router(a, 0), router(b, 4000));
    const n0 = d.nodes.find((n) => n.key === a.subscriptions[0].key)!;
    const n1 = d.nodes.find((n) => n.key === a.subscriptions[1].key)!;
    expect(n0.rps).toBe(20 / 4);
    expect(n1.rps).toBeNull();
  });

  it('counts vassal respawns since the previous sample', () => {
    const a = sample('emperor.json');
    const b = copy(a);
    b.vassals[1].respawns += 2;
    const d = derive(emperor(a, 0), emperor(b, 1000));
    expect(d.vassals.find((v) => v.id === a.vassals[1].id)!.respawnsDelta).toBe(2);
    expect(d.vassals.find((v) => v.id === a.vassals[0].id)!.respawnsDelta).toBe(0);
  });
});

describe('derive: the real life of a server', () => {
  it('a respawned worker (new pid, same slot) gets no rate for that interval, and no spike on the instance', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.workers[1].pid = a.workers[1].pid + 100;
    b.workers[1].requests += 6; // uWSGI keeps the counter across a respawn
    b.workers[1].delta_requests = 0;
    b.workers[0].requests += 10;
    const d = derive(inst(a, 0), inst(b, 2000));
    expect(d.restarted).toBe(false);
    expect(d.workers[1]!.rps).toBeNull();
    expect(d.workers[1]!.busyness).toBeNull();
    expect(d.workers[0]!.rps).toBe(10 / 2);
    expect(d.instance!.rps).toBe((10 + 6) / 2);
  });

  it('a respawned worker whose counters went down never gives a negative rate', () => {
    const a = sample('instance-idle.json');
    a.workers[1].requests = 1000;
    const b = copy(a);
    b.workers[1].pid = a.workers[1].pid + 100;
    b.workers[1].requests = 2;
    b.workers[1].tx = 0;
    b.workers[0].requests += 1000; // total still grows, so this is not a restart
    const d = derive(inst(a, 0), inst(b, 1000));
    expect(d.restarted).toBe(false);
    expect(d.workers[1]!.rps).toBeNull();
    expect(d.instance!.rps).toBe(1000 / 1);
    expect(d.instance!.txps).toBeGreaterThanOrEqual(0);
  });

  it('a counter that went down without a pid change gives null, not a negative rate', () => {
    const a = sample('instance-idle.json');
    a.workers[0].exceptions = 10;
    const b = copy(a);
    b.workers[0].exceptions = 0;
    b.workers[0].requests += 4;
    const d = derive(inst(a, 0), inst(b, 1000));
    expect(d.workers[0]!.eps).toBeNull();
    expect(d.workers[0]!.rps).toBe(4);
    expect(d.instance!.eps).toBe(0);
  });

  it('a reload of every worker keeps the instance rate continuous', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    b.workers.forEach((w: any, k: number) => {
      w.pid = 9000 + k;
      w.respawn_count += 1;
      w.requests += 3;
      w.delta_requests = 0;
      w.last_spawn += 5;
    });
    const d = derive(inst(a, 0), inst(b, 3000));
    expect(d.restarted).toBe(false);
    expect(d.workers.every((w) => w.rps === null)).toBe(true);
    expect(d.instance!.rps).toBe((3 * a.workers.length) / 3);
  });

  it('a new master pid is a restart: no rates at all', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.pid = a.pid + 1;
    b.workers[0].requests += 100;
    const d = derive(inst(a, 0), inst(b, 1000));
    expect(d.restarted).toBe(true);
    expect(d.intervalSeconds).toBeNull();
    expect(d.instance!.rps).toBeNull();
    expect(d.workers.every((w) => w.rps === null)).toBe(true);
    expect(d.metrics.every((m) => m.rate === null)).toBe(true);
  });

  it('counters that went down with the same master pid are a restart (graceful reload re-executes the master)', () => {
    const a = sample('instance-idle.json');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    a.workers.forEach((w: any) => (w.requests += 500));
    const b = sample('instance-idle.json');
    const d = derive(inst(a, 0), inst(b, 1000));
    expect(d.restarted).toBe(true);
    expect(d.instance!.rps).toBeNull();
  });

  it('a different kind of document on the same address is a restart', () => {
    const d = derive(inst(sample('instance-idle.json'), 0), router(sample('fastrouter.json'), 1000));
    expect(d.restarted).toBe(true);
    expect(d.nodes.every((n) => n.rps === null)).toBe(true);
  });

  it('cheap slots (id 0, pid 0) are matched by slot and never give a rate', () => {
    const a = sample('instance-idle.json');
    for (const k of [2, 3]) {
      a.workers[k].id = 0;
      a.workers[k].pid = 0;
      a.workers[k].status = 'cheap';
    }
    const b = copy(a);
    // Slot 3 comes back from cheap mode with a new process; slot 4 stays cheap.
    b.workers[2].id = 3;
    b.workers[2].pid = 7777;
    b.workers[2].status = 'idle';
    b.workers[2].requests += 9;
    const d = derive(inst(a, 0), inst(b, 1000));
    expect(d.workers[2]!.slot).toBe(3);
    expect(d.workers[3]!.slot).toBe(4);
    expect(d.workers[2]!.rps).toBeNull();
    expect(d.workers[3]!.rps).toBeNull();
    expect(d.instance!.rps).toBe(0);
    expect(d.instance!.cheap).toBe(1);
  });
});

describe('uptime: the master\'s own, or said to be the workers\' age', () => {
  it('uses the master start when known (and not after the oldest spawn), else says "workers"', async () => {
    const { settleUptime } = await import('../../src/metrics/uptime.js');
    const snap = inst(sample('instance-idle.json'), 0);
    const readS = snap.readAtMs / 1000;
    const withMaster = derive(null, snap);
    const workersAge = withMaster.instance!.uptimeSeconds!;
    settleUptime(snap, withMaster, () => readS - workersAge - 300, false);
    expect(withMaster.instance!.uptimeFrom).toBe('master');
    expect(withMaster.instance!.uptimeSeconds).toBeCloseTo(workersAge + 300);
    const remote = derive(null, snap);
    settleUptime(snap, remote, undefined, false);
    expect(remote.instance!.uptimeFrom).toBe('workers');
    expect(remote.instance!.uptimeSeconds).toBeCloseTo(workersAge);
    // A "master" that started after its own workers is another process (another pid namespace): not used.
    const other = derive(null, snap);
    settleUptime(snap, other, () => readS - 1, false);
    expect(other.instance!.uptimeFrom).toBe('workers');
  });
});
