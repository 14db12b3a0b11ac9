/** One read of several targets at once (one request in flight per target), keeping the order given. */
import type { Snapshot } from '../stats/snapshot.js';
import { failureCode, failureText, type Target } from './targets.js';

export type ReadOutcome =
  | { target: Target; ok: true; snapshot: Snapshot }
  | { target: Target; ok: false; error: string; code: string | null; atMs: number };

/** Read every target concurrently; failures become outcomes, never rejections. */
export async function readRound(targets: readonly Target[], signal: AbortSignal): Promise<ReadOutcome[]> {
  return Promise.all(
    targets.map(async (target): Promise<ReadOutcome> => {
      try {
        return { target, ok: true, snapshot: await target.fetch(signal) };
      } catch (err) {
        return { target, ok: false, error: failureText(target.name, err), code: failureCode(err), atMs: Date.now() };
      }
    }),
  );
}
