/**
 * Derived values and events: what src/metrics produces from consecutive snapshots and what every consumer
 * (dashboard, reports, NDJSON, relay) reads. The live monitor's contract is src/monitor/types.ts.
 * Rates are per second over the monotonic clock; null means "no rate yet" (first sample, reset, gap).
 */
import type { MetricType } from '../stats/snapshot.js';
import type { FoldSpec } from './event-fold.js';

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
  /** CPU used over the interval, percent of one core (utime + stime from /proc); null when not known. */
  cpuPct?: number | null;
  /** Mean response time of the requests finished in the interval (Δrunning_time / Δrequests), µs; null when none finished. */
  intervalAvgRtUs?: number | null;
  /** Resident memory from uWSGI (--memory-report) or else from /proc; null when neither says. */
  rssBytes?: number | null;
  vszBytes?: number | null;
  /** Where rssBytes and vszBytes come from. */
  memoryFrom?: 'uwsgi' | 'os' | null;
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
  /** uWSGI's running average (avg_rt) weighted by requests over workers that served any, µs; null when none did. */
  avgRtUs: number | null;
  /** Mean response time of the requests finished in the last interval (Δrunning_time / Δrequests), µs; null when none finished. */
  intervalAvgRtUs?: number | null;
  /** CPU of the workers and the master over the interval, percent of one core (/proc); null when not local. */
  cpuPct?: number | null;
  /** The master's own CPU over the interval, percent of one core. */
  masterCpuPct?: number | null;
  masterRssBytes?: number | null;
  /** Where the OS figures come from ('local: /proc/PID/stat') or why there are none ('not local: ...'); null for a saved document. */
  osNote?: string | null;
  /** Seconds since the master started (local masters, from /proc) or else since the oldest worker spawn; null when unknown. */
  uptimeSeconds: number | null;
  /**
   * What uptimeSeconds measures: 'master' the master's own start, 'workers' only the oldest running worker's age
   * (a chain reload resets it), 'saved' a saved document's oldest worker spawn (its age against now means nothing).
   */
  uptimeFrom?: 'master' | 'workers' | 'saved';
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
  | 'command'
  /** The document needed a repair (invalid JSON from uWSGI) or its address a better spelling (http:// for --stats-http). */
  | 'document-warning'
  /** An --attach-daemon child got a new pid (or stopped). */
  | 'daemon-respawned'
  /** A worker slot respawning again and again without serving (its start, a reminder, its end). */
  | 'worker-crash-loop'
  /** A relay client dropped a message that failed the protocol's schema. */
  | 'relay-message-dropped'
  /** What a local master's command line (or its ini) says: master FIFO, tracebacker, stats socket. */
  | 'discovered';

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
  /** Structured details (worker slot, pids, cause...); a folded event carries foldKey, foldCount, foldTimes, foldFirstAtMs, foldLastAtMs. */
  data?: Record<string, string | number | boolean | null>;
  /** Set by a detector for a condition that folds (src/metrics/event-fold.ts); gone once the event is logged. */
  fold?: FoldSpec;
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
  /** This tool wrote the `c` itself (monotonic ms): every respawn from then on is the chain reload's, from the first. */
  announcedAtMs?: number;
}

/** Options of detectEvents: thresholds and what the user told us, never changed by it. */
export interface EventOptions {
  /** Share of a socket's max_queue at or above which 'listen-queue-high' fires (default 0.8). */
  listenQueueThreshold?: number;
  /** The instance's --max-requests when known: a worker that served that many before respawning hit it. */
  maxRequests?: number;
  /** Without maxRequests: a worker that served at least this many requests in its life before respawning (and no harakiri) is reported as a likely max-requests recycle (default 1000). */
  highDeltaRequests?: number;
  /** A chain run with no replacement for this long is forgotten (default 60000 ms). */
  chainTimeoutMs?: number;
  /** No longer used: every exception is counted, in an event that folds (src/metrics/event-fold.ts). Kept for callers that pass it. */
  exceptionQuietMs?: number;
  /** Respawns without a request served, within crashLoopWindowMs, that make a crash loop (default 3 in 10000 ms). */
  crashLoopRespawns?: number;
  crashLoopWindowMs?: number;
}

/**
 * What detectEvents remembers across polls of one target, owned by the caller and updated in place (all of
 * it bounded). A part left out turns off what it tracks.
 */
export interface EventMemory {
  /** The previous poll's derived values, so 'exceptions-rising' compares this interval with the one before. */
  previousDerived?: Derived | null;
  /** Chain reload tracking. */
  chain?: ChainReloadState;
  /**
   * Vassals seen gone, by id: the Emperor drops a dying vassal from its list and adds it back when
   * respawned, so its return is a respawn, not a new vassal.
   */
  goneVassals?: Map<string, { pid: number; atMs: number }>;
  /**
   * The last 'exceptions-rising' alert: sporadic exceptions would otherwise raise one every other poll and
   * bury every other event. Without it, every rise is reported.
   */
  exceptionAlert?: { atMs: number; eps: number };
  /** Crash-loop tracking per worker slot (respawn times within the window, the loop's start and count). */
  crashLoops?: Map<number, CrashLoopState>;
}

/** One slot's recent respawns and, once it is recognised, its crash loop. */
export interface CrashLoopState {
  /** Monotonic ms of each respawn without a request served, within the window. */
  times: number[];
  /** When the loop began (its first counted respawn), null while it is not one. */
  sinceMs: number | null;
  /** Respawns since the loop began. */
  total: number;
  remindedAtMs: number;
}
