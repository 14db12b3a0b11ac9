/**
 * What a running FIFO command has visibly done so far, read from the stats as they come in: how long it has
 * run, and for the reloads how many of the workers seen at the start have a new process. A chain reload
 * waits for each worker's current requests, so it can run for minutes; without this the status line said
 * only "running chain-reload…" the whole time.
 */
import type { Snapshot } from '../../../stats/snapshot.js';
import { fmtDuration } from '../../../core/units.js';

export interface RunningCommand {
  name: string;
  /** Wall clock when it was sent, epoch ms. */
  startedAtMs: number;
  /** Worker pid per slot in the stats shown when it was sent (slots with a process only). */
  pidsAtStart: ReadonlyMap<number, number>;
}

/** Start tracking `name`, sent at `nowMs` while `snap` was on screen. */
export function startRunning(name: string, snap: Snapshot | null, nowMs: number): RunningCommand {
  const pids = new Map<number, number>();
  if (snap?.kind === 'instance') for (const w of snap.doc.workers) if (w.pid > 0) pids.set(w.slot, w.pid);
  return { name, startedAtMs: nowMs, pidsAtStart: pids };
}

/** `chain-reload 12s: 2 of 8 workers replaced` (the count only for commands that replace workers). */
export function runningText(cmd: RunningCommand, snap: Snapshot | null, nowMs: number): string {
  const head = `${cmd.name} ${fmtDuration((nowMs - cmd.startedAtMs) / 1000)}`;
  if (!/reload/.test(cmd.name) || cmd.pidsAtStart.size === 0 || snap?.kind !== 'instance') return head;
  const now = new Map(snap.doc.workers.map((w) => [w.slot, w.pid]));
  let replaced = 0;
  for (const [slot, pid] of cmd.pidsAtStart) {
    const cur = now.get(slot);
    if (cur !== undefined && cur > 0 && cur !== pid) replaced++;
  }
  return `${head}: ${replaced} of ${cmd.pidsAtStart.size} workers replaced`;
}
