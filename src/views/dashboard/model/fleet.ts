/** The fleet: every target with its state and headline numbers; the fleet line is its one-row form. */
import type { TargetUpdate } from '../../../monitor/types.js';
import { safeText } from '../../../core/safe-text.js';
import { cutKeeping } from '../../../present/width.js';
import { fmtRate, plainNumber } from '../../../core/units.js';
import { lineWidth, type Line, type Style } from './line.js';
import type { Column, TableSpec } from './table.js';

export interface FleetRow {
  index: number;
  target: string;
  /** What the user knows the target by, when that is not its address (its ini file or vassal name). */
  label?: string;
  update: TargetUpdate | null;
  /** Wall clock of the frame, so a stale age keeps counting between polls. */
  nowMs?: number;
}

/** A short state word for a target and its style (a stale age counted up to `nowMs` when given). */
export function shortState(u: TargetUpdate | null, nowMs?: number): { text: string; style: Style } {
  const s = u?.state;
  if (!s || s.state === 'connecting') return { text: 'connecting', style: 'warn' };
  if (s.state === 'live') {
    // A zerg-dance sleeper must stand out from the instance that serves. uWSGI pauses every worker at once;
    // one still finishing a request shows 'busy' until it ends, so: some paused and none idle.
    const snap = u?.snapshot;
    if (snap?.kind === 'instance') {
      const ws = snap.doc.workers;
      if (ws.some((w) => w.status === 'pause') && !ws.some((w) => w.status === 'idle')) return { text: 'paused', style: 'warn' };
    }
    return { text: 'live', style: 'ok' };
  }
  if (s.state === 'stale') {
    const readAt = u?.snapshot?.readAtMs;
    const age = nowMs !== undefined && readAt !== undefined ? Math.max(s.ageSeconds, (nowMs - readAt) / 1000) : s.ageSeconds;
    return { text: `stale ${Math.round(age)}s`, style: 'warn' };
  }
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
    return { ...base, rps: inst?.rps ?? null, workers: `${busy}/${snap.doc.workers.length} busy`, lq: max ? `${q}/${max}` : plainNumber(q) };
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
  { id: 'target', title: 'TARGET', width: 20, flex: true, maxWidth: 50, align: 'left', priority: 1, text: (r) => safeText(labelled(r)), sort: (r) => safeText(labelled(r)) },
  { id: 'state', title: 'STATE', width: 10, align: 'left', priority: 1, text: (r) => shortState(r.update, r.nowMs).text, sort: (r) => shortState(r.update, r.nowMs).text, style: (r) => shortState(r.update, r.nowMs).style },
  { id: 'kind', title: 'KIND', width: 8, align: 'left', priority: 3, text: (r) => headline(r.update).kind, sort: (r) => headline(r.update).kind },
  { id: 'rps', title: 'REQ/s', width: 7, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(headline(r.update).rps), sort: (r) => headline(r.update).rps ?? Number.NaN },
  { id: 'workers', title: 'WORKERS', width: 14, align: 'left', priority: 2, text: (r) => headline(r.update).workers, sort: (r) => headline(r.update).workers },
  { id: 'lq', title: 'LISTEN Q', width: 9, align: 'right', priority: 2, text: (r) => headline(r.update).lq, sort: (r) => headline(r.update).lq },
  { id: 'version', title: 'VERSION', width: 14, align: 'left', priority: 4, text: (r) => headline(r.update).version, sort: (r) => headline(r.update).version },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 4, text: (r) => headline(r.update).pid, sort: (r) => headline(r.update).pid },
];

export const fleetSpec: TableSpec<FleetRow> = { columns, key: (r) => String(r.index), defaultSort: 'n' };

/** A target as the title and the fleet table name it: `shop.ini 127.0.0.1:9191`, or its address alone. */
export function labelled(r: { target: string; label?: string }): string {
  return r.label !== undefined && r.label !== r.target ? `${r.label} ${r.target}` : r.target;
}

/**
 * Paths that share their beginning and their end are told apart by their middle, as a file manager's tabs
 * are: `/srv/shop/run/stats.sock` and `/srv/blog/run/stats.sock` become `…/shop/…` and `…/blog/…`; the
 * whole path is kept where nothing is shared. Returns each name's short form and the part it keeps.
 */
function distinctPaths(paths: readonly string[]): Array<{ short: string; core: string }> {
  const parts = paths.map((p) => p.split('/').filter((x) => x !== ''));
  const shortest = Math.min(...parts.map((p) => p.length));
  let lead = 0;
  while (lead < shortest - 1 && parts.every((p) => p[lead] === parts[0]![lead])) lead++;
  let tail = 0;
  while (lead + tail < shortest - 1 && parts.every((p) => p[p.length - 1 - tail] === parts[0]![parts[0]!.length - 1 - tail])) tail++;
  return parts.map((p, i) => {
    if (lead === 0 && tail === 0) return { short: paths[i]!, core: paths[i]! };
    const core = p.slice(lead, p.length - tail).join('/');
    return { short: `${lead > 0 ? '…/' : '/'}${core}${tail > 0 ? '/…' : ''}`, core };
  });
}

/**
 * What tells targets apart once their shared beginning is dropped (wherever it appears): `127.0.0.1:9191`
 * and `127.0.0.1:9300` become `:9191` and `:9300`, `/run/app/stats.sock` and `/run/api/stats.sock` become
 * `…/app/…` and `…/api/…` (socket paths are compared among themselves, whatever else is watched). The cut is
 * made at a separator (`:` `/` `@`), which stays, so a short name still reads as a port or a path.
 */
export function distinctNames(names: readonly string[]): string[] {
  if (names.length < 2) return [...names];
  const pathAt = names.map((n, i) => (n.startsWith('/') ? i : -1)).filter((i) => i >= 0);
  if (pathAt.length >= 2) {
    const short = distinctPaths(pathAt.map((i) => names[i]!));
    const others = distinctNames(names.filter((n) => !n.startsWith('/')));
    let o = 0;
    let p = 0;
    return names.map((n) => (n.startsWith('/') ? short[p++]!.short : others[o++]!));
  }
  let common = names[0]!;
  for (const n of names) {
    let i = 0;
    while (i < common.length && i < n.length && common[i] === n[i]) i++;
    common = common.slice(0, i);
  }
  const cut = Math.max(common.lastIndexOf(':'), common.lastIndexOf('/'), common.lastIndexOf('@'));
  if (cut <= 0) return [...names];
  // Dropped wherever it appears: a relay target `127.0.0.1:19341/127.0.0.1:9191` reads `:19341/:9191`.
  const shared = common.slice(0, cut);
  return names.map((n) => n.split(shared).join(''));
}

/**
 * The part of each name a shortened title must keep to stay told apart from the others (`shop` of
 * `/srv/shop/run/stats.sock` beside `/srv/blog/run/stats.sock`), or null when its end does that already.
 */
export function distinguishingPart(names: readonly string[], index: number): string | null {
  const name = names[index];
  if (name === undefined || !name.startsWith('/')) return null;
  const paths = names.filter((n) => n.startsWith('/'));
  if (paths.length < 2) return null;
  const found = distinctPaths(paths)[paths.indexOf(name)];
  return found === undefined || found.core === name ? null : `/${found.core}`;
}

/**
 * The one-row fleet line: `targets  1:name live  2:name DOWN  ([ ] switch, 0 fleet)`, the current target
 * highlighted; on a narrow terminal the label and the hint go first, then the part every name shares
 * (`127.0.0.1`), then the middles of the names, so every target's number, distinguishing end and state
 * stay visible.
 */
export function fleetLine(rows: readonly FleetRow[], current: number, width: number): Line {
  const full = rows.map((r) => safeText(r.label ?? r.target));
  const distinct = distinctNames(full);
  const keeps = full.map((_, i) => distinguishingPart(full, i));
  const build = (names: readonly string[], nameMax: number, label: boolean, hint: boolean): Line => {
    const out: Line = label ? [{ text: 'targets ', style: 'dim' }] : [];
    rows.forEach((r, i) => {
      const st = shortState(r.update, r.nowMs);
      // `1::9191` would say the colon twice: the number's colon stands for the port's.
      const name = cutKeeping(names[i]!, names === full ? keeps[i]! : null, nameMax).replace(/^:/, '');
      out.push({ text: ` ${r.index + 1}:${name} `, style: r.index === current ? 'tabActive' : 'tab' });
      out.push({ text: st.text, style: st.style });
      out.push({ text: ' ' });
    });
    if (hint) out.push({ text: ' ([ ] switch, 0 fleet)', style: 'dim' });
    return out;
  };
  const tries: Array<[readonly string[], number, boolean, boolean]> = [
    [full, 28, true, true], [full, 28, true, false], [full, 28, false, false],
    [distinct, 28, false, false], [distinct, 20, false, false], [distinct, 14, false, false], [distinct, 8, false, false],
  ];
  for (const [names, n, label, hint] of tries) {
    const l = build(names, n, label, hint);
    if (lineWidth(l) <= width) return l;
  }
  return build(distinct, 5, false, false);
}
