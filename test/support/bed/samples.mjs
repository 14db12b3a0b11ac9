// The test bed's one sample loader: the real uWSGI stats documents in test/fixtures/samples, for the suite and
// the benchmark scripts alike (plain JavaScript; samples.d.mts gives it its types).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The samples folder, found from this file so the suite runs from any clone in any place. */
export const SAMPLES = fileURLToPath(new URL('../../fixtures/samples', import.meta.url));

/**
 * Wall clock of the sample captures, epoch ms (their last_spawn/request_start values are just before it), as
 * scripts/capture-samples.sh wrote it into captured-at.txt: tests derive read times and ages from it, never
 * from a number of their own, so a recapture keeps them valid.
 */
export const SAMPLE_EPOCH_MS = Number(readFileSync(`${SAMPLES}/captured-at.txt`, 'utf8').trim());

/** The raw bytes of one sample file. */
export function sampleBytes(name) {
  return readFileSync(`${SAMPLES}/${name}`);
}

/** A fresh, mutable copy of a sample JSON document. */
export function sampleDoc(name) {
  return JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));
}
