/**
 * What the relay sends and exports per target, bounded: a document of 100,000 workers would otherwise be an
 * 88 MB WebSocket message per poll to every tab and a 250 MB /metrics. The first `maxWorkers` workers (by
 * slot) go out with their derived values; the totals and counts of the summary still cover every worker,
 * and the snapshot carries a warning saying how many were left out.
 */
import type { TargetUpdate } from '../monitor/types.js';

/** Workers per target in the feed, /api/snapshot and per-worker /metrics series (uwsgi_exporter has no bound). */
export const DEFAULT_MAX_WORKERS = 2000;
/** Warnings per snapshot sent: a document can carry one per worker. */
export const MAX_WARNINGS = 100;

/** How many workers of this update the limit leaves out (0 when it fits). */
export function omittedWorkers(update: TargetUpdate, maxWorkers: number): number {
  const snap = update.snapshot;
  return snap !== null && snap.kind === 'instance' ? Math.max(0, snap.doc.workers.length - maxWorkers) : 0;
}

/** The update as the relay sends it: at most `maxWorkers` workers and MAX_WARNINGS warnings, saying what was left out. */
export function limitUpdate(update: TargetUpdate, maxWorkers: number): TargetUpdate {
  const snap = update.snapshot;
  if (snap === null) return update;
  const omitted = omittedWorkers(update, maxWorkers);
  const extraWarnings = Math.max(0, snap.warnings.length - MAX_WARNINGS);
  if (omitted === 0 && extraWarnings === 0) return update;
  const warnings = snap.warnings.slice(0, MAX_WARNINGS);
  if (extraWarnings > 0) warnings.push(`relay: ${extraWarnings} more warnings not sent`);
  if (omitted > 0 && snap.kind === 'instance') {
    const total = snap.doc.workers.length;
    warnings.push(`relay: ${omitted} of ${total} workers not sent (the first ${maxWorkers} are); totals and counts cover all ${total}`);
    const workers = snap.doc.workers.slice(0, maxWorkers);
    const slots = new Set(workers.map((w) => w.slot));
    const derived = update.derived === null ? null : { ...update.derived, workers: update.derived.workers.filter((w) => slots.has(w.slot)) };
    return { ...update, snapshot: { ...snap, warnings, doc: { ...snap.doc, workers } }, derived };
  }
  return { ...update, snapshot: { ...snap, warnings } as typeof snap };
}
