/**
 * The live monitor's contract: a target's connection state, the update published after every poll, and the
 * monitor every consumer (dashboard, NDJSON, relay) subscribes to.
 */
import type { Snapshot } from '../stats/snapshot.js';
import type { Derived, MonitorEvent } from '../metrics/types.js';
import type { SeriesName, SeriesView } from '../metrics/series.js';

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
  /** This tool is about to write a FIFO command (a chain reload's respawns are then its own from the first); optional. */
  expectCommand?(command: string): void;
  /** Ask for a read as soon as the one in flight (if any) ends. */
  refresh(): void;
  readonly intervalMs: number;
  /** Change the poll interval (floor 100 ms). */
  setIntervalMs(ms: number): void;
  /** Stop polling; no timer or socket is left behind. */
  stop(): void;
}
