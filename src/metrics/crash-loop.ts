/**
 * The one crash-loop rule, used by the dashboard's events (events-crash.ts) and by the verdict on a new
 * generation of workers (src/fifo/generation.ts): a slot that respawned `CRASH_LOOP_RESPAWNS` times within
 * `CRASH_LOOP_WINDOW_MS` without serving a request in between. Pure.
 */
import type { Worker } from '../stats/snapshot.js';

/** Respawns of one slot without a request served, within the window, that make a crash loop. */
export const CRASH_LOOP_RESPAWNS = 3;
export const CRASH_LOOP_WINDOW_MS = 10_000;

/** What the rule needs of a slot at one read. */
export type SlotReading = Pick<Worker, 'pid' | 'respawnCount' | 'requests' | 'status'>;

/**
 * The respawns of a slot between two readings that count toward a crash loop: respawn_count's climb (or 1
 * for a new pid when the count did not move), none for a cheap (stopped on purpose) slot, and none when it
 * served requests meanwhile: that slot is being recycled (max-requests), not crashing.
 */
export function loopRespawns(prev: SlotReading, cur: SlotReading): number {
  if (prev.status === 'cheap' || cur.requests > prev.requests) return 0;
  const newPid = prev.pid > 0 && cur.pid > 0 && prev.pid !== cur.pid ? 1 : 0;
  return Math.max(cur.respawnCount - prev.respawnCount, newPid, 0);
}

/** Drop the respawn times that left the window; true when the ones left make a crash loop. */
export function inLoop(times: number[], atMs: number, need = CRASH_LOOP_RESPAWNS, windowMs = CRASH_LOOP_WINDOW_MS): boolean {
  while (times.length > 0 && atMs - times[0]! > windowMs) times.shift();
  return times.length >= need;
}
