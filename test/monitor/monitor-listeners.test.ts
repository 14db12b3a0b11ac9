/**
 * The one listener policy every monitor shares: every listener runs even when one throws, and the first
 * error is reported once (by default thrown again on a microtask, outside the poll or replay loop).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Listeners } from '../../src/monitor/listeners.js';
import { PushedMonitor } from '../../src/monitor/pushed-monitor.js';
import type { TargetUpdate } from '../../src/monitor/types.js';
import { FakeMonitor } from '../support/fake-monitor.js';

const update = (seq: number): TargetUpdate => ({
  target: 't',
  seq,
  state: { state: 'live' },
  snapshot: null,
  derived: null,
  events: [],
  error: null,
});

class HandFed extends PushedMonitor {
  feed(u: TargetUpdate): void {
    this.publish(u);
  }
}

/** Catch what rethrowLater queues, so the test sees the report instead of the runner's unhandled error. */
function captureMicrotasks(): Array<() => void> {
  const queued: Array<() => void> = [];
  vi.stubGlobal('queueMicrotask', (fn: () => void) => queued.push(fn));
  return queued;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Listeners', () => {
  it('runs every listener when some throw and reports only the first error, once', () => {
    const reports: unknown[] = [];
    const listeners = new Listeners<number>((e) => reports.push(e));
    const seen: string[] = [];
    listeners.add((v) => seen.push(`a${v}`));
    listeners.add(() => {
      throw new Error('first');
    });
    listeners.add((v) => seen.push(`c${v}`));
    listeners.add(() => {
      throw new Error('second');
    });
    listeners.emit(7);
    expect(seen).toEqual(['a7', 'c7']);
    expect(reports).toHaveLength(1);
    expect((reports[0] as Error).message).toBe('first');
  });

  it('reports nothing when no listener throws, and stops calling a removed listener', () => {
    const reports: unknown[] = [];
    const listeners = new Listeners<number>((e) => reports.push(e));
    const seen: number[] = [];
    const off = listeners.add((v) => seen.push(v));
    listeners.emit(1);
    off();
    listeners.emit(2);
    expect(seen).toEqual([1]);
    expect(reports).toEqual([]);
    expect(listeners.size).toBe(0);
  });

  it('lets a listener unsubscribe another during an emit without losing this value for it', () => {
    const listeners = new Listeners<number>(() => {});
    const seen: string[] = [];
    let offB = (): void => {};
    listeners.add(() => offB());
    offB = listeners.add((v) => seen.push(`b${v}`));
    listeners.emit(1);
    listeners.emit(2);
    expect(seen).toEqual(['b1']);
  });

  it('by default throws the first error again later, not inside the emitting loop', () => {
    const queued = captureMicrotasks();
    const listeners = new Listeners<number>();
    listeners.add(() => {
      throw new Error('view bug');
    });
    expect(() => listeners.emit(1)).not.toThrow();
    expect(queued).toHaveLength(1);
    expect(() => queued[0]!()).toThrow('view bug');
  });
});

describe('every monitor follows the one policy', () => {
  it('a pushed monitor (the relay client) hands the update to the next view and reports the bug', () => {
    const queued = captureMicrotasks();
    const monitor = new HandFed('t', 10, 10);
    const seen: number[] = [];
    monitor.subscribe(() => {
      throw new Error('broken view');
    });
    monitor.subscribe((u) => seen.push(u.seq));
    monitor.feed(update(3));
    expect(seen).toEqual([3]);
    expect(monitor.latest()?.seq).toBe(3);
    expect(queued).toHaveLength(1);
    expect(() => queued[0]!()).toThrow('broken view');
  });

  it('the test fake does the same', () => {
    const queued = captureMicrotasks();
    const monitor = new FakeMonitor('t');
    const seen: string[] = [];
    monitor.subscribe(() => {
      throw new Error('broken view');
    });
    monitor.subscribe((u) => seen.push(u.target));
    monitor.fail('refused', 1000, null);
    expect(seen).toEqual(['t']);
    expect(queued).toHaveLength(1);
  });
});
