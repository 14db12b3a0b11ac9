/**
 * What a running FIFO command has visibly done so far, read from the stats as they come in: how long it has
 * run, and for the reloads how many of the workers seen at the start have a new process. A chain reload
 * waits for each worker's current requests, so it can run for minutes; without this the status line said
 * only "running chain-reload…" the whole time.
 */
import type { Snapshot } from '../../../stats/snapshot.js';
import { servingWorkers, workersReplaced } from '../../../metrics/replaced.js';
import { fmtDuration } from '../../../core/units.js';

export interface RunningCommand {
  name: string;
  /** Wall clock when it was sent, epoch ms. */
  startedAtMs: number;
  /** The pids of the workers serving in the stats shown when it was sent. */
  pidsAtStart: ReadonlySet<number>;
}

/** Start tracking `name`, sent at `nowMs` while `snap` was on screen. */
export function startRunning(name: string, snap: Snapshot | null, nowMs: number): RunningCommand {
  const pids = new Set(snap?.kind === 'instance' ? servingWorkers(snap.doc.workers).map((w) => w.pid) : []);
  return { name, startedAtMs: nowMs, pidsAtStart: pids };
}

/** `chain-reload 12s: 2 of 8 workers replaced` (the count only for commands that replace workers). */
export function runningText(cmd: RunningCommand, snap: Snapshot | null, nowMs: number): string {
  const head = `${cmd.name} ${fmtDuration((nowMs - cmd.startedAtMs) / 1000)}`;
  if (!/reload/.test(cmd.name) || cmd.pidsAtStart.size === 0 || snap?.kind !== 'instance') return head;
  const { replaced, total } = workersReplaced(cmd.pidsAtStart, snap.doc.workers);
  return `${head}: ${replaced} of ${total} workers replaced`;
}
