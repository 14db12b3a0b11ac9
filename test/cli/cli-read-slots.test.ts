/**
 * The shared bound on reads in flight: never more than its slots at once, each read that ends hands its slot
 * to the next waiter, and a waiter whose signal is aborted leaves the queue without taking a slot.
 */
import { describe, expect, it } from 'vitest';
import { ReadSlots } from '../../src/cli/read-slots.js';

/** A read the test ends by hand. */
function deferred(): { promise: Promise<string>; end: (value: string) => void } {
  let end: (value: string) => void = () => undefined;
  const promise = new Promise<string>((resolve) => (end = resolve));
  return { promise, end };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('read slots', () => {
  it('runs at most `max` reads at once and starts the waiting ones in order as reads end', async () => {
    const slots = new ReadSlots(2);
    const reads = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const results = reads.map((r, i) => slots.run(new AbortController().signal, () => (started.push(i), r.promise)));
    await settle();
    expect(started).toEqual([0, 1]);
    reads[1]!.end('b');
    await settle();
    expect(started).toEqual([0, 1, 2]);
    reads[0]!.end('a');
    reads[2]!.end('c');
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    reads[3]!.end('d');
    reads[4]!.end('e');
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a waiting read whose signal is aborted rejects with its reason and never runs; the slot goes to the next', async () => {
    const slots = new ReadSlots(1);
    const first = deferred();
    const started: string[] = [];
    const running = slots.run(new AbortController().signal, () => (started.push('first'), first.promise));
    const stop = new AbortController();
    const aborted = slots.run(stop.signal, () => (started.push('aborted'), Promise.resolve('never')));
    const last = slots.run(new AbortController().signal, () => (started.push('last'), Promise.resolve('last')));
    stop.abort(new Error('read timed out'));
    await expect(aborted).rejects.toThrow('read timed out');
    first.end('first');
    expect(await running).toBe('first');
    expect(await last).toBe('last');
    expect(started).toEqual(['first', 'last']);
  });
});
