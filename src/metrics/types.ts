/**
 * Derived values, history, events and the live monitor's contract: what src/metrics produces from
 * consecutive snapshots and what every consumer (dashboard, reports, NDJSON, relay) reads.
 * Rates are per second over the monotonic clock; null means "no rate yet" (first sample, reset, gap).
 */
import type { Snapshot, MetricType } from '../stats/snapshot.js';

export interface WorkerDerived {
  slot: number;
  pid: number;
  /** Requests per second, null without a comparable previous sample. */
  rps: number | null;
  /** Exceptions per second. */
  eps: number | null;
  /** Bytes sent per second. */
  txps: number | null;
  /** Share of wall time spent serving requests (running_time rate), 0..1 per worker. */
  busyness: number | null;
  /** This worker's share of all requests served by the instance, percent (uwsgitop's %). */
  sharePct: number;
  /** Per app requests/s, same order as worker.apps. */
  appRps: Array<number | null>;
}

export interface InstanceDerived {
  rps: number | null;
  eps: number | null;
  txps: number | null;
  /** Mean busyness over running workers, 0..1. */
  busyness: number | null;
  totalRequests: number;
  totalExceptions: number;
  totalTx: number;
  busy: number;
  idle: number;
  paused: number;
  cheap: number;
  sig: number;
  /** Running workers (not cheap). */
  running: number;
  /** Mean of avg_rt over workers that served requests, microseconds; null when none did. */
  avgRtUs: number | null;
  /** Seconds since the oldest worker spawn or the master start where derivable, else null. */
  uptimeSeconds: number | null;
  /** Number of in-flight requests across all workers; null when the document has no cores (--stats-no-cores). */
  inFlight: number | null;
}

export interface CacheDerived {
  name: string;
  hitsPerSec: number | null;
  missesPerSec: number | null;
  /** hits / (hits + misses) over the last interval when any, else over the lifetime; null with no lookups. */
  hitRatio: number | null;
}

export interface MetricDerived {
  name: string;
  type: MetricType;
  value: number;
  /** Counters only: per second; null for gauges and on the first sample. */
  rate: number | null;
}

export interface SubscriptionNodeDerived {
  key: string;
  name: string;
  rps: number | null;
}

export interface VassalDerived {
  id: string;
  /** Respawns since the previous sample. */
  respawnsDelta: number;
}

/** Everything derived from one snapshot and the one before it. */
export interface Derived {
  target: string;
  /** Seconds between this snapshot and the previous comparable one, null on the first. */
  intervalSeconds: number | null;
  /** True when this snapshot starts a new life of the instance (new master pid or counters went down). */
  restarted: boolean;
  instance: InstanceDerived | null;
  workers: WorkerDerived[];
  caches: CacheDerived[];
  metrics: MetricDerived[];
  nodes: SubscriptionNodeDerived[];
  vassals: VassalDerived[];
}

export type EventType =
  | 'target-down'
  | 'target-up'
  | 'instance-restarted'
  | 'workers-reloaded'
  | 'worker-respawned'
  | 'worker-paused'
  | 'worker-resumed'
  | 'worker-cheap'
  | 'worker-signal'
  | 'chain-reload-progress'
  | 'listen-queue-high'
  | 'exceptions-rising'
  | 'cache-full'
  | 'legion-lord-changed'
  | 'legion-member-joined'
  | 'legion-member-left'
  | 'legion-quorum'
  | 'vassal-spawned'
  | 'vassal-respawned'
  | 'vassal-cursed'
  | 'vassal-gone'
  | 'node-added'
  | 'node-removed'
  | 'node-failing'
  | 'node-dead'
  | 'command';

export type EventSeverity = 'info' | 'warn' | 'error';

/** A timestamped thing that happened, derived from consecutive snapshots (or a command the user ran). */
export interface MonitorEvent {
  /** Wall clock, epoch milliseconds. */
  atMs: number;
  target: string;
  type: EventType;
  severity: EventSeverity;
  /** Short human sentence; may contain document strings, so views must still make it safe. */
  message: string;
  /** Structured details (worker slot, pids, cause...). */
  data?: Record<string, string | number | boolean | null>;
}

/** The connection state of one target. */
export type TargetState =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'stale'; sinceMs: number; ageSeconds: number }
  | { state: 'down'; error: string; sinceMs: number; nextRetryAtMs: number | null };

/** What a monitor publishes after every poll (successful or not). */
export interface TargetUpdate {
  target: string;
  /** Monotonic sequence number of polls for this target. */
  seq: number;
  state: TargetState;
  /** The latest good snapshot (may be from an earlier poll when this one failed). */
  snapshot: Snapshot | null;
  derived: Derived | null;
  /** Events produced by this poll only. */
  events: MonitorEvent[];
  /** The error of this poll, when it failed (one line). */
  error: string | null;
}

/** Names of the instance-level history series every monitor keeps. */
export type SeriesName = 'rps' | 'avgRtMs' | 'busyWorkers' | 'listenQueue' | 'txps' | 'eps';

/** A read-only window on a fixed-size history series; null marks a gap (failed poll). */
export interface SeriesView {
  /** Values oldest first, at most `capacity` of them. */
  values(): Array<number | null>;
  /** Wall-clock epoch ms of each value, same order. */
  times(): number[];
  readonly capacity: number;
}

/**
 * One live target: its poller, derived values, history and event log. Created once per target and shared by
 * every consumer, so the number of reads depends only on the interval, never on how many views watch.
 */
export interface TargetMonitor {
  readonly target: string;
  /** The most recent update, null before the first poll ends. */
  latest(): TargetUpdate | null;
  /** Subscribe to updates (one per poll); returns the unsubscribe function. */
  subscribe(listener: (update: TargetUpdate) => void): () => void;
  /** An instance-level history series. */
  history(name: SeriesName): SeriesView;
  /** The bounded event log, oldest first. */
  events(): readonly MonitorEvent[];
  /** Record an event that did not come from the stats (e.g. a FIFO command and its verified result). */
  addEvent(event: MonitorEvent): void;
  /** Ask for a read as soon as the one in flight (if any) ends. */
  refresh(): void;
  readonly intervalMs: number;
  /** Change the poll interval (floor 100 ms). */
  setIntervalMs(ms: number): void;
  /** Stop polling; no timer or socket is left behind. */
  stop(): void;
}

/** Why a worker most likely respawned, as told by consecutive snapshots ('died' = killed or crashed). */
export type RespawnCause = 'harakiri' | 'max-requests' | 'chain-reload' | 'died';

/**
 * Chain reload progress carried across polls by the monitor (a chain reload replaces workers one at a time,
 * so two snapshots alone cannot tell "worker k of N"). Bounded: at most one entry per worker slot.
 */
export interface ChainReloadState {
  /** Slots replaced since the first replacement of the current run. */
  replacedSlots: number[];
  /** Monotonic ms of the latest replacement; a run with no replacement for `chainTimeoutMs` is forgotten. */
  lastReplacementMs: number;
}

/** Options of detectEvents. */
export interface EventOptions {
  /** Share of a socket's max_queue at or above which 'listen-queue-high' fires (default 0.8). */
  listenQueueThreshold?: number;
  /** The instance's --max-requests when known: a worker that served that many before respawning hit it. */
  maxRequests?: number;
  /** Without maxRequests: a worker that served at least this many requests in its life before respawning (and no harakiri) is reported as a likely max-requests recycle (default 1000). */
  highDeltaRequests?: number;
  /** The previous poll's derived values, so 'exceptions-rising' compares this interval with the one before. */
  previousDerived?: Derived | null;
  /** Chain reload tracking, owned by the caller and updated in place. */
  chain?: ChainReloadState;
  /** A chain run with no replacement for this long is forgotten (default 60000 ms). */
  chainTimeoutMs?: number;
  /**
   * Vassals seen gone, by id, owned by the caller and updated in place: the Emperor drops a dying vassal from
   * its list and adds it back when respawned, so its return is a respawn, not a new vassal. Bounded.
   */
  goneVassals?: Map<string, { pid: number; atMs: number }>;
  /**
   * The last 'exceptions-rising' alert, owned by the caller and updated in place: sporadic exceptions would
   * otherwise raise one every other poll and bury every other event. Without it, every rise is reported.
   */
  exceptionAlert?: { atMs: number; eps: number };
  /** With exceptionAlert: no new alert within this time unless the rate doubled again (default 60000 ms). */
  exceptionQuietMs?: number;
}
