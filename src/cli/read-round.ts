/**
 * One read of several targets (one request in flight per target), keeping the order given. At most
 * MAX_READS_IN_FLIGHT reads run at once: 2,000 vassals under `ulimit -n 1024` all get read, a few dozen
 * sockets at a time (the monitors of --watch, the dashboard and serve share the bound of read-slots.ts).
 */
import type { Snapshot } from '../stats/snapshot.js';
import { failureCode, failureText, type Target } from './targets.js';
import { readsForFdLimit } from './read-slots.js';

/** Reads at once in a one-shot round: enough to read a fleet in a few round trips, far below any fd limit. */
export const MAX_READS_IN_FLIGHT = 64;

export type ReadOutcome =
  | { target: Target; ok: true; snapshot: Snapshot }
  | { target: Target; ok: false; error: string; code: string | null; atMs: number };

/** Read every target, a bounded number at a time; failures become outcomes, never rejections. */
export async function readRound(targets: readonly Target[], signal: AbortSignal, maxInFlight = readsForFdLimit(MAX_READS_IN_FLIGHT)): Promise<ReadOutcome[]> {
  const outcomes: ReadOutcome[] = new Array(targets.length);
  // Each read has its own signal, all stopped by one listener on the caller's: however many targets, the
  // caller's signal carries one listener (Node warns past ten).
  const reads = new Set<AbortController>();
  const stopAll = (): void => {
    for (const c of reads) c.abort(signal.reason);
  };
  signal.addEventListener('abort', stopAll, { once: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      const read = new AbortController();
      if (signal.aborted) read.abort(signal.reason);
      reads.add(read);
      try {
        outcomes[index] = { target, ok: true, snapshot: await target.fetch(read.signal) };
      } catch (err) {
        outcomes[index] = { target, ok: false, error: failureText(target.name, err), code: failureCode(err), atMs: Date.now() };
      } finally {
        reads.delete(read);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(maxInFlight, targets.length)) }, () => worker()));
  } finally {
    signal.removeEventListener('abort', stopAll);
  }
  return outcomes;
}
