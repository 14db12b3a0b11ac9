/** What "up" means for one instance snapshot: the master's own start when known, else the workers' age. */
import type { Snapshot } from '../stats/snapshot.js';
import type { Derived } from './types.js';

/** Where the master's start time comes from: epoch seconds for a master pid, or null when it cannot be told. */
export type MasterStart = (pid: number) => number | null;

/**
 * Set `derived.instance.uptimeSeconds` and `uptimeFrom`: from the master's start when `startOf` knows it (and
 * it is not after the oldest worker's spawn, which would mean another process than this master), 'saved' for
 * a document read from a file, else the oldest worker's age as derived.
 */
export function settleUptime(snapshot: Snapshot, derived: Derived, startOf: MasterStart | undefined, saved: boolean): void {
  const inst = derived.instance;
  if (snapshot.kind !== 'instance' || inst === null) return;
  if (saved) {
    inst.uptimeFrom = 'saved';
    return;
  }
  const start = startOf?.(snapshot.doc.pid) ?? null;
  const nowS = snapshot.readAtMs / 1000;
  const oldestSpawnS = inst.uptimeSeconds === null ? Infinity : nowS - inst.uptimeSeconds;
  if (start !== null && start <= nowS + 1 && start <= oldestSpawnS + 2) {
    inst.uptimeSeconds = Math.max(0, nowS - start);
    inst.uptimeFrom = 'master';
    return;
  }
  inst.uptimeFrom = 'workers';
}
