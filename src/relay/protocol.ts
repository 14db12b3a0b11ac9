/**
 * The relay's WebSocket message format (version 2), shared by the server, the page and the relay client.
 * docs/relay-protocol.md is the user-facing description; keep both in step.
 */
import { safeJson } from '../core/safe-text.js';
import { SERIES_NAMES, type SeriesData, type SeriesName } from '../metrics/series.js';
import type { MonitorEvent } from '../metrics/types.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import type { DeltaOp } from './delta.js';

/** Bumped on any incompatible change; clients refuse other versions (2: updates carry only what changed). */
export const PROTOCOL_VERSION = 2;

/** How many recent events per target the hello message carries. */
export const HELLO_EVENTS = 200;

/** One history series as sent on the wire: metrics' SeriesData under the protocol's short keys (t times, v values). */
export interface WireSeries {
  t: Array<SeriesData['times'][number]>;
  v: Array<SeriesData['values'][number]>;
}

/** The latest value appended to each series by one poll. */
export type SeriesPoints = Partial<Record<SeriesName, number | null>>;

export interface HelloTarget {
  target: string;
  intervalMs: number;
  /** Revision of `latest`: the next `delta` of this target applies to it when its `rev` is one more. */
  rev: number;
  latest: TargetUpdate | null;
  history: Partial<Record<SeriesName, WireSeries>>;
  events: MonitorEvent[];
}

export interface HelloMessage {
  v: 2;
  type: 'hello';
  server: string;
  /** Points kept per history series (serve --history / --interval). */
  historySize: number;
  /** True when this relay accepts `command` messages. */
  control: boolean;
  commands: string[];
  targets: HelloTarget[];
}

/** The part of an update that deltas keep in step: everything but the poll's own events. */
export type FeedState = Omit<TargetUpdate, 'events' | 'target'>;

interface PollFields {
  target: string;
  /** Counts the relay's messages for this target; a client that sees a gap holds a stale state. */
  rev: number;
  /** The poll's new events (never part of the state). */
  events: MonitorEvent[];
  /** The value each history series gained with this poll (absent series: unchanged). */
  points: SeriesPoints;
  /** Epoch ms of those points (the document's read time). */
  at: number;
}

/** The whole state of one target: sent when a client has nothing to apply a delta to. */
export interface UpdateMessage extends TargetUpdate, PollFields {
  v: 2;
  type: 'update';
}

/** What changed since revision `rev - 1` of this target (src/relay/delta.ts operations on a FeedState). */
export interface DeltaMessage extends PollFields {
  v: 2;
  type: 'delta';
  ops: DeltaOp[];
}

export interface CommandResultMessage {
  v: 2;
  type: 'command-result';
  id: string;
  target: string;
  command: string;
  ok: boolean;
  message: string;
}

/** Events recorded outside a poll (a relay command and its result), for live clients. */
export interface EventMessage {
  v: 2;
  type: 'event';
  target: string;
  events: MonitorEvent[];
}

export interface ErrorMessage {
  v: 2;
  type: 'error';
  message: string;
}

export type ServerMessage = HelloMessage | UpdateMessage | DeltaMessage | EventMessage | CommandResultMessage | ErrorMessage;

/** The only message a client may send. */
export interface CommandMessage {
  /** 1 is accepted too (commands did not change). */
  v: 1 | 2;
  type: 'command';
  /** Chosen by the client, echoed in the result (at most 64 characters). */
  id: string;
  target: string;
  command: string;
}

function lastPoint(monitor: TargetMonitor, name: SeriesName): number | null | undefined {
  const values = monitor.history(name).values();
  return values.length === 0 ? undefined : values[values.length - 1];
}

/** The newest value of each series of a monitor (read right after a poll, so it is that poll's value). */
export function latestPoints(monitor: TargetMonitor): SeriesPoints {
  const points: SeriesPoints = {};
  for (const name of SERIES_NAMES) {
    const value = lastPoint(monitor, name);
    if (value !== undefined) points[name] = value;
  }
  return points;
}

/**
 * The state part of an update (the base deltas are computed against). The objects are the monitor's own,
 * not copied: they are never changed once published, and diffJson compares them as JSON would send them.
 */
export function targetState(update: TargetUpdate): FeedState {
  const { seq, state, snapshot, derived, error } = update;
  return { seq, state, snapshot, derived, error };
}

/** The update carrying a target's whole state. */
export function updateMessage(target: string, rev: number, state: FeedState, poll: Omit<PollFields, 'target' | 'rev'>): UpdateMessage {
  return { v: 2, type: 'update', target, rev, ...state, ...poll };
}

/** The update carrying only what changed from the previous revision. */
export function deltaMessage(target: string, rev: number, ops: DeltaOp[], poll: Omit<PollFields, 'target' | 'rev'>): DeltaMessage {
  return { v: 2, type: 'delta', target, rev, ops, ...poll };
}

/** The per-target part of a hello: the state at `rev`, whole history and the recent event log. */
export function helloTarget(monitor: TargetMonitor, rev: number, state: FeedState | null): HelloTarget {
  const history: Partial<Record<SeriesName, WireSeries>> = {};
  for (const name of SERIES_NAMES) {
    const series = monitor.history(name);
    history[name] = { t: series.times(), v: series.values() };
  }
  const events = monitor.events();
  return {
    target: monitor.target,
    intervalMs: monitor.intervalMs,
    rev,
    latest: state === null ? null : { target: monitor.target, ...state, events: [] },
    history,
    events: events.slice(Math.max(0, events.length - HELLO_EVENTS)),
  };
}

/** Build the hello sent to each new client. */
export function helloMessage(targets: HelloTarget[], control: boolean, commands: readonly string[], historySize: number): HelloMessage {
  return { v: 2, type: 'hello', server: 'uwsgitop-ts', historySize, control, commands: [...commands], targets };
}

/** Serialise a message (NaN/Infinity go as null) with control, C1 and bidi characters spelt \\uXXXX, like --json. */
export function encodeMessage(message: ServerMessage): string {
  return safeJson(message);
}
