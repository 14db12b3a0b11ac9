/** Test-only helpers for the metrics tests: real sample documents, edited as JSON, decoded by decodeSnapshot. */
import { readFileSync } from 'node:fs';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { Snapshot, InstanceSnapshot, EmperorSnapshot, RouterSnapshot } from '../../src/stats/snapshot.js';

export { SAMPLES } from './samples.js';
import { SAMPLES, SAMPLE_EPOCH_MS } from './samples.js';

/** A fresh, mutable copy of a sample document (JSON object). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sample(name: string): any {
  return JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));
}

/** Deep copy of a JSON document, to edit the next poll without touching the previous one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function copy<T>(doc: T): any {
  return JSON.parse(JSON.stringify(doc));
}

/** Decode a JSON document as read at monotonic `monoMs` (wall clock = epoch of the sample + monoMs). */
export function snap(doc: unknown, monoMs: number, target = 'test:9191'): Snapshot {
  const body = Buffer.from(JSON.stringify(doc));
  const readAtMs = SAMPLE_EPOCH_MS + monoMs;
  return decodeSnapshot(body, { target, readAtMs, monotonicMs: monoMs, durationMs: 1 });
}

export function inst(doc: unknown, monoMs: number, target?: string): InstanceSnapshot {
  const s = snap(doc, monoMs, target);
  if (s.kind !== 'instance') throw new Error(`expected an instance document, got ${s.kind}`);
  return s;
}

export function emperor(doc: unknown, monoMs: number): EmperorSnapshot {
  const s = snap(doc, monoMs);
  if (s.kind !== 'emperor') throw new Error(`expected an emperor document, got ${s.kind}`);
  return s;
}

export function router(doc: unknown, monoMs: number): RouterSnapshot {
  const s = snap(doc, monoMs);
  if (s.kind !== 'router') throw new Error(`expected a router document, got ${s.kind}`);
  return s;
}
