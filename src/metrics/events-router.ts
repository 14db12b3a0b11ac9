/** Router events: subscription nodes added, removed, failing or marked dead. */
import type { RouterDocument } from '../stats/snapshot.js';
import type { Emit } from './event-emit.js';

/** Node events between two router documents, nodes keyed by subscription key and name. */
export function nodeEvents(prev: RouterDocument, cur: RouterDocument, emit: Emit): void {
  const key = (k: string, n: string): string => `${k}\u0000${n}`;
  const before = new Map<string, RouterDocument['subscriptions'][number]['nodes'][number]>();
  for (const s of prev.subscriptions) for (const n of s.nodes) before.set(key(s.key, n.name), n);
  const now = new Set<string>();
  for (const s of cur.subscriptions) {
    for (const n of s.nodes) {
      const k = key(s.key, n.name);
      now.add(k);
      const pn = before.get(k);
      const data = { key: s.key, node: n.name };
      if (pn === undefined) {
        emit('node-added', 'info', `node ${n.name} subscribed to ${s.key}`, data);
        continue;
      }
      if (n.failcnt > pn.failcnt) {
        emit('node-failing', 'warn', `node ${n.name} of ${s.key} failing (${n.failcnt} failures)`, { ...data, failcnt: n.failcnt });
      }
      if (n.deathMark && !pn.deathMark) {
        emit('node-dead', 'error', `node ${n.name} of ${s.key} marked dead`, data);
      }
    }
  }
  for (const s of prev.subscriptions) {
    for (const n of s.nodes) {
      if (!now.has(key(s.key, n.name))) emit('node-removed', 'warn', `node ${n.name} removed from ${s.key}`, { key: s.key, node: n.name });
    }
  }
}
