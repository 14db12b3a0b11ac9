/**
 * The in-flight requests view: every request being served across all workers, oldest first, so "what is
 * stuck?" is answered by the first line. Ages count up between polls (see ages.ts).
 */
import type { InFlightRequest, Worker } from '../../stats/snapshot.js';
import { safeText } from '../../core/safe-text.js';
import { fmtDuration, plainNumber } from '../../core/units.js';
import { requestAge } from './ages.js';
import type { Style } from './spec.js';
import type { Column, TableSpec } from './spec.js';

export interface InFlightRow {
  r: InFlightRequest;
  /** Seconds running at the frame's data clock; null when uWSGI did not say when it started. */
  age: number | null;
}

/** Warn past 5 s, alarm past 30 s: an operator's eye goes to the red line first. */
export function ageStyle(age: number | null): Style | undefined {
  if (age === null) return undefined;
  return age >= 30 ? 'error' : age >= 5 ? 'warn' : undefined;
}

/** Host and URI as one address, the way it reads in a browser (already safe). */
export function hostUri(r: InFlightRequest): string {
  return safeText(r.host) + safeText(r.uri || r.path);
}

const columns: Array<Column<InFlightRow>> = [
  {
    id: 'age', title: 'AGE', width: 6, align: 'right', priority: 1, desc: true,
    text: (x) => fmtDuration(x.age), sort: (x) => (x.age === null ? Number.NaN : x.age),
    style: (x) => ageStyle(x.age),
  },
  { id: 'wid', title: 'WKR', width: 4, align: 'right', priority: 1, fit: (rows) => String(rows.reduce((m, x) => Math.max(m, x.r.workerSlot), 0)).length, text: (x) => plainNumber(x.r.workerSlot), sort: (x) => x.r.workerSlot },
  { id: 'core', title: 'CORE', width: 4, align: 'right', priority: 5, text: (x) => plainNumber(x.r.coreId), sort: (x) => x.r.coreId },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 4, text: (x) => plainNumber(x.r.workerPid), sort: (x) => x.r.workerPid },
  { id: 'method', title: 'METHOD', width: 6, align: 'left', priority: 2, text: (x) => safeText(x.r.method), sort: (x) => safeText(x.r.method) },
  // One column for host and URI: at 80 columns two half-width columns cut both; one wide column cuts only the
  // tail. Capped so that on a wide terminal the remote address stays near the request it belongs to.
  { id: 'url', title: 'HOST+URI', width: 40, maxWidth: 100, flex: true, align: 'left', priority: 1, text: (x) => hostUri(x.r), sort: (x) => hostUri(x.r) },
  { id: 'remote', title: 'REMOTE', width: 15, align: 'left', priority: 3, text: (x) => safeText(x.r.remoteAddr), sort: (x) => safeText(x.r.remoteAddr) },
];

export const inflightSpec: TableSpec<InFlightRow> = {
  columns,
  key: (x) => `${x.r.workerSlot}:${x.r.coreId}`,
  rowStyle: () => undefined,
  defaultSort: 'age',
};

/** The in-flight pane under the workers table: the columns an operator reads first, nothing else. */
export const inflightPaneSpec: TableSpec<InFlightRow> = {
  ...inflightSpec,
  columns: columns.filter((c) => ['age', 'wid', 'method', 'url', 'remote'].includes(c.id)),
};

/** Every in-flight request of every worker, in document order (the table sorts), aged to `clockMs`. */
export function inflightRows(workers: readonly Worker[], readAtMs: number, clockMs: number): InFlightRow[] {
  const out: InFlightRow[] = [];
  for (const w of workers) for (const r of w.inFlight) out.push({ r, age: requestAge(r, readAtMs, clockMs) });
  return out;
}
