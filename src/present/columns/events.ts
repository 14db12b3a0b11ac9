/** The event log view: what the monitor saw happen (and the commands the user ran), newest first. */
import type { MonitorEvent } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { fmtClock } from '../../core/units.js';
import type { Column, TableSpec } from './spec.js';

export interface EventRow {
  e: MonitorEvent;
  index: number;
}

const sevRank = { info: 0, warn: 1, error: 2 } as const;

const columns: Array<Column<EventRow>> = [
  // eventRows numbers the rows in time order with the log's order as tie-break (ms * 1e4 went past 2^53 and
  // lost the tie-break between events of one poll): that number is the time order.
  { id: 'time', title: 'TIME', width: 8, align: 'left', priority: 1, desc: true, text: (r) => fmtClock(r.e.atMs / 1000), sort: (r) => r.index },
  {
    id: 'sev', title: 'SEV', width: 5, align: 'left', priority: 2, desc: true, text: (r) => r.e.severity, sort: (r) => sevRank[r.e.severity] ?? 0,
    style: (r) => (r.e.severity === 'error' ? 'error' : r.e.severity === 'warn' ? 'warn' : undefined),
  },
  // The type mostly repeats the message: it goes first on a narrow terminal, so the message can be read.
  { id: 'type', title: 'TYPE', width: 21, align: 'left', priority: 3, text: (r) => safeText(r.e.type), sort: (r) => r.e.type },
  { id: 'message', title: 'MESSAGE', width: 55, flex: true, align: 'left', priority: 1, text: (r) => safeText(r.e.message), sort: (r) => safeText(r.e.message) },
];

export const eventsSpec: TableSpec<EventRow> = { columns, key: (r) => `${r.e.atMs}:${r.index}`, defaultSort: 'time' };

/**
 * Number the events in time order: by their time (a folded event carries its latest occurrence, so it moves up
 * as it goes on), equal times in the order they were logged; the numbers keep keys unique.
 */
export function eventRows(events: readonly MonitorEvent[]): EventRow[] {
  return events
    .map((e, logged) => ({ e, logged }))
    .sort((a, b) => a.e.atMs - b.e.atMs || a.logged - b.logged)
    .map(({ e }, index) => ({ e, index }));
}
