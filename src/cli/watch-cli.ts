/**
 * `--json --watch`: one NDJSON record per target per poll (snapshot record, derived values, the poll's new
 * events) from one live monitor per target, until interrupted, stdout closes, or `--count` lines per target.
 */
import { createMonitor, type ControllableMonitor } from '../monitor/monitor.js';
import type { TargetUpdate } from '../monitor/types.js';
import { derive } from '../metrics/derive.js';
import { errorRecord, jsonLine, snapshotRecord, updateRecord } from '../views/json-record.js';
import { escapeControls } from '../core/safe-text.js';
import type { Output } from './output.js';
import { failureLine, monitorPlacement, type Target } from './targets.js';
import { readRound } from './read-round.js';
import type { RunResult } from './report-cli.js';

export interface WatchOptions {
  targets: readonly Target[];
  /** Lines per target; null until interrupted. */
  count: number | null;
  intervalMs: number;
  timeoutMs: number;
  out: Output;
  writeErr: (text: string) => void;
  signal: AbortSignal;
}

/** The update's record, or an error record when the update cannot be turned into one (a malformed relay snapshot). */
function safeRecord(update: TargetUpdate): unknown {
  try {
    return updateRecord(update, Date.now());
  } catch (err) {
    return errorRecord(update.target, `unusable update: ${escapeControls(err instanceof Error ? err.message : String(err))}`, Date.now(), 'invalid');
  }
}

/** Stream records until the end condition; every monitor is stopped before this resolves. */
export async function runJsonWatch(options: WatchOptions): Promise<RunResult> {
  const { targets, count, intervalMs, timeoutMs, out, writeErr, signal } = options;
  const monitors: ControllableMonitor[] = [];
  const unsubscribes: Array<() => void> = [];
  let failed = false;
  let pending = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const onAbort = (): void => finish();
  signal.addEventListener('abort', onAbort, { once: true });
  const dropClosed = out.onClosed(() => finish());

  for (const target of targets) {
    if (target.isStatic) continue;
    pending++;
    let lastSeq = 0;
    let lines = 0;
    let wasDown = false;
    const monitor = createMonitor(target.name, target.fetch, {
      ...monitorPlacement(target),
      intervalMs,
      // The read carries its own timeout; the poller's is only a backstop against a read that never settles.
      readTimeoutMs: timeoutMs + 2000,
      ...(target.maxRequests !== undefined ? { maxRequests: target.maxRequests } : {}),
      start: false,
    });
    monitors.push(monitor);
    const unsubscribe = monitor.subscribe((update: TargetUpdate) => {
      // State-only updates (stale marks) repeat the last poll's sequence number: one line per poll.
      if (update.seq <= lastSeq || lines >= (count ?? Infinity)) return;
      lastSeq = update.seq;
      lines++;
      if (update.error !== null) {
        failed = true;
        if (!wasDown) writeErr(failureLine(target.name, update.error));
        wasDown = true;
      } else {
        wasDown = false;
      }
      out.write(jsonLine(safeRecord(update)));
      if (count !== null && lines >= count) {
        monitor.stop();
        if (--pending === 0) finish();
      }
    });
    unsubscribes.push(unsubscribe);
  }

  // Files and stdin hold one document: one record each, no monitor.
  const statics = targets.filter((t) => t.isStatic);
  if (statics.length > 0) {
    for (const outcome of await readRound(statics, signal)) {
      if (outcome.ok) out.write(jsonLine(snapshotRecord(outcome.snapshot, derive(null, outcome.snapshot))));
      else {
        failed = true;
        out.write(jsonLine(errorRecord(outcome.target.name, outcome.error, outcome.atMs, outcome.code)));
        writeErr(failureLine(outcome.target.name, outcome.error));
      }
    }
  }

  if (pending === 0 || signal.aborted || out.closed) finish();
  else for (const m of monitors) m.start();

  await finished;
  for (const u of unsubscribes) u();
  for (const m of monitors) m.stop();
  signal.removeEventListener('abort', onAbort);
  dropClosed();
  return { failed, interrupted: signal.aborted || out.closed };
}
