/**
 * Events that fold: a condition that persists (a cache refusing stores poll after poll, exceptions, a crash
 * loop) is one event in the log with a running count and duration, not one line per poll. A detector
 * marks an event foldable with a FoldSpec; the folder merges it into the open event of the same key when
 * the last one is recent, and the merged event replaces the earlier one in the log. The fold state travels
 * in `data` (foldKey, foldCount, foldTimes, foldFirstAtMs, foldLastAtMs), so a relay's clients fold the same way.
 */
import type { BoundedLog } from './history.js';
import type { MonitorEvent } from './types.js';

/** How a detector asks for folding: the key of the condition, what it is, and what this occurrence counts. */
export interface FoldSpec {
  /** The condition (e.g. `cache:c1`); events of the same type and key fold together. */
  key: string;
  /** Its short name, as the folded message starts: `cache c1 full`. */
  what: string;
  /** What this occurrence adds (stores refused, exceptions, respawns). */
  count: number;
  unit: string;
  units: string;
}

/** A condition silent for longer than this is over: its next occurrence starts a new event. */
export const DEFAULT_FOLD_GAP_MS = 60_000;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Put `ev` in the log: a folded event replaces its earlier state (same key and first time), anything else is appended. */
export function pushFolded(log: BoundedLog<MonitorEvent>, ev: MonitorEvent): void {
  const key = ev.data?.['foldKey'];
  if (typeof key === 'string' && (ev.data?.['foldTimes'] ?? 1) !== 1) {
    const first = ev.data?.['foldFirstAtMs'];
    if (log.replaceLast((e) => e.type === ev.type && e.data?.['foldKey'] === key && e.data?.['foldFirstAtMs'] === first, ev)) return;
  }
  log.push(ev);
}

/** Folds one target's events as they are detected, and keeps its log (see pushFolded). */
export class EventFolder {
  /** The open (latest) event of each condition. */
  private readonly open = new Map<string, MonitorEvent>();

  constructor(
    private readonly log: BoundedLog<MonitorEvent>,
    private readonly gapMs = DEFAULT_FOLD_GAP_MS,
  ) {}

  /** Log one event, folded when it asks to be; returns the event as logged (what to publish). */
  add(ev: MonitorEvent): MonitorEvent {
    const spec = ev.fold;
    if (spec === undefined) {
      this.log.push(ev);
      return ev;
    }
    const { fold: _spec, ...plain } = ev;
    const id = `${ev.type}\u0000${spec.key}`;
    const before = this.open.get(id);
    const bd = before?.data;
    let out: MonitorEvent;
    if (before !== undefined && ev.atMs - Number(bd?.['foldLastAtMs']) <= this.gapMs) {
      const count = Number(bd?.['foldCount']) + spec.count;
      const times = Number(bd?.['foldTimes']) + 1;
      const first = Number(bd?.['foldFirstAtMs']);
      out = {
        ...plain,
        message: `${spec.what} for ${duration(ev.atMs - first)}: ${count} ${count === 1 ? spec.unit : spec.units} over ${times} reads`,
        data: { ...plain.data, foldKey: spec.key, foldCount: count, foldTimes: times, foldFirstAtMs: first, foldLastAtMs: ev.atMs },
      };
    } else {
      out = { ...plain, data: { ...plain.data, foldKey: spec.key, foldCount: spec.count, foldTimes: 1, foldFirstAtMs: ev.atMs, foldLastAtMs: ev.atMs } };
    }
    if (this.open.size > 1000) this.open.clear();
    this.open.set(id, out);
    pushFolded(this.log, out);
    return out;
  }

  /** Forget every open condition (a new life of the instance starts every condition over). */
  reset(): void {
    this.open.clear();
  }
}
