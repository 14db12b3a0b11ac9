/** The fleet: every target with its state and headline numbers; the fleet line is its one-row form. */
import type { TargetUpdate } from '../../../metrics/types.js';
import { safeText } from '../../safe-text.js';
import { fmtRate } from '../format.js';
import type { Line, Style } from './line.js';
import type { Column, TableSpec } from './table.js';

export interface FleetRow {
  index: number;
  target: string;
  update: TargetUpdate | null;
}

/** A short state word for a target and its style. */
export function shortState(u: TargetUpdate | null): { text: string; style: Style } {
  const s = u?.state;
  if (!s || s.state === 'connecting') return { text: 'connecting', style: 'warn' };
  if (s.state === 'live') return { text: 'live', style: 'ok' };
  if (s.state === 'stale') return { text: `stale ${Math.round(s.ageSeconds)}s`, style: 'warn' };
  return { text: 'DOWN', style: 'error' };
}

function headline(u: TargetUpdate | null): { rps: number | null; workers: string; lq: string; version: string; pid: string; kind: string } {
  const snap = u?.snapshot ?? null;
  if (snap === null) return { rps: null, workers: '-', lq: '-', version: '-', pid: '-', kind: '-' };
  const base = { version: safeText(snap.doc.version, 20), pid: String(snap.doc.pid), kind: snap.kind };
  if (snap.kind === 'instance') {
    const inst = u?.derived?.instance ?? null;
    const busy = snap.doc.workers.filter((w) => w.status === 'busy').length;
    const max = snap.doc.sockets.reduce((s, k) => s + k.maxQueue, 0);
    const q = snap.doc.listenQueue ?? 0;
    return { ...base, rps: inst?.rps ?? null, workers: `${busy}/${snap.doc.workers.length} busy`, lq: max ? `${q}/${max}` : String(q) };
  }
  if (snap.kind === 'emperor') {
    const ready = snap.doc.vassals.filter((v) => v.ready).length;
    return { ...base, rps: null, workers: `${ready}/${snap.doc.vassals.length} vassals`, lq: '-' };
  }
  const nodes = snap.doc.subscriptions.reduce((s, x) => s + x.nodes.length, 0);
  const rates = (u?.derived?.nodes ?? []).map((n) => n.rps).filter((r): r is number => r !== null);
  return { ...base, rps: rates.length ? rates.reduce((a, b) => a + b, 0) : null, workers: `${nodes} nodes`, lq: '-' };
}

const columns: Array<Column<FleetRow>> = [
  { id: 'n', title: '#', width: 2, align: 'right', priority: 1, text: (r) => String(r.index + 1), sort: (r) => r.index },
  { id: 'target', title: 'TARGET', width: 20, flex: true, maxWidth: 50, align: 'left', priority: 1, text: (r) => safeText(r.target), sort: (r) => safeText(r.target) },
  { id: 'state', title: 'STATE', width: 10, align: 'left', priority: 1, text: (r) => shortState(r.update).text, sort: (r) => shortState(r.update).text, style: (r) => shortState(r.update).style },
  { id: 'kind', title: 'KIND', width: 8, align: 'left', priority: 3, text: (r) => headline(r.update).kind, sort: (r) => headline(r.update).kind },
  { id: 'rps', title: 'REQ/s', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(headline(r.update).rps), sort: (r) => headline(r.update).rps ?? Number.NaN },
  { id: 'workers', title: 'WORKERS', width: 14, align: 'left', priority: 2, text: (r) => headline(r.update).workers, sort: (r) => headline(r.update).workers },
  { id: 'lq', title: 'LISTEN Q', width: 9, align: 'right', priority: 2, text: (r) => headline(r.update).lq, sort: (r) => headline(r.update).lq },
  { id: 'version', title: 'VERSION', width: 14, align: 'left', priority: 4, text: (r) => headline(r.update).version, sort: (r) => headline(r.update).version },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 4, text: (r) => headline(r.update).pid, sort: (r) => headline(r.update).pid },
];

export const fleetSpec: TableSpec<FleetRow> = { columns, key: (r) => String(r.index), defaultSort: 'n' };

/** The one-row fleet line: `1 name live  2 name DOWN`, the current target highlighted. */
export function fleetLine(rows: readonly FleetRow[], current: number): Line {
  const out: Line = [{ text: 'targets ', style: 'dim' }];
  for (const r of rows) {
    const st = shortState(r.update);
    const active = r.index === current;
    out.push({ text: ` ${r.index + 1}:${safeText(r.target, 28)} `, style: active ? 'tabActive' : 'tab' });
    out.push({ text: st.text, style: st.style });
    out.push({ text: ' ' });
  }
  out.push({ text: ' ([ ] switch, 9 fleet)', style: 'dim' });
  return out;
}
