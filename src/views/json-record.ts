/**
 * The JSON records of `--json` and `--json --watch` (one per target per line, NDJSON), documented in
 * docs/json-output.md. A record is the normalised document flattened to the top level, with each part's
 * derived rates next to its counters, so `jq '.workers[].rps'` works without joining two structures.
 */
import type { Snapshot, Worker, Core, InstanceSnapshot, EmperorDocument, RouterDocument, ProcessOs } from '../stats/snapshot.js';
import { CLOCK_TICKS_PER_SECOND } from '../stats/proc-os.js';
import { safeJson } from '../core/safe-text.js';
import { pairByKey } from '../metrics/vassal-keys.js';
import { effectiveDocument, listenQueueFill } from '../metrics/kernel-queue.js';
import type { Derived, MonitorEvent } from '../metrics/types.js';
import type { TargetUpdate } from '../monitor/types.js';

/** Version of the record layout; bumped only when a field changes meaning or disappears. */
export const JSON_SCHEMA_VERSION = 1;

type Json = Record<string, unknown>;

/** One NDJSON line (with its newline) for a record; the value is unchanged, only the spelling is safer. */
export function jsonLine(record: unknown): string {
  return safeJson(record) + '\n';
}

// A core's request is the same object as one of the worker's inFlight entries: keep it once, in inFlight.
function coreRecord(core: Core): Json {
  const { request: _request, ...rest } = core;
  return rest;
}

function workerRecords(workers: readonly Worker[], derived: Derived): Json[] {
  const bySlot = new Map(derived.workers.map((w) => [w.slot, w]));
  return workers.map((w) => {
    const d = bySlot.get(w.slot);
    // Identity and the most used fields first (key order is what a reader of the raw line sees).
    const { slot, id, pid, status, accepting, requests, ...rest } = w;
    return {
      slot,
      id,
      pid,
      status,
      accepting,
      requests,
      rps: d?.rps ?? null,
      eps: d?.eps ?? null,
      txps: d?.txps ?? null,
      busyness: d?.busyness ?? null,
      sharePct: d?.sharePct ?? 0,
      // From /proc for a local instance; null when unknown (remote, saved, first read), never 0.
      cpuPct: d?.cpuPct ?? null,
      intervalAvgRtUs: d?.intervalAvgRtUs ?? null,
      ...rest,
      // uWSGI's figure (--memory-report) or else /proc's; null when neither says (uWSGI writes 0 for "not measured").
      rssBytes: w.rssBytes > 0 ? w.rssBytes : (d?.rssBytes ?? null),
      vszBytes: w.vszBytes > 0 ? w.vszBytes : (d?.vszBytes ?? null),
      memoryFrom: w.rssBytes > 0 ? 'uwsgi' : (d?.memoryFrom ?? null),
      appRps: d?.appRps ?? w.apps.map(() => null),
      cores: w.cores === null ? null : w.cores.map(coreRecord),
      // Without cores (--stats-no-cores) uWSGI does not say what is in flight: unknown, not "none".
      inFlight: w.cores === null ? null : w.inFlight,
    };
  });
}

function instanceFields(snapshot: InstanceSnapshot, derived: Derived): Json {
  const doc = snapshot.doc;
  const caches = new Map(derived.caches.map((c) => [c.name, c]));
  const metrics = new Map(derived.metrics.map((m) => [m.name, m.rate]));
  // The listen queue as every output shows it: the fullest socket's queue against that socket's max_queue.
  const fill = listenQueueFill(effectiveDocument(snapshot));
  const summary = derived.instance === null ? null : { ...derived.instance, listenQueue: { queue: fill.queue, maxQueue: fill.max, socket: fill.socket } };
  return {
    summary,
    ...doc,
    // The OS's own figures, counters as /proc keeps them (CPU in seconds): null for a saved document.
    os: osRecord(snapshot),
    workers: workerRecords(doc.workers, derived),
    // uWSGI's queue/maxQueue as it sent them (0/0 for unix sockets); the kernel's beside them where known.
    sockets: doc.sockets.map((s, i) => {
      const k = snapshot.os?.sockets?.[i] ?? null;
      return { ...s, kernelQueue: k?.queue ?? null, kernelMaxQueue: k?.maxQueue ?? null };
    }),
    caches: doc.caches.map((c) => {
      const cd = caches.get(c.name);
      return { ...c, hitsPerSec: cd?.hitsPerSec ?? null, missesPerSec: cd?.missesPerSec ?? null, hitRatio: cd?.hitRatio ?? null };
    }),
    metrics: doc.metrics.map((m) => ({ ...m, rate: metrics.get(m.name) ?? null })),
  };
}

function processRecord(p: ProcessOs | null): Json | null {
  return p === null ? null : { pid: p.pid, cpuSeconds: p.cpuTicks / CLOCK_TICKS_PER_SECOND, rssBytes: p.rssBytes, vszBytes: p.vszBytes };
}

function osRecord(snapshot: InstanceSnapshot): Json | null {
  const os = snapshot.os;
  if (os === undefined) return null;
  return {
    local: os.local,
    note: os.note,
    master: processRecord(os.master),
    workers: os.workers.map(processRecord),
    // The kernel's listen queue of each socket, in the document's order (null: TCP, or not listening here).
    sockets: os.sockets ?? null,
    ...(os.socketsNote !== undefined ? { socketsNote: os.socketsNote } : {}),
  };
}

function emperorFields(doc: EmperorDocument, derived: Derived): Json {
  const paired = pairByKey(doc.vassals, derived.vassals);
  return { ...doc, vassals: doc.vassals.map((v, i) => ({ ...v, respawnsDelta: paired[i]?.respawnsDelta ?? 0 })) };
}

function routerFields(doc: RouterDocument, derived: Derived): Json {
  const rps = new Map(derived.nodes.map((n) => [`${n.key}\u0000${n.name}`, n.rps]));
  return {
    ...doc,
    subscriptions: doc.subscriptions.map((s) => ({
      ...s,
      nodes: s.nodes.map((n) => ({ ...n, rps: rps.get(`${s.key}\u0000${n.name}`) ?? null })),
    })),
  };
}

/** The record of one successful read: identity, read facts, derived summary and the normalised document. */
export function snapshotRecord(snapshot: Snapshot, derived: Derived): Json {
  const head: Json = {
    schema: JSON_SCHEMA_VERSION,
    target: snapshot.target,
    ok: true,
    kind: snapshot.kind,
    readAt: new Date(snapshot.readAtMs).toISOString(),
    readAtMs: snapshot.readAtMs,
    durationMs: Math.round(snapshot.durationMs * 1000) / 1000,
    bytes: snapshot.bytes,
    warnings: snapshot.warnings,
    repairs: snapshot.repairs,
    intervalSeconds: derived.intervalSeconds,
    restarted: derived.restarted,
  };
  if (snapshot.kind === 'instance') return { ...head, ...instanceFields(snapshot, derived) };
  if (snapshot.kind === 'emperor') return { ...head, ...emperorFields(snapshot.doc, derived) };
  return { ...head, ...routerFields(snapshot.doc, derived) };
}

/** The record of a failed read: the target, `ok: false` and the one-line error. */
export function errorRecord(target: string, error: string, atMs: number, code: string | null = null): Json {
  return { schema: JSON_SCHEMA_VERSION, target, ok: false, error, errorCode: code, readAt: new Date(atMs).toISOString(), readAtMs: atMs };
}

/** An event as a JSON object, with an ISO time next to the epoch milliseconds. */
export function eventRecord(event: MonitorEvent): Json {
  return { at: new Date(event.atMs).toISOString(), ...event };
}

/** The `--watch` record of one poll: the snapshot record (or the error), plus sequence, state and new events. */
export function updateRecord(update: TargetUpdate, nowMs: number): Json {
  const watch = { seq: update.seq, state: update.state.state, events: update.events.map(eventRecord) };
  if (update.error !== null || update.snapshot === null || update.derived === null) {
    return { ...errorRecord(update.target, update.error ?? 'no document yet', nowMs), ...watch };
  }
  return { ...snapshotRecord(update.snapshot, update.derived), ...watch };
}
