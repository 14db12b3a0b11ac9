/** The monitor against a real uWSGI: rates under known traffic, a killed worker, a restart at the same address. */
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import { parseAddress } from '../../src/stats/address.js';
import { readSnapshot } from '../../src/stats/client.js';
import { cleanupAll, httpRequests, rawStats, startUwsgi, waitFor } from '../support/uwsgi.js';

afterAll(cleanupAll);

/** The real fetch a monitor uses for this address. */
function reader(address: string) {
  const addr = parseAddress(address);
  return (signal: AbortSignal) => readSnapshot(addr, { signal, timeoutMs: 3000 });
}

/** Resolve with the first update after now that satisfies `check`. */
function nextUpdate(m: ReturnType<typeof createMonitor>, check: (u: TargetUpdate) => boolean, what: string, timeoutMs = 15000): Promise<TargetUpdate> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = m.subscribe((u) => {
      if (!check(u)) return;
      clearTimeout(t);
      off();
      resolve(u);
    });
  });
}

/** Every rate in an update is null or a finite number >= 0. */
function ratesSane(u: TargetUpdate): boolean {
  const d = u.derived;
  if (d === null) return true;
  const ok = (v: number | null): boolean => v === null || (Number.isFinite(v) && v >= 0);
  const i = d.instance;
  if (i && !(ok(i.rps) && ok(i.eps) && ok(i.txps))) return false;
  return d.workers.every((w) => ok(w.rps) && ok(w.eps) && ok(w.txps) && ok(w.busyness));
}

describe('monitor on a real uWSGI', () => {
  it('the request rate times the interval is the traffic sent between two reads', async () => {
    const proc = await startUwsgi({ workers: 2 });
    // A long interval: the test decides when reads happen.
    const m = createMonitor(proc.statsAddress, reader(proc.statsAddress), { intervalMs: 60_000 });
    try {
      await waitFor(() => m.latest()?.state.state === 'live', 'first read');
      const before = (await rawStats(proc)).workers.reduce((s: number, w: { requests: number }) => s + w.requests, 0);
      const sent = 40;
      const statuses = await httpRequests(proc.httpPort!, '/', sent, 4);
      expect(statuses.filter((s) => s === 200)).toHaveLength(sent);
      // uWSGI counts a request after answering it: wait until the counters show all of them.
      await waitFor(async () => {
        const doc = await rawStats(proc);
        return doc.workers.reduce((s: number, w: { requests: number }) => s + w.requests, 0) >= before + sent;
      }, 'requests counted');
      const next = nextUpdate(m, (u) => u.seq >= 2, 'second read');
      m.refresh();
      const u = await next;
      const d = u.derived!;
      expect(d.restarted).toBe(false);
      expect(d.intervalSeconds).not.toBeNull();
      expect(d.instance!.rps! * d.intervalSeconds!).toBeCloseTo(sent, 6);
      const perWorker = d.workers.reduce((s, w) => s + (w.rps ?? 0), 0);
      expect(perWorker * d.intervalSeconds!).toBeCloseTo(sent, 6);
    } finally {
      m.stop();
      await proc.stop();
    }
  }, 60_000);

  it('kill -9 of a worker: a worker-respawned event (died), no rate for that slot, never a negative rate', async () => {
    const proc = await startUwsgi({ workers: 2 });
    const m = createMonitor(proc.statsAddress, reader(proc.statsAddress), { intervalMs: 200 });
    const updates: TargetUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    try {
      const first = await nextUpdate(m, (u) => u.state.state === 'live' && u.snapshot?.kind === 'instance', 'first read');
      if (first.snapshot?.kind !== 'instance') throw new Error('not an instance');
      const victim = first.snapshot.doc.workers[1]!;
      process.kill(victim.pid, 'SIGKILL');
      const u = await nextUpdate(m, (x) => x.events.some((e) => e.type === 'worker-respawned'), 'respawn event');
      const ev = u.events.find((e) => e.type === 'worker-respawned')!;
      expect(ev.data).toMatchObject({ slot: victim.slot, oldPid: victim.pid, cause: 'died' });
      expect(u.derived!.restarted).toBe(false);
      expect(u.derived!.workers[1]!.rps).toBeNull();
      expect(u.events.some((e) => e.type === 'instance-restarted')).toBe(false);
      expect(updates.every(ratesSane)).toBe(true);
    } finally {
      m.stop();
      await proc.stop();
    }
  }, 60_000);

  it('stop and start at the same address: down with a reason, back up, instance restarted, no spike', async () => {
    const proc = await startUwsgi({ workers: 1 });
    const m = createMonitor(proc.statsAddress, reader(proc.statsAddress), { intervalMs: 200, maxBackoffMs: 400 });
    const updates: TargetUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    let again: Awaited<ReturnType<typeof startUwsgi>> | null = null;
    // Every update is kept from the start, and each wait looks at what came after its action: an update
    // published while the action was still being awaited (uWSGI stopping, starting) is not missed.
    const after = (mark: number, check: (u: TargetUpdate) => boolean, what: string): Promise<TargetUpdate> =>
      waitFor(() => updates.slice(mark).find(check), what, 30_000, 20);
    try {
      await after(0, (u) => u.state.state === 'live', 'first read');
      await httpRequests(proc.httpPort!, '/', 20, 2);
      await after(updates.length, (u) => u.state.state === 'live', 'a read after traffic');
      let mark = updates.length;
      await proc.stop();
      const down = await after(mark, (u) => u.state.state === 'down', 'target down');
      expect(down.error).toBeTruthy();
      if (down.state.state === 'down') expect(down.state.nextRetryAtMs).not.toBeNull();
      mark = updates.length;
      again = await startUwsgi({ workers: 1, statsAt: proc.statsBind });
      const up = await after(mark, (u) => u.state.state === 'live', 'target back up');
      const types = up.events.map((e) => e.type);
      expect(types).toContain('target-up');
      expect(types).toContain('instance-restarted');
      expect(up.derived!.restarted).toBe(true);
      expect(up.derived!.instance!.rps).toBeNull();
      const logged = m.events().map((e) => e.type);
      expect(logged.indexOf('target-down')).toBeLessThan(logged.indexOf('target-up'));
      expect(updates.every(ratesSane)).toBe(true);
      // The history shows the outage as gaps, not zeros.
      expect(m.history('rps').values()).toContain(null);
    } finally {
      m.stop();
      await again?.stop();
    }
  }, 90_000);
});
