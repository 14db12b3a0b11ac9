/** Router stats document (--fastrouter-stats, --http-stats, --rawrouter-stats, --sslrouter-stats) -> RouterDocument. */
import { processFields } from './normalize-process.js';
import { mapList, readRecord } from './decode-record.js';
import { routerTopSchema, staticNodeSchema, subscriptionNodeSchema, subscriptionSchema } from './schema.js';
import type { RouterDocument } from './snapshot.js';

/** Router names uWSGI's corerouter plugins use as the key of their socket list. */
export const KNOWN_ROUTER_NAMES: readonly string[] = ['fastrouter', 'http', 'https', 'rawrouter', 'sslrouter', 'forkptyrouter'];

// Top-level keys of router documents that are not the router's socket list.
const ROUTER_OTHER_KEYS = new Set(['version', 'pid', 'uid', 'gid', 'cwd', 'active_sessions', 'static_nodes', 'subscriptions', 'cheap']);

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Find the router's socket list: the key whose value is an array of socket name strings. Known router
 * names win; otherwise the first other key holding an array of strings (a router this code does not know).
 */
export function findRouterList(raw: Record<string, unknown>): { name: string; sockets: string[] } | null {
  for (const name of KNOWN_ROUTER_NAMES) {
    const v = raw[name];
    if (isStringArray(v)) return { name, sockets: v };
  }
  for (const [name, v] of Object.entries(raw)) {
    if (!ROUTER_OTHER_KEYS.has(name) && isStringArray(v)) return { name, sockets: v };
  }
  return null;
}

/** Turn a router document into the snapshot model; problems go to `warnings`. */
export function normalizeRouter(raw: Record<string, unknown>, warnings: string[]): RouterDocument {
  const top = readRecord(routerTopSchema, raw, '', warnings) ?? routerTopSchema.parse({});
  const list = findRouterList(raw);
  if (list === null) warnings.push('router socket list: no key holds an array of socket names');
  return {
    ...processFields(top),
    activeSessions: top.active_sessions,
    routerName: list?.name ?? '',
    routerSockets: list?.sockets ?? [],
    staticNodes: mapList(raw, 'static_nodes', '', warnings, staticNodeSchema, (s) => ({
      name: s.name,
      hits: s.hits,
      grace: s.grace,
    })),
    subscriptions: mapList(raw, 'subscriptions', '', warnings, subscriptionSchema, (s, rawSub, _i, path) => ({
      key: s.key,
      hash: s.hash,
      hits: s.hits,
      sniEnabled: s.sni_enabled !== 0,
      nodes: mapList(rawSub, 'nodes', path, warnings, subscriptionNodeSchema, (n) => ({
        name: n.name,
        modifier1: n.modifier1,
        modifier2: n.modifier2,
        lastCheck: n.last_check,
        pid: n.pid,
        uid: n.uid,
        gid: n.gid,
        requests: n.requests,
        lastRequests: n.last_requests,
        tx: n.tx,
        rx: n.rx,
        cores: n.cores,
        load: n.load,
        weight: n.weight,
        wrr: n.wrr,
        ref: n.ref,
        failcnt: n.failcnt,
        deathMark: n.death_mark !== 0,
      })),
    })),
    cheap: top.cheap !== 0,
  };
}
