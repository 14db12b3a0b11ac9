/** The live monitor of one target: one Poller feeding the pure MonitorCore, fanned out to every subscriber. */
import type { Snapshot } from '../stats/snapshot.js';
import type { MonitorEvent } from '../metrics/types.js';
import type { SeriesName, SeriesView } from '../metrics/series.js';
import type { TargetMonitor, TargetUpdate } from './types.js';
import { Poller, type PollResult } from './poller.js';
import { MonitorCore, type MonitorCoreOptions } from './monitor-core.js';
import { Listeners } from './listeners.js';
import { nextEvent } from '../core/next-event.js';

export interface MonitorOptions extends MonitorCoreOptions {
  /** Poll interval (default 1000, floor 100). */
  intervalMs?: number;
  /** Start polling at once (default true). */
  start?: boolean;
  /** Back-off cap after failures (default min(30 s, 10 intervals)). */
  maxBackoffMs?: number;
  /** Data older than this many intervals is stale (default 3). */
  staleAfterIntervals?: number;
  /** A read running longer than this is aborted (default 10000 ms). */
  readTimeoutMs?: number;
  /** Wall clock, epoch ms (tests). */
  now?: () => number;
  /** Told of each command this tool is about to write to the target's master FIFO (the flight recorder keeps them). */
  onCommand?: (command: string) => void;
}

/** A TargetMonitor that can also be started later (when created with start: false). */
export interface ControllableMonitor extends TargetMonitor {
  /** Start (or restart after stop) polling. */
  start(): void;
  /** Number of reads started (diagnostics, tests). */
  readonly reads: number;
  /**
   * The next read's snapshot, through this monitor's own poller (started now, or the one in flight): FIFO
   * verification reads here, so a target never has two requests in flight and --timeout and --max-bytes hold.
   * Rejects with the read's error, or after `timeoutMs` without a result.
   */
  readNow(timeoutMs: number): Promise<Snapshot>;
}

/** Create the live monitor for one target (poller + derive + history + events), see TargetMonitor in types.ts. */
export function createMonitor(
  target: string,
  fetch: (signal: AbortSignal) => Promise<Snapshot>,
  options: MonitorOptions = {},
): ControllableMonitor {
  const core = new MonitorCore(target, options);
  const poller = new Poller(fetch, {
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
    ...(options.staleAfterIntervals !== undefined ? { staleAfterIntervals: options.staleAfterIntervals } : {}),
    ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const listeners = new Listeners<TargetUpdate>();
  const publish = (update: TargetUpdate): void => listeners.emit(update);

  poller.onResult((r: PollResult) => {
    const update = r.ok
      ? core.ingestSnapshot(r.snapshot, r.seq)
      : core.ingestFailure(r.error, r.seq, r.atMs, r.nextRetryAtMs);
    publish(update);
  });
  poller.onState((state) => {
    const update = core.ingestState(state);
    if (update !== null) publish(update);
  });

  // A stop ends the reads readNow waits for at once, or their timers (up to a command's whole timeout) would
  // keep the process alive after the dashboard quit.
  let stopping = new AbortController();
  const monitor: ControllableMonitor = {
    target,
    latest: () => core.latest(),
    subscribe: (listener) => listeners.add(listener),
    history: (name: SeriesName): SeriesView => core.history(name),
    events: () => core.events(),
    addEvent: (event: MonitorEvent) => core.addEvent(event),
    expectCommand(command: string) {
      options.onCommand?.(command);
      core.expectCommand(command, performance.now());
    },
    refresh: () => poller.refresh(),
    get intervalMs() {
      return poller.intervalMs;
    },
    setIntervalMs: (ms: number) => poller.setIntervalMs(ms),
    stop: () => {
      poller.stop();
      stopping.abort();
    },
    start: () => {
      if (stopping.signal.aborted) stopping = new AbortController();
      poller.start();
    },
    get reads() {
      return poller.reads;
    },
    async readNow(timeoutMs: number) {
      if (!poller.active) throw new Error(`${target}: not polling`);
      const stopped = stopping.signal;
      const result = nextEvent<PollResult>((listener) => poller.onResult(listener), { timeoutMs, signal: stopped });
      poller.refresh();
      const r = await result;
      if (r === null) throw new Error(stopped.aborted ? `${target}: monitoring stopped` : `${target}: no read ended within ${timeoutMs / 1000} s`);
      if (r.ok) return r.snapshot;
      throw r.cause instanceof Error ? r.cause : new Error(r.error);
    },
  };
  if (options.start !== false) poller.start();
  return monitor;
}
