/**
 * `--once`, `--count N` and text `--watch`: plain-text reports like `top -b`. Live targets are read once
 * before the first report so that every report shows rates over one interval; files and stdin are read once.
 */
import type { Snapshot } from '../stats/snapshot.js';
import { renderTextReport } from '../views/text-report.js';
import type { Output } from './output.js';
import type { Target } from './targets.js';
import { deriveRead, failureLine } from './targets.js';
import { readRound } from './read-round.js';
import { sleep } from './interrupt.js';

export interface TextRunOptions {
  targets: readonly Target[];
  /** Reports per target; null to go on until interrupted. */
  count: number | null;
  intervalMs: number;
  out: Output;
  writeErr: (text: string) => void;
  signal: AbortSignal;
}

export interface RunResult {
  /** Some read failed. */
  failed: boolean;
  /** Ended by a signal or because stdout went away, before the planned end. */
  interrupted: boolean;
}

function ratesNote(target: Target, prev: Snapshot | undefined): string | null {
  if (target.address.kind === 'stdin') return 'none: one document read from stdin (rates need a live target)';
  if (target.isStatic) return 'none: one document read from a file (rates need a live target)';
  if (prev === undefined) return 'none yet: this is the first successful read';
  return null;
}

/** Print `count` reports per target an interval apart (or until interrupted); failures go to stderr. */
export async function runTextReports(options: TextRunOptions): Promise<RunResult> {
  const { targets, count, intervalMs, out, writeErr, signal } = options;
  const prev = new Map<string, Snapshot>();
  let failed = false;
  let printed = false;
  const live = targets.filter((t) => !t.isStatic);
  // A target whose priming read failed has already been reported: it sits out the first round.
  const sitOut = new Set<string>();

  if (live.length > 0) {
    for (const outcome of await readRound(live, signal)) {
      if (signal.aborted) break;
      if (outcome.ok) prev.set(outcome.target.name, outcome.snapshot);
      else {
        failed = true;
        sitOut.add(outcome.target.name);
        writeErr(failureLine(outcome.target.name, outcome.error));
      }
    }
  }

  for (let round = 1; count === null || round <= count; round++) {
    if (signal.aborted || out.closed) return { failed, interrupted: true };
    const due = targets.filter((t) => (t.isStatic ? round === 1 : !(round === 1 && sitOut.has(t.name))));
    if (due.length === 0) {
      if (live.length === 0 || (count !== null && round >= count)) break;
      continue;
    }
    if (due.some((t) => !t.isStatic) && (round > 1 || prev.size > 0)) {
      if (!(await sleep(intervalMs, signal))) return { failed, interrupted: true };
    }
    const outcomes = await readRound(due, signal);
    if (signal.aborted) return { failed, interrupted: true };
    for (const outcome of outcomes) {
      const name = outcome.target.name;
      if (!outcome.ok) {
        failed = true;
        writeErr(failureLine(name, outcome.error));
        continue;
      }
      const before = prev.get(name);
      const derived = deriveRead(outcome.target, before ?? null, outcome.snapshot);
      const text = renderTextReport(outcome.snapshot, derived, {
        ratesNote: ratesNote(outcome.target, before),
      });
      if (!outcome.target.isStatic) prev.set(name, outcome.snapshot);
      if (!out.write((printed ? '\n' : '') + text)) return { failed, interrupted: true };
      printed = true;
    }
    if (live.length === 0) break;
  }
  return { failed, interrupted: false };
}
