// @module-tag calendar
/**
 * The workers table's rows in each core mode (the `a` key), from a real document: off, one row per worker;
 * merged, a worker's used cores instead of it; under, the worker then its used cores. A used core served a
 * request or serves one now (as uwsgitop, unused cores are left out).
 */
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../src/stats/document.js';
import { derive } from '../../src/metrics/derive.js';
import { workerRows } from '../../src/present/columns/workers.js';
import { SAMPLE_EPOCH_MS, sampleBytes, sampleDoc } from '../support/samples.js';

const snap = decodeSnapshot(sampleBytes('instance-busy.json'), { target: 't', readAtMs: SAMPLE_EPOCH_MS, monotonicMs: 0, durationMs: 0 });
if (snap.kind !== 'instance') throw new Error('instance-busy.json is an instance document');
const workers = snap.doc.workers;
const derived = derive(null, snap).workers;
const raw = sampleDoc('instance-busy.json') as { workers: Array<{ id: number; cores: Array<{ id: number; requests: number; in_request: number }> }> };
const used = raw.workers.map((w) => w.cores.filter((c) => c.requests > 0 || c.in_request !== 0).map((c) => c.id));

const shape = (rows: ReturnType<typeof workerRows>): string[] => rows.map((r) => `${r.w.id}${r.core ? `:${r.core.id}${r.under ? 'u' : ''}` : ''}`);

describe('workerRows', () => {
  it('off: one row per worker, in document order, each with its own derived values', () => {
    const rows = workerRows(workers, derived, SAMPLE_EPOCH_MS);
    expect(shape(rows)).toEqual(raw.workers.map((w) => String(w.id)));
    expect(rows.map((r) => r.d?.slot)).toEqual(rows.map((r) => r.w.slot));
  });

  it('merged: the used cores in place of their worker, the worker itself when none is used', () => {
    const expected = raw.workers.flatMap((w, i) => (used[i]!.length > 0 ? used[i]!.map((c) => `${w.id}:${c}`) : [String(w.id)]));
    expect(shape(workerRows(workers, derived, SAMPLE_EPOCH_MS, 'merged'))).toEqual(expected);
  });

  it('under: each worker, then its used cores marked as under it', () => {
    const expected = raw.workers.flatMap((w, i) => [String(w.id), ...used[i]!.map((c) => `${w.id}:${c}u`)]);
    expect(shape(workerRows(workers, derived, SAMPLE_EPOCH_MS, 'under'))).toEqual(expected);
  });

  it('finds derived values by slot when they come in another order', () => {
    const rows = workerRows(workers, [...derived].reverse(), SAMPLE_EPOCH_MS);
    expect(rows.map((r) => r.d?.slot)).toEqual(rows.map((r) => r.w.slot));
  });
});
