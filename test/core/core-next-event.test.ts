/** nextEvent: the one "wait for the next update" helper the monitors' readNow and the relay targets share. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextEvent, type Subscribe } from '../../src/core/next-event.js';

/** A source with listeners, that says how many are subscribed. */
function source<T>(): { subscribe: Subscribe<T>; send(value: T): void; listeners(): number } {
  const set = new Set<(value: T) => void>();
  return {
    subscribe: (listener) => (set.add(listener), () => set.delete(listener)),
    send: (value) => [...set].forEach((l) => l(value)),
    listeners: () => set.size,
  };
}

describe('nextEvent', () => {
  afterEach(() => vi.useRealTimers());

  it('gives the next value sent, and unsubscribes', async () => {
    const s = source<string>();
    const next = nextEvent(s.subscribe, { timeoutMs: 60_000 });
    expect(s.listeners()).toBe(1);
    s.send('first');
    s.send('second');
    await expect(next).resolves.toBe('first');
    expect(s.listeners()).toBe(0);
  });

  it('gives null when the signal aborts the wait, or was aborted before it', async () => {
    const s = source<string>();
    const controller = new AbortController();
    const next = nextEvent(s.subscribe, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(next).resolves.toBeNull();
    expect(s.listeners()).toBe(0);
    await expect(nextEvent(s.subscribe, { timeoutMs: 60_000, signal: controller.signal })).resolves.toBeNull();
    expect(s.listeners()).toBe(0);
  });

  it('gives null when nothing comes within the timeout', async () => {
    vi.useFakeTimers();
    const s = source<string>();
    const next = nextEvent(s.subscribe, { timeoutMs: 5000 });
    vi.advanceTimersByTime(5000);
    await expect(next).resolves.toBeNull();
    expect(s.listeners()).toBe(0);
  });

  it('takes a value a source delivers as it subscribes, and unsubscribes from it', async () => {
    let subscribed = 0;
    const eager: Subscribe<number> = (listener) => (subscribed++, listener(7), () => subscribed--);
    await expect(nextEvent(eager, { timeoutMs: 60_000 })).resolves.toBe(7);
    expect(subscribed).toBe(0);
  });
});
