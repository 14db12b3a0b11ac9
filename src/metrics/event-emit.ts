/**
 * What every family of event detectors shares: the emitter they report through, and the constructor of the
 * events it builds for one snapshot.
 */
import type { Snapshot } from '../stats/snapshot.js';
import type { EventSeverity, EventType, MonitorEvent } from './types.js';
import type { FoldSpec } from './event-fold.js';

/** Report one event of the snapshot being compared (`fold`: a condition that folds while it persists). */
export type Emit = (type: EventType, severity: EventSeverity, message: string, data?: MonitorEvent['data'], fold?: FoldSpec) => void;

/** An emitter that appends to `events`, stamped with `cur`'s read time and target. */
export function emitterFor(cur: Snapshot, events: MonitorEvent[]): Emit {
  return (type, severity, message, data, fold) => {
    const ev: MonitorEvent = { atMs: cur.readAtMs, target: cur.target, type, severity, message };
    if (data !== undefined) ev.data = data;
    if (fold !== undefined) ev.fold = fold;
    events.push(ev);
  };
}
