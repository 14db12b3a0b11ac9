import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Poller } from '../../src/monitor/poller.js';
import { createMonitor } from '../../src/monitor/monitor.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { inst, sample } from '../support/metrics-fixtures.js';

/** A fake stats read: takes `latencyMs` of (fake) time, fails while `fail()` says so, honours the abort signal. */
function fakeFetch(latencyMs: number, fail: (n: number) => boolean = () => false) {
  const doc = sample('instance-idle.json');
  const log = { starts: [] as number[], ends: [] as number[], concurrent: 0, maxConcurrent: 0, aborted: 0, signals: [] as AbortSignal[] };
  const fetch = (signal: AbortSignal): Promise<Snapshot> => {
    const n = log.starts.length;
    log.starts.push(Date.now());
    log.signals.push(signal);
    log.concurrent++;
    log.maxConcurrent = Math.max(log.maxConcurrent, log.concurrent);
    if (latencyMs === 0) {
      // Instant reads settle on the microtask queue: a 0 ms fake timer would cost 1 ms inside a tick.
      log.concurrent--;
      log.ends.push(Date.now());
      return fail(n) ? Promise.reject(new Error(`connection refused (read ${n})`)) : Promise.resolve(inst(doc, Date.now()));
    }
    return new Promise<Snapshot>((resolve, reject) => {
      const done = (): void => {
        log.concurrent--;
        log.ends.push(Date.now());
      };
      const t = setTimeout(() => {
        done();
        if (fail(n)) reject(new Error(`connection refused (read ${n})`));
        else resolve(inst(doc, Date.now()));
      }, latencyMs);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        done();
        log.aborted++;
        reject(signal.reason);
      });
    });
  };
  return { fetch, log };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Poller', () => {
  it('never overlaps reads when the read is slower than the interval; the next starts an interval after the previous ends', async () => {
    const interval = 100;
    const latency = 350;
    const { fetch, log } = fakeFetch(latency);
    const p = new Poller(fetch, { intervalMs: interval, readTimeoutMs: 10_000 });
    p.start();
    const span = 5000;
    await vi.advanceTimersByTimeAsync(span);
    p.stop();
    expect(log.maxConcurrent).toBe(1);
    // One read per (latency + interval), starting at 0.
    expect(log.starts.length).toBe(Math.floor(span / (latency + interval)) + 1);
    for (let i = 1; i < log.starts.length; i++) expect(log.starts[i]! - log.ends[i - 1]!).toBe(interval);
  });

  it('floors the interval at 100 ms', () => {
    const { fetch } = fakeFetch(0);
    expect(new Poller(fetch, { intervalMs: 5 }).intervalMs).toBe(100);
    const p = new Poller(fetch, { intervalMs: 1000 });
    p.setIntervalMs(1);
    expect(p.intervalMs).toBe(100);
  });

  it('backs off after failures (doubling, capped) and returns to the interval after a success', async () => {
    const interval = 1000;
    const cap = 5000;
    const failures = 6;
    const { fetch, log } = fakeFetch(0, (n) => n < failures);
    const states: string[] = [];
    const p = new Poller(fetch, { intervalMs: interval, maxBackoffMs: cap });
    p.onResult((r) => states.push(r.ok ? 'ok' : `fail:${r.failures}`));
    p.start();
    await vi.advanceTimersByTimeAsync(60_000);
    p.stop();
    const gaps = log.starts.slice(1).map((t, i) => t - log.ends[i]!);
    const expected = Array.from({ length: failures }, (_, k) => Math.min(cap, interval * 2 ** k));
    expect(gaps.slice(0, failures)).toEqual(expected);
    // After the first success: back to the plain interval.
    expect(gaps.slice(failures, failures + 3)).toEqual([interval, interval, interval]);
    expect(states.slice(0, failures + 1)).toEqual([...Array.from({ length: failures }, (_, k) => `fail:${k + 1}`), 'ok']);
  });

  it("is 'down' with the error and the next retry time while failing, 'live' after", async () => {
    const { fetch } = fakeFetch(0, (n) => n === 0);
    const p = new Poller(fetch, { intervalMs: 1000 });
    expect(p.state()).toEqual({ state: 'connecting' });
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = p.state();
    expect(s.state).toBe('down');
    if (s.state === 'down') {
      expect(s.error).toBe('connection refused (read 0)');
      expect(s.nextRetryAtMs).toBe(Date.now() + 1000);
      expect(s.sinceMs).toBe(Date.now());
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(p.state()).toEqual({ state: 'live' });
    p.stop();
  });

  it('coalesces refreshes asked while a read is in flight into one read', async () => {
    const { fetch, log } = fakeFetch(500);
    const p = new Poller(fetch, { intervalMs: 10_000 });
    p.start();
    await vi.advanceTimersByTimeAsync(100);
    for (let i = 0; i < 5; i++) p.refresh();
    await vi.advanceTimersByTimeAsync(400); // first read ends at 500: the refresh read starts at once
    expect(log.starts.length).toBe(2);
    expect(log.starts[1]).toBe(log.ends[0]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(log.starts.length).toBe(2); // then back to the 10 s interval
    expect(log.maxConcurrent).toBe(1);
    p.stop();
  });

  it('reads at once on refresh when idle', async () => {
    const { fetch, log } = fakeFetch(0);
    const p = new Poller(fetch, { intervalMs: 10_000 });
    p.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.starts.length).toBe(1);
    p.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(log.starts.length).toBe(2);
    expect(log.starts[1]! - log.starts[0]!).toBe(1000);
    p.stop();
  });

  it('stop() aborts the read in flight and leaves no timer behind', async () => {
    const { fetch, log } = fakeFetch(5000);
    const results: unknown[] = [];
    const p = new Poller(fetch, { intervalMs: 1000 });
    p.onResult((r) => results.push(r));
    p.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    p.stop();
    expect(log.signals[0]!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.starts.length).toBe(1);
    expect(results).toEqual([]); // an aborted read publishes nothing
  });

  it('stop() while waiting between reads leaves no timer either', async () => {
    const { fetch, log } = fakeFetch(0);
    const p = new Poller(fetch, { intervalMs: 1000 });
    p.start();
    await vi.advanceTimersByTimeAsync(1500);
    p.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(log.starts.length).toBe(2);
  });

  it('aborts a read that hangs past the read timeout and counts it as a failure', async () => {
    const { fetch, log } = fakeFetch(60_000);
    const errors: string[] = [];
    const p = new Poller(fetch, { intervalMs: 1000, readTimeoutMs: 2000 });
    p.onResult((r) => {
      if (!r.ok) errors.push(r.error);
    });
    p.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(log.aborted).toBe(1);
    expect(errors).toEqual(['read timed out after 2 s']);
    p.stop();
  });

  it("marks data 'stale' when a read hangs for more than 3 intervals", async () => {
    let n = 0;
    const { fetch: quick } = fakeFetch(0);
    const { fetch: slow } = fakeFetch(60_000);
    const fetch = (s: AbortSignal): Promise<Snapshot> => (n++ === 0 ? quick(s) : slow(s));
    const p = new Poller(fetch, { intervalMs: 1000, readTimeoutMs: 30_000 });
    const states: string[] = [];
    p.onState((s) => states.push(s.state));
    p.start();
    await vi.advanceTimersByTimeAsync(2500); // second read started at 1000, hanging
    expect(p.state()).toEqual({ state: 'live' });
    await vi.advanceTimersByTimeAsync(1000); // 3.5 s since the last good read
    const s = p.state();
    expect(s.state).toBe('stale');
    if (s.state === 'stale') expect(s.ageSeconds).toBeCloseTo(3.5);
    expect(states).toEqual(['stale']);
    p.stop();
  });
});

describe('createMonitor polling', () => {
  it('reads depend only on the interval, not on how many subscribers watch', async () => {
    const one = fakeFetch(0);
    const ten = fakeFetch(0);
    const m1 = createMonitor('a', one.fetch, { intervalMs: 1000 });
    const m10 = createMonitor('b', ten.fetch, { intervalMs: 1000 });
    const got1: number[] = [];
    const got10 = Array.from({ length: 10 }, () => [] as number[]);
    m1.subscribe((u) => got1.push(u.seq));
    got10.forEach((list) => m10.subscribe((u) => list.push(u.seq)));
    const span = 10_000;
    await vi.advanceTimersByTimeAsync(span);
    m1.stop();
    m10.stop();
    expect(one.log.starts.length).toBe(span / 1000 + 1);
    expect(ten.log.starts.length).toBe(one.log.starts.length);
    for (const list of got10) expect(list).toEqual(got1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('targets poll independently: one slow target does not delay another', async () => {
    const slow = fakeFetch(5000);
    const fast = fakeFetch(0);
    const ms = createMonitor('slow', slow.fetch, { intervalMs: 1000 });
    const mf = createMonitor('fast', fast.fetch, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(6000);
    ms.stop();
    mf.stop();
    expect(slow.log.starts.length).toBe(2); // 0 and 6000
    expect(fast.log.starts.length).toBe(7);
  });

  it('does not start when asked not to, and starts later', async () => {
    const f = fakeFetch(0);
    const m = createMonitor('x', f.fetch, { intervalMs: 1000, start: false });
    await vi.advanceTimersByTimeAsync(5000);
    expect(f.log.starts.length).toBe(0);
    expect(m.latest()).toBeNull();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.log.starts.length).toBe(1);
    expect(m.latest()?.state).toEqual({ state: 'live' });
    m.setIntervalMs(50);
    expect(m.intervalMs).toBe(100);
    m.stop();
  });
});
