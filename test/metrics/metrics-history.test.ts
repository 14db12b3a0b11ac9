// @module-tag calendar
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BoundedLog, HistorySeries } from '../../src/metrics/history.js';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { copy, inst, sample } from '../support/metrics-fixtures.js';
import { SAMPLE_EPOCH_MS } from '../support/samples.js';

describe('HistorySeries', () => {
  it('keeps the newest `capacity` values oldest first, with their times', () => {
    const s = new HistorySeries(3);
    for (let i = 1; i <= 5; i++) s.push(i * 10, 1000 + i);
    expect(s.capacity).toBe(3);
    expect(s.values()).toEqual([30, 40, 50]);
    expect(s.times()).toEqual([1003, 1004, 1005]);
    expect(s.last()).toBe(50);
  });

  it('keeps a gap (null) apart from a real zero', () => {
    const s = new HistorySeries(4);
    s.push(0, 1);
    s.push(null, 2);
    s.push(Number.NaN, 3);
    s.push(7, 4);
    expect(s.values()).toEqual([0, null, null, 7]);
  });

  it('starts empty and refuses a size that is not a positive integer', () => {
    expect(new HistorySeries(2).values()).toEqual([]);
    expect(new HistorySeries(2).last()).toBeNull();
    expect(() => new HistorySeries(0)).toThrow(RangeError);
    expect(() => new HistorySeries(1.5)).toThrow(RangeError);
  });
});

describe('BoundedLog', () => {
  it('keeps only the newest items', () => {
    const log = new BoundedLog<number>(3);
    for (let i = 1; i <= 10; i++) log.push(i);
    expect(log.toArray()).toEqual([8, 9, 10]);
    expect(log.length).toBe(3);
  });
});

describe('MonitorCore: history and monitor-level events', () => {
  function steps(): Snapshot[] {
    const a = sample('instance-busy.json');
    const b = copy(a);
    b.workers[0].requests += 50;
    // 50 requests of 120 ms each finished in the interval.
    b.workers[0].running_time += 50 * 120_000;
    b.workers[0].tx += 4000;
    b.workers[1].exceptions += 2;
    const c = copy(b);
    c.workers[2].requests += 10;
    c.workers[2].running_time += 10 * 30_000;
    return [inst(a, 0), inst(b, 2000), inst(c, 4000)];
  }

  it('records instance series from derived values; a failed poll is a gap, not a zero', () => {
    const [a, b, c] = steps();
    const core = new MonitorCore('t', { historySize: 10 });
    core.ingestSnapshot(a!, 1);
    core.ingestSnapshot(b!, 2);
    core.ingestFailure('connection refused', 3, b!.readAtMs + 1000, b!.readAtMs + 2000);
    core.ingestSnapshot(c!, 4);
    expect(core.history('rps').values()).toEqual([null, 50 / 2, null, 10 / 2]);
    expect(core.history('txps').values()).toEqual([null, 4000 / 2, null, 0]);
    expect(core.history('eps').values()).toEqual([null, 2 / 2, null, 0]);
    const busy = a!.kind === 'instance' ? a!.doc.workers.filter((w) => w.status === 'busy').length : -1;
    expect(core.history('busyWorkers').values()).toEqual([busy, busy, null, busy]);
    expect(core.history('listenQueue').values()).toEqual([0, 0, null, 0]);
    expect(core.history('rps').times()).toEqual([a!.readAtMs, b!.readAtMs, b!.readAtMs + 1000, c!.readAtMs]);
    // The graph is the mean of each interval's finished requests (120 ms, then 30 ms), not uWSGI's running average.
    const rt = core.history('avgRtMs').values();
    expect(rt[0]).toBeNull();
    expect(rt[1]).toBeCloseTo(120);
    expect(rt[2]).toBeNull();
    expect(rt[3]).toBeCloseTo(30);
  });

  it("emits 'target-down' once per outage with the reason, then 'target-up'", () => {
    const [a, b] = steps();
    const core = new MonitorCore('t');
    core.ingestSnapshot(a!, 1);
    const down1 = core.ingestFailure('connection refused', 2, a!.readAtMs + 1000, a!.readAtMs + 2000);
    const down2 = core.ingestFailure('connection refused', 3, a!.readAtMs + 3000, a!.readAtMs + 5000);
    expect(down1.events.map((e) => e.type)).toEqual(['target-down']);
    expect(down1.events[0]!.message).toContain('connection refused');
    expect(down2.events).toEqual([]);
    expect(down2.state).toEqual({ state: 'down', error: 'connection refused', sinceMs: a!.readAtMs + 1000, nextRetryAtMs: a!.readAtMs + 5000 });
    // While down, the latest good snapshot stays available.
    expect(down2.snapshot).toBe(a);
    const up = core.ingestSnapshot(b!, 4);
    // b also carries 2 new exceptions: their event follows the target-up one.
    expect(up.events.map((e) => e.type)).toEqual(['target-up', 'exceptions-rising']);
    expect(up.state).toEqual({ state: 'live' });
    expect(core.events().map((e) => e.type)).toEqual(['target-down', 'target-up', 'exceptions-rising']);
  });

  it('after an outage, rates come from the last good read (an average over the gap, never a spike)', () => {
    const [a, b] = steps();
    const core = new MonitorCore('t');
    core.ingestSnapshot(a!, 1);
    core.ingestFailure('timeout', 2, a!.readAtMs + 1000, null);
    const u = core.ingestSnapshot(b!, 3);
    expect(u.derived!.instance!.rps).toBe(50 / 2);
  });

  it('keeps the event log bounded and accepts events from commands', () => {
    const core = new MonitorCore('t', { eventLogSize: 5 });
    const ev = (i: number): MonitorEvent => ({ atMs: i, target: 't', type: 'command', severity: 'info', message: `cmd ${i}` });
    for (let i = 0; i < 12; i++) core.addEvent(ev(i));
    expect(core.events().map((e) => e.atMs)).toEqual([7, 8, 9, 10, 11]);
  });

  it('an instance restart becomes an event in the log and the next update', () => {
    const a = sample('instance-idle.json');
    const b = copy(a);
    b.pid += 1;
    const core = new MonitorCore('t');
    core.ingestSnapshot(inst(a, 0), 1);
    const u = core.ingestSnapshot(inst(b, 1000), 2);
    expect(u.derived!.restarted).toBe(true);
    expect(u.events.map((e) => e.type)).toEqual(['instance-restarted']);
    expect(core.history('rps').values()).toEqual([null, null]);
  });
});

describe('createMonitor: updates', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes one update per poll with rates from consecutive reads, and events', async () => {
    const a = sample('instance-idle.json');
    let n = 0;
    const fetch = async (): Promise<Snapshot> => {
      const d = copy(a);
      d.workers[0].requests += 7 * n; // 7 more requests every 1 s poll
      n++;
      return inst(d, Date.now());
    };
    const m = createMonitor('t', fetch, { intervalMs: 1000 });
    const updates: TargetUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    await vi.advanceTimersByTimeAsync(3000);
    m.stop();
    expect(updates.map((u) => u.seq)).toEqual([1, 2, 3, 4]);
    expect(updates.map((u) => u.derived!.instance!.rps)).toEqual([null, 7, 7, 7]);
    expect(m.history('rps').values()).toEqual([null, 7, 7, 7]);
    expect(m.latest()).toBe(updates[3]);
  });

  it('a failing target is down with its error, and back up with an event', async () => {
    const a = sample('instance-idle.json');
    let n = 0;
    const fetch = async (): Promise<Snapshot> => {
      n++;
      if (n === 2 || n === 3) throw new Error('connection refused\nat 127.0.0.1:9191');
      return inst(copy(a), Date.now());
    };
    const m = createMonitor('t', fetch, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    const down = m.latest()!;
    expect(down.state.state).toBe('down');
    expect(down.error).toBe('connection refused at 127.0.0.1:9191');
    await vi.advanceTimersByTimeAsync(1000 + 2000);
    expect(m.latest()!.state).toEqual({ state: 'live' });
    expect(m.events().map((e) => e.type)).toEqual(['target-down', 'target-up']);
    expect(m.history('rps').values()).toEqual([null, null, null, 0]);
    m.stop();
  });

  it("publishes a 'stale' update (same seq, no events) while a read hangs past 3 intervals", async () => {
    const a = sample('instance-idle.json');
    let n = 0;
    const fetch = (signal: AbortSignal): Promise<Snapshot> => {
      if (n++ === 0) return Promise.resolve(inst(copy(a), Date.now()));
      return new Promise((_ok, fail) => signal.addEventListener('abort', () => fail(signal.reason)));
    };
    const m = createMonitor('t', fetch, { intervalMs: 1000, readTimeoutMs: 20_000 });
    const updates: TargetUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    await vi.advanceTimersByTimeAsync(5000);
    expect(updates.map((u) => u.state.state)).toEqual(['live', 'stale']);
    expect(updates[1]!.seq).toBe(updates[0]!.seq);
    expect(updates[1]!.events).toEqual([]);
    expect(updates[1]!.snapshot).toBe(updates[0]!.snapshot);
    m.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('MonitorCore: uptime', () => {
  it('keeps the instance uptime across a reload of every worker, and restarts it with a new master', () => {
    const a = sample('instance-idle.json');
    const spawn = SAMPLE_EPOCH_MS / 1000 - 490;
    for (const w of a.workers) w.last_spawn = spawn;
    const core = new MonitorCore('t');
    core.ingestSnapshot(inst(a, 1000), 1);
    // Every worker replaced 100 s later (chain reload): same master pid, new pids and spawn times.
    const b = copy(a);
    for (const w of b.workers) {
      w.pid += 1000;
      w.last_spawn = spawn + 100;
    }
    const second = inst(b, 2000);
    const update = core.ingestSnapshot(second, 2);
    expect(update.derived!.instance!.uptimeSeconds).toBeCloseTo(second.readAtMs / 1000 - spawn, 3);
    // A new master: its own workers' spawn times count.
    const c = copy(b);
    c.pid += 1;
    const third = inst(c, 3000);
    const restarted = core.ingestSnapshot(third, 3);
    expect(restarted.derived!.instance!.uptimeSeconds).toBeCloseTo(third.readAtMs / 1000 - (spawn + 100), 3);
  });
});
