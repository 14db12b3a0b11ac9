/**
 * "Workers replaced", the one count a reload's progress is told by: the FIFO verification (`fifo/verify.ts`)
 * and the dashboard's running-command line both ask it. Pure. A worker counts as replaced when its process is
 * not one of those running when the reload was sent and it accepts requests again.
 */
import type { Worker } from '../stats/snapshot.js';

/** The worker processes that serve: a pid and not a cheap slot. */
export function servingWorkers(workers: readonly Worker[]): Worker[] {
  return workers.filter((w) => w.pid > 0 && w.status !== 'cheap');
}

/** How far a reload has got against the pids serving before it: replaced (capped at the total) and still old. */
export function workersReplaced(oldPids: ReadonlySet<number>, now: readonly Worker[]): { replaced: number; total: number; old: Worker[] } {
  const running = servingWorkers(now);
  const fresh = running.filter((w) => !oldPids.has(w.pid) && w.accepting).length;
  return { replaced: Math.min(oldPids.size, fresh), total: oldPids.size, old: running.filter((w) => oldPids.has(w.pid)) };
}
