/**
 * What every family of event detectors shares: the emitter they report through, and the constructor of the
 * events it builds for one snapshot.
 */
import type { InstanceDocument, Snapshot } from '../stats/snapshot.js';
import type { EventMemory, EventOptions, EventSeverity, EventType, MonitorEvent } from './types.js';
import type { FoldSpec } from './event-fold.js';

/** Report one event of the snapshot being compared (`fold`: a condition that folds while it persists). */
export type Emit = (type: EventType, severity: EventSeverity, message: string, data?: MonitorEvent['data'], fold?: FoldSpec) => void;

/** What the worker detectors of an instance read from one poll: both documents, the options, the memory, the emitter. */
export interface InstancePoll {
  prev: InstanceDocument;
  cur: InstanceDocument;
  /** When `cur` was read, on the monotonic clock. */
  monotonicMs: number;
  options: EventOptions;
  /** Read and updated in place (see detectEvents). */
  memory: EventMemory;
  emit: Emit;
}

/** An emitter that appends to `events`, stamped with `cur`'s read time and target. */
export function emitterFor(cur: Snapshot, events: MonitorEvent[]): Emit {
  return (type, severity, message, data, fold) => {
    const ev: MonitorEvent = { atMs: cur.readAtMs, target: cur.target, type, severity, message };
    if (data !== undefined) ev.data = data;
    if (fold !== undefined) ev.fold = fold;
    events.push(ev);
  };
}
