/** One stats reply body -> one typed Snapshot: parse (repairing uWSGI's known defects), detect the kind, normalise. */
import { DecodeError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';
import { parseStatsJson } from './decode-json.js';
import { isObject, jsonType } from './decode-record.js';
import { normalizeInstance } from './normalize.js';
import { normalizeEmperor } from './normalize-emperor.js';
import { findRouterList, normalizeRouter } from './normalize-router.js';
import type { DocumentKind, Snapshot, SnapshotBase } from './snapshot.js';

/** How and when the body was read (from the transport). */
export interface ReadMeta {
  target: string;
  readAtMs: number;
  monotonicMs: number;
  durationMs: number;
}

/**
 * Which kind of stats document this object is, or null when it is none. Instances have `workers`, the
 * Emperor has `vassals`/`emperor`, routers have `active_sessions`/`subscriptions` or a socket-name list
 * next to the common `version`/`pid` keys.
 */
export function detectKind(doc: Record<string, unknown>): DocumentKind | null {
  if ('workers' in doc) return 'instance';
  if ('vassals' in doc || 'emperor' in doc) return 'emperor';
  if ('active_sessions' in doc || 'subscriptions' in doc) return 'router';
  if (('version' in doc || 'pid' in doc) && findRouterList(doc) !== null) return 'router';
  return null;
}

function notStatsError(value: unknown): DecodeError {
  if (!isObject(value)) return new DecodeError(`not a stats document: the reply is a JSON ${jsonType(value)}, not an object`);
  const keys = Object.keys(value);
  const shown = keys.length === 0 ? 'an empty object' : `keys: ${safeText(keys.slice(0, 8).join(', '), 80)}`;
  return new DecodeError(`not a stats document: no workers, vassals or router sockets (${shown})`);
}

/** Decode the body bytes of one stats reply into a Snapshot; throws DecodeError (src/core/errors.ts) when it is not a stats document. */
export function decodeSnapshot(body: Buffer, meta: ReadMeta, observe?: DocumentObserver): Snapshot {
  const { value, repairs } = parseStatsJson(body);
  const snapshot = snapshotOf(value, repairs, body.length, meta);
  observe?.(value, snapshot);
  return snapshot;
}

/** Told the parsed document (after repairs) of each successful read, with its Snapshot (the flight recorder). */
export type DocumentObserver = (value: unknown, snapshot: Snapshot) => void;

/** A Snapshot from an already parsed document (a read's, or a recorded one); throws DecodeError when it is not a stats document. */
export function snapshotOf(value: unknown, repairs: string[], bytes: number, meta: ReadMeta): Snapshot {
  if (!isObject(value)) throw notStatsError(value);
  const kind = detectKind(value);
  if (kind === null) throw notStatsError(value);
  const warnings: string[] = [];
  const base: SnapshotBase = {
    target: meta.target,
    readAtMs: meta.readAtMs,
    monotonicMs: meta.monotonicMs,
    bytes,
    durationMs: meta.durationMs,
    warnings,
    repairs,
  };
  switch (kind) {
    case 'instance':
      return { ...base, kind, doc: normalizeInstance(value, meta.readAtMs, warnings) };
    case 'emperor':
      return { ...base, kind, doc: normalizeEmperor(value, warnings) };
    case 'router':
      return { ...base, kind, doc: normalizeRouter(value, warnings) };
  }
}
