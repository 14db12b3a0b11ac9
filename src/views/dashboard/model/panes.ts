/**
 * The panes under a main table when the terminal has room to spare: the oldest in-flight requests and the
 * recent events, so an operator sees "what is stuck" and "what just happened" without switching views.
 * On short terminals the same facts shrink to one line each. Every function returns exactly the lines asked for.
 */
import type { MonitorEvent } from '../../../metrics/types.js';
import type { InstanceSnapshot } from '../../../stats/snapshot.js';
import { safeText } from '../../../core/safe-text.js';
import { fmtClock, fmtDuration, plural } from '../../../core/units.js';
import { ageStyle, hostUri, inflightPaneSpec, inflightRows } from '../../../present/columns/inflight.js';
import { fitLine, line, lineWidth, type Line, type Style } from './line.js';
import { buildTable, newTableState } from './table.js';

/** Lines the in-flight pane needs to show everything (title, header, one line per request or a "none" line). */
export function inflightNeed(snap: InstanceSnapshot): number {
  const n = snap.doc.workers.reduce((s, w) => s + w.inFlight.length, 0);
  return n === 0 ? 2 : 2 + n;
}

/** Lines the events pane needs to show every event it holds (title and one line each, or a "none" line). */
export function eventsNeed(events: readonly MonitorEvent[]): number {
  return 1 + Math.max(1, events.length);
}

/** A pane's title as a rule across the width: `── Title · detail ─────── hint ──`. */
function titleRule(title: string, detail: string, hint: string, width: number): Line {
  const left: Line = [{ text: '── ', style: 'dim' }, { text: title, style: 'title' }];
  if (detail) left.push({ text: ` · ${detail}`, style: 'dim' });
  left.push({ text: ' ', style: 'dim' });
  const right: Line = hint ? [{ text: ` ${hint} `, style: 'dim' }, { text: '──', style: 'dim' }] : [];
  const fill = width - lineWidth(left) - lineWidth(right);
  if (fill < 2) return fitLine(left, width, 'dim');
  return [...left, { text: '─'.repeat(fill), style: 'dim' }, ...right];
}

function pad(lines: Line[], width: number, height: number): Line[] {
  const out = lines.slice(0, height).map((l) => fitLine(l, width));
  while (out.length < height) out.push([{ text: ' '.repeat(width) }]);
  return out;
}

/** The in-flight pane, `height` lines: title, header, the oldest requests first (ages at `clockMs`). */
export function inflightPane(snap: InstanceSnapshot, clockMs: number, width: number, height: number): Line[] {
  const rows = inflightRows(snap.doc.workers, snap.readAtMs, clockMs);
  const noCores = snap.doc.workers.some((w) => w.cores === null);
  const visible = Math.max(0, height - 2);
  const detail = rows.length === 0 ? '' : rows.length > visible ? `${visible} of ${rows.length} shown` : plural(rows.length, 'request');
  const out: Line[] = [titleRule('In flight (oldest first)', detail, '2 Requests', width)];
  if (rows.length === 0) {
    out.push(line(noCores ? '  unknown: uWSGI runs with --stats-no-cores' : '  none', 'dim'));
    return pad(out, width, height);
  }
  // The same table model as the Requests view (age descending = oldest first), without a selection.
  const table = buildTable(rows, inflightPaneSpec, newTableState(), width, visible, false);
  out.push(table.header, ...table.rows);
  return pad(out, width, height);
}

function sevStyle(e: MonitorEvent): Style | undefined {
  return e.severity === 'error' ? 'error' : e.severity === 'warn' ? 'warn' : undefined;
}

function eventLine(e: MonitorEvent): Line {
  return [
    { text: `${fmtClock(e.atMs / 1000)} `, style: 'dim' },
    { text: e.severity.padEnd(6), style: sevStyle(e) },
    { text: safeText(e.message), style: sevStyle(e) === 'error' ? 'error' : undefined },
  ];
}

/** The events pane, `height` lines: title, then the latest events with the newest at the bottom. */
export function eventsPane(events: readonly MonitorEvent[], width: number, height: number): Line[] {
  const visible = Math.max(0, height - 1);
  const shown = visible > 0 ? events.slice(-visible) : [];
  const detail = events.length === 0 ? '' : events.length > shown.length ? `last ${shown.length} of ${events.length}` : plural(events.length, 'event');
  const out: Line[] = [titleRule('Recent events (newest last)', detail, '9 Events', width)];
  if (events.length === 0) out.push(line('  none yet', 'dim'));
  for (const e of shown) out.push(eventLine(e));
  return pad(out, width, height);
}

/** One line about the oldest in-flight request, or null when nothing is in flight. */
export function oldestRequestLine(snap: InstanceSnapshot, clockMs: number, width: number): Line | null {
  const rows = inflightRows(snap.doc.workers, snap.readAtMs, clockMs);
  if (rows.length === 0) return null;
  let oldest = rows[0]!;
  for (const x of rows) if ((x.age ?? -1) > (oldest.age ?? -1)) oldest = x;
  return fitLine([
    { text: 'oldest request ', style: 'dim' },
    { text: fmtDuration(oldest.age), style: ageStyle(oldest.age) ?? 'bold' },
    { text: '  worker ', style: 'dim' },
    { text: `${oldest.r.workerSlot} ${safeText(oldest.r.method)} ${hostUri(oldest.r)}` },
    { text: oldest.r.remoteAddr ? ' from ' : '', style: 'dim' },
    { text: safeText(oldest.r.remoteAddr) },
  ], width);
}

/** One line with the latest event, or null when there is none. */
export function lastEventLine(events: readonly MonitorEvent[], width: number): Line | null {
  const e = events[events.length - 1];
  if (!e) return null;
  return fitLine([{ text: 'last event ', style: 'dim' }, ...eventLine(e)], width);
}
