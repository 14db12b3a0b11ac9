/**
 * The relay's WebSocket message format (version 1), shared by the server, the page and the relay client.
 * docs/relay-protocol.md is the user-facing description; keep both in step.
 */
import { safeJson } from '../core/safe-text.js';
import { SERIES_NAMES, type SeriesName } from '../metrics/series.js';
import type { MonitorEvent } from '../metrics/types.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';

/** Bumped on any incompatible change; clients refuse other versions. */
export const PROTOCOL_VERSION = 1;

/** How many recent events per target the hello message carries. */
export const HELLO_EVENTS = 200;

/** One history series as sent on the wire: parallel arrays, oldest first, null = gap. */
export interface WireSeries {
  t: number[];
  v: Array<number | null>;
}

/** The latest value appended to each series by one poll. */
export type SeriesPoints = Partial<Record<SeriesName, number | null>>;

export interface HelloTarget {
  target: string;
  intervalMs: number;
  latest: TargetUpdate | null;
  history: Partial<Record<SeriesName, WireSeries>>;
  events: MonitorEvent[];
}

export interface HelloMessage {
  v: 1;
  type: 'hello';
  server: string;
  /** True when this relay accepts `command` messages. */
  control: boolean;
  commands: string[];
  targets: HelloTarget[];
}

export interface UpdateMessage extends TargetUpdate {
  v: 1;
  type: 'update';
  /** The value each history series gained with this poll (absent series: unchanged). */
  points: SeriesPoints;
}

export interface CommandResultMessage {
  v: 1;
  type: 'command-result';
  id: string;
  target: string;
  command: string;
  ok: boolean;
  message: string;
}

/** Events recorded outside a poll (a relay command and its result), for live clients. */
export interface EventMessage {
  v: 1;
  type: 'event';
  target: string;
  events: MonitorEvent[];
}

export interface ErrorMessage {
  v: 1;
  type: 'error';
  message: string;
}

export type ServerMessage = HelloMessage | UpdateMessage | EventMessage | CommandResultMessage | ErrorMessage;

/** The only message a client may send. */
export interface CommandMessage {
  v: 1;
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

/** Build the update message of one poll. */
export function updateMessage(update: TargetUpdate, points: SeriesPoints): UpdateMessage {
  return {
    v: 1,
    type: 'update',
    target: update.target,
    seq: update.seq,
    state: update.state,
    snapshot: update.snapshot,
    derived: update.derived,
    events: update.events,
    error: update.error,
    points,
  };
}

/** The per-target part of a hello: latest update, whole history and the recent event log. */
export function helloTarget(monitor: TargetMonitor, shown: (u: TargetUpdate) => TargetUpdate = (u) => u): HelloTarget {
  const history: Partial<Record<SeriesName, WireSeries>> = {};
  for (const name of SERIES_NAMES) {
    const series = monitor.history(name);
    history[name] = { t: series.times(), v: series.values() };
  }
  const events = monitor.events();
  const latest = monitor.latest();
  return {
    target: monitor.target,
    intervalMs: monitor.intervalMs,
    latest: latest === null ? null : shown(latest),
    history,
    events: events.slice(Math.max(0, events.length - HELLO_EVENTS)),
  };
}

/** Build the hello sent to each new client. */
export function helloMessage(monitors: readonly TargetMonitor[], control: boolean, commands: readonly string[], shown?: (u: TargetUpdate) => TargetUpdate): HelloMessage {
  return { v: 1, type: 'hello', server: 'uwsgitop-ts', control, commands: [...commands], targets: monitors.map((m) => helloTarget(m, shown)) };
}

/** Serialise a message (NaN/Infinity go as null) with control, C1 and bidi characters spelt \\uXXXX, like --json. */
export function encodeMessage(message: ServerMessage): string {
  return safeJson(message);
}
