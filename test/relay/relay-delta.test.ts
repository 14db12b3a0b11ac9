/**
 * Deltas: what the relay computes between two real polls turns the first state into the second, shares what
 * did not change, refuses paths that would reach Object.prototype, and a hand-made relay that skips a revision
 * makes the client start again from a fresh hello.
 */
import { describe, expect, it } from 'vitest';
import { DeltaMismatchError } from '../../src/core/errors.js';
import { applyDelta, diffJson } from '../../src/relay/delta.js';
import { targetState } from '../../src/relay/protocol.js';
import { decodeFeedState } from '../../src/relay/schema.js';
import { bigInstanceSnapshot } from '../support/web-fixtures.js';
import { polled } from '../support/relay-fixtures.js';

describe('diffJson and applyDelta', () => {
  it('turn one real poll into the next, with far fewer bytes than the whole state', () => {
    const core = polled('instance-busy.json');
    const second = targetState(core.latest()!);
    const first = { ...second, seq: second.seq - 1, derived: null, snapshot: { ...second.snapshot!, readAtMs: second.snapshot!.readAtMs - 1000 } };
    const ops = diffJson(first, second);
    expect(applyDelta(first, ops)).toEqual(second);
    expect(JSON.stringify(ops).length).toBeLessThan(JSON.stringify(second).length);
    const checked = decodeFeedState(applyDelta(first, ops));
    expect(checked.ok).toBe(true);
  });

  it('change counters element by element and keep untouched subtrees shared', () => {
    const a = targetState({ target: 't', seq: 1, state: { state: 'live' }, snapshot: bigInstanceSnapshot(8, 't', 0), derived: null, events: [], error: null });
    const b = targetState({ target: 't', seq: 2, state: { state: 'live' }, snapshot: bigInstanceSnapshot(8, 't', 1), derived: null, events: [], error: null });
    const ops = diffJson(a, b);
    expect(ops).toContainEqual([['seq'], 2]);
    expect(ops.every(([path]) => path.length === 1 || path[0] === 'snapshot')).toBe(true);
    const next = applyDelta(a, ops);
    expect(next).toEqual(b);
    // The input is not changed, and what did not change is the same object.
    expect(a.seq).toBe(1);
    expect((next.snapshot as { doc: { sockets: unknown } }).doc.sockets).toBe((a.snapshot as { doc: { sockets: unknown } }).doc.sockets);
  });

  it('deletes keys, replaces arrays of another length and the whole value', () => {
    expect(applyDelta({ a: 1, b: [1, 2] }, diffJson({ a: 1, b: [1, 2] }, { b: [1, 2, 3] }))).toEqual({ b: [1, 2, 3] });
    expect(applyDelta({ a: 1 }, diffJson({ a: 1 }, [5]))).toEqual([5]);
    expect(diffJson({ a: { b: 1 } }, { a: { b: 1 } })).toEqual([]);
  });

  it('refuses paths through __proto__ or a missing object, and leaves Object.prototype alone', () => {
    expect(() => applyDelta({}, [[['__proto__', 'polluted'], true]])).toThrow(DeltaMismatchError);
    expect(() => applyDelta({ a: 1 }, [[['a', 'b'], 2]])).toThrow(DeltaMismatchError);
    expect(() => applyDelta({ a: [1] }, [[['a', 5], 2]])).toThrow(DeltaMismatchError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
