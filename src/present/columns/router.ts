/** A router's subscriptions and nodes: requests/s, load, failcnt and death mark per node. */
import type { RouterDocument, StaticNode, Subscription, SubscriptionNode } from '../../stats/snapshot.js';
import type { SubscriptionNodeDerived } from '../../metrics/types.js';
import { safeText } from '../../core/safe-text.js';
import { EPOCH_SHORT_WIDTH, fmtBytes, fmtCount, fmtEpochShort, fmtRate, plainNumber } from '../../core/units.js';
import type { Line } from './spec.js';
import type { Column, TableSpec } from './spec.js';

export interface NodeRow {
  sub: Subscription;
  n: SubscriptionNode;
  d: SubscriptionNodeDerived | undefined;
  nowMs: number;
}

const columns: Array<Column<NodeRow>> = [
  { id: 'key', title: 'SUBSCRIPTION', width: 16, flex: true, maxWidth: 40, align: 'left', priority: 1, text: (r) => safeText(r.sub.key), sort: (r) => safeText(r.sub.key) },
  { id: 'node', title: 'NODE', width: 21, flex: true, maxWidth: 40, align: 'left', priority: 1, text: (r) => safeText(r.n.name), sort: (r) => safeText(r.n.name) },
  { id: 'rps', title: 'REQ/s', width: 6, align: 'right', priority: 1, desc: true, text: (r) => fmtRate(r.d?.rps), sort: (r) => r.d?.rps ?? Number.NaN },
  { id: 'req', title: 'REQ', width: 7, align: 'right', priority: 2, desc: true, text: (r) => fmtCount(r.n.requests), sort: (r) => r.n.requests },
  { id: 'load', title: 'LOAD', width: 5, align: 'right', priority: 1, desc: true, text: (r) => fmtCount(r.n.load), sort: (r) => r.n.load },
  { id: 'fail', title: 'FAIL', width: 5, align: 'right', priority: 1, desc: true, text: (r) => fmtCount(r.n.failcnt), sort: (r) => r.n.failcnt, style: (r) => (r.n.failcnt > 0 ? 'warn' : undefined) },
  { id: 'death', title: 'DEAD', width: 4, align: 'left', priority: 1, text: (r) => (r.n.deathMark ? 'yes' : 'no'), sort: (r) => (r.n.deathMark ? 1 : 0), style: (r) => (r.n.deathMark ? 'error' : undefined) },
  { id: 'weight', title: 'WGHT', width: 4, align: 'right', priority: 3, text: (r) => plainNumber(r.n.weight), sort: (r) => r.n.weight },
  { id: 'cores', title: 'CORES', width: 5, align: 'right', priority: 3, text: (r) => plainNumber(r.n.cores), sort: (r) => r.n.cores },
  { id: 'tx', title: 'TX', width: 6, align: 'right', priority: 4, desc: true, text: (r) => fmtBytes(r.n.tx), sort: (r) => r.n.tx },
  { id: 'rx', title: 'RX', width: 6, align: 'right', priority: 4, desc: true, text: (r) => fmtBytes(r.n.rx), sort: (r) => r.n.rx },
  { id: 'check', title: 'LASTCHECK', width: EPOCH_SHORT_WIDTH, align: 'right', priority: 3, desc: true, text: (r) => fmtEpochShort(r.n.lastCheck, r.nowMs), sort: (r) => r.n.lastCheck },
  { id: 'pid', title: 'PID', width: 7, align: 'right', priority: 5, text: (r) => plainNumber(r.n.pid), sort: (r) => r.n.pid },
];

export const nodesSpec: TableSpec<NodeRow> = {
  columns,
  key: (r) => `${safeText(r.sub.key)} ${safeText(r.n.name)}`,
  rowStyle: (r) => (r.n.deathMark ? 'error' : undefined),
  defaultSort: 'key',
};

/** Every node of every subscription, with its derived rate (matched by key and name). */
export function nodeRows(doc: RouterDocument, derived: readonly SubscriptionNodeDerived[], nowMs: number): NodeRow[] {
  const byKey = new Map(derived.map((d) => [`${d.key}\u0000${d.name}`, d]));
  return doc.subscriptions.flatMap((sub) => sub.nodes.map((n) => ({ sub, n, d: byKey.get(`${sub.key}\u0000${n.name}`), nowMs })));
}

/** Heading lines: the static nodes (few, and not part of any subscription). */
export function staticNodeHeads(nodes: readonly StaticNode[]): Line[] {
  return nodes.map((s) => [
    { text: 'static node ', style: 'dim' },
    { text: safeText(s.name, 40) },
    { text: `  hits ${fmtCount(s.hits)}` },
    { text: s.grace ? `  grace ${s.grace}` : '', style: s.grace ? 'warn' : undefined },
  ]);
}
