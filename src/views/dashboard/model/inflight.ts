/**
 * The in-flight requests view: every request being served across all workers, oldest first, so "what is
 * stuck?" is answered by the first line.
 */
import type { InFlightRequest, Worker } from '../../../stats/snapshot.js';
import { safeText } from '../../safe-text.js';
import { fmtDuration } from '../format.js';
import type { Column, TableSpec } from './table.js';

const columns: Array<Column<InFlightRequest>> = [
  {
    id: 'age', title: 'AGE', width: 6, align: 'right', priority: 1, desc: true,
    text: (r) => fmtDuration(r.ageSeconds), sort: (r) => (r.ageSeconds === null ? Number.NaN : r.ageSeconds),
    style: (r) => ((r.ageSeconds ?? 0) >= 30 ? 'error' : (r.ageSeconds ?? 0) >= 5 ? 'warn' : undefined),
  },
  { id: 'wid', title: 'WKR', width: 4, align: 'right', priority: 1, text: (r) => String(r.workerSlot), sort: (r) => r.workerSlot },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 3, text: (r) => String(r.workerPid), sort: (r) => r.workerPid },
  { id: 'core', title: 'CORE', width: 4, align: 'right', priority: 4, text: (r) => String(r.coreId), sort: (r) => r.coreId },
  { id: 'method', title: 'METHOD', width: 6, align: 'left', priority: 2, text: (r) => safeText(r.method), sort: (r) => safeText(r.method) },
  { id: 'host', title: 'HOST', width: 14, maxWidth: 32, flex: true, align: 'left', priority: 2, text: (r) => safeText(r.host), sort: (r) => safeText(r.host) },
  { id: 'remote', title: 'REMOTE', width: 15, align: 'left', priority: 3, text: (r) => safeText(r.remoteAddr), sort: (r) => safeText(r.remoteAddr) },
  { id: 'uri', title: 'URI', width: 16, flex: true, align: 'left', priority: 1, text: (r) => safeText(r.uri || r.path), sort: (r) => safeText(r.uri || r.path) },
];

export const inflightSpec: TableSpec<InFlightRequest> = {
  columns,
  key: (r) => `${r.workerSlot}:${r.coreId}`,
  rowStyle: () => undefined,
  defaultSort: 'age',
};

/** Every in-flight request of every worker, in document order (the table sorts). */
export function inflightRows(workers: readonly Worker[]): InFlightRequest[] {
  const out: InFlightRequest[] = [];
  for (const w of workers) for (const r of w.inFlight) out.push(r);
  return out;
}
