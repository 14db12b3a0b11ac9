/** The plain-text report of a router document (fastrouter, http, rawrouter, sslrouter): sockets, subscriptions and their nodes. */
import type { RouterSnapshot } from '../stats/snapshot.js';
import type { Derived } from '../metrics/types.js';
import { safeText } from '../core/safe-text.js';
import { appendLines, renderTable, type Column } from './text-table.js';
import { nodeRows, nodesSpec } from '../present/columns/router.js';
import { specTable } from './text-spec.js';
import { plainNumber, yesNo } from '../core/units.js';

const r = (header: string): Column => ({ header, align: 'right' });
const l = (header: string): Column => ({ header, align: 'left' });

/** Summary lines of a router: its name, sockets, sessions, subscription counts. */
export function routerSummary(snap: RouterSnapshot): string[] {
  const doc = snap.doc;
  const nodes = doc.subscriptions.reduce((n, s) => n + s.nodes.length, 0);
  return [
    [
      `${safeText(doc.routerName, 30) || 'router'}`,
      `active sessions ${doc.activeSessions}`,
      `subscriptions ${doc.subscriptions.length} (${nodes} nodes)`,
      `static nodes ${doc.staticNodes.length}`,
      `cheap ${yesNo(doc.cheap)}`,
    ].join('  '),
    `listening on ${doc.routerSockets.length > 0 ? doc.routerSockets.map((s) => safeText(s, 60)).join(', ') : 'nothing'}`,
  ];
}

/** Subscriptions (one node table each) and static nodes, each preceded by a blank line. */
export function routerSections(snap: RouterSnapshot, derived: Derived): string[] {
  const doc = snap.doc;
  const out: string[] = [];
  const rows = nodeRows(doc, derived.nodes, snap.readAtMs);
  if (doc.subscriptions.length === 0) out.push('', 'Subscriptions: none');
  for (const sub of doc.subscriptions) {
    out.push('', `Subscription ${safeText(sub.key, 80)}  hits ${sub.hits}  nodes ${sub.nodes.length}${sub.sniEnabled ? '  sni' : ''}`);
    appendLines(out, specTable(nodesSpec, rows.filter((r) => r.sub === sub), '  '));
  }
  if (doc.staticNodes.length > 0) {
    out.push('', `Static nodes (${doc.staticNodes.length})`);
    appendLines(out, renderTable(
        [l('NODE'), r('HITS'), r('GRACE')],
        doc.staticNodes.map((n) => [safeText(n.name, 60), plainNumber(n.hits), plainNumber(n.grace)]),
      ),
    );
  }
  return out;
}
