/** Sample loading for the decode tests: raw bytes, the sample's own JSON, and edited copies. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadMeta } from '../../src/stats/document.js';

export { SAMPLES } from './samples.js';
import { SAMPLES, SAMPLE_EPOCH_MS } from './samples.js';

/** The sample's bytes exactly as uWSGI sent them. */
export function sampleBytes(name: string): Buffer {
  return readFileSync(join(SAMPLES, name));
}

/** The sample parsed by JSON.parse: where the tests take their expected values from. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sampleJson(name: string): any {
  return JSON.parse(sampleBytes(name).toString('utf8'));
}

/** A tab-indented document like uWSGI's, from an edited copy of a sample. */
export function docBytes(doc: unknown): Buffer {
  return Buffer.from(JSON.stringify(doc, null, '\t'));
}

/** Read metadata: `readAtS` is the wall clock in epoch seconds (ages are measured against it). */
export function meta(readAtS = SAMPLE_EPOCH_MS / 1000 + 10): ReadMeta {
  return { target: '127.0.0.1:9191', readAtMs: readAtS * 1000, monotonicMs: 1234.5, durationMs: 2.5 };
}

/** The value of `KEY` in a core's vars list, as the sample holds it. */
export function varOf(vars: string[], key: string): string | undefined {
  const entry = vars.find((v) => v.startsWith(`${key}=`));
  return entry === undefined ? undefined : entry.slice(key.length + 1);
}
