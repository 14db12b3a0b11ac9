/** The tasks view: spoolers, crons and daemons in one table (kind, pid, what, schedule or counters, state). */
import type { InstanceDocument } from '../../stats/snapshot.js';
import type { MonitorEvent } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { fmtCount, fmtEpochShort } from '../../core/units.js';
import type { Column, TableSpec } from './spec.js';

export interface TaskRow {
  kind: 'spooler' | 'cron' | 'daemon';
  index: number;
  pid: number;
  what: string;
  detail: string;
  state: string;
  respawns: number;
  /** Respawns this monitor saw (a daemon's new pid): uWSGI's own counter does not count a killed daemon's. */
  seen: number;
}

const columns: Array<Column<TaskRow>> = [
  { id: 'kind', title: 'KIND', width: 7, align: 'left', priority: 1, text: (r) => r.kind, sort: (r) => r.kind },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 1, text: (r) => (r.pid > 0 ? String(r.pid) : '-'), sort: (r) => r.pid },
  { id: 'state', title: 'STATE', width: 18, align: 'left', priority: 1, text: (r) => r.state, sort: (r) => r.state },
  { id: 'respawns', title: 'RESPAWNS', width: 12, align: 'right', priority: 2, desc: true, text: (r) => fmtCount(r.respawns) + (r.seen > 0 ? ` +${r.seen} seen` : ''), sort: (r) => r.respawns + r.seen },
  { id: 'detail', title: 'DETAIL', width: 18, align: 'left', priority: 2, text: (r) => r.detail, sort: (r) => r.detail },
  { id: 'what', title: 'COMMAND / DIRECTORY', width: 20, flex: true, align: 'left', priority: 1, text: (r) => r.what, sort: (r) => r.what },
];

export const tasksSpec: TableSpec<TaskRow> = { columns, key: (r) => `${r.kind}:${r.index}`, defaultSort: 'kind' };

const cronField = (n: number): string => (n < 0 ? '*' : String(n));

/** Respawns of each daemon (by index) that the event log holds: uWSGI does not count a killed daemon's. */
export function daemonRespawnsSeen(events: readonly MonitorEvent[]): number[] {
  const seen: number[] = [];
  for (const e of events) {
    const index = e.type === 'daemon-respawned' && Number(e.data?.['newPid']) > 0 ? Number(e.data?.['index']) : NaN;
    if (Number.isInteger(index) && index >= 0) seen[index] = (seen[index] ?? 0) + 1;
  }
  return seen;
}

/** Flatten spoolers, crons and daemons into rows with already-safe text; `seen` from daemonRespawnsSeen. */
export function taskRows(doc: InstanceDocument, nowMs: number, seen: readonly number[] = []): TaskRow[] {
  const rows: TaskRow[] = [];
  doc.spoolers.forEach((s, index) => rows.push({
    kind: 'spooler', index, pid: s.pid, what: safeText(s.dir), detail: `${fmtCount(s.tasks)} tasks`,
    state: s.running ? 'running' : 'idle', respawns: s.respawns, seen: 0,
  }));
  doc.crons.forEach((c, index) => rows.push({
    kind: 'cron', index, pid: c.pid, what: safeText(c.command),
    detail: `${cronField(c.minute)} ${cronField(c.hour)} ${cronField(c.day)} ${cronField(c.month)} ${cronField(c.week)}${c.unique ? ' unique' : ''}${c.legion ? ` @${safeText(c.legion)}` : ''}`,
    // uWSGI writes pid -1 and started_at 0 for a cron that has never run.
    state: c.pid > 0 ? `running since ${fmtEpochShort(c.startedAt, nowMs)}` : c.startedAt > 0 ? `last run ${fmtEpochShort(c.startedAt, nowMs)}` : 'never run', respawns: 0, seen: 0,
  }));
  doc.daemons.forEach((d, index) => rows.push({
    kind: 'daemon', index, pid: d.pid, what: safeText(d.cmd), detail: '', state: d.pid ? 'running' : 'down', respawns: d.respawns, seen: seen[index] ?? 0,
  }));
  return rows;
}
