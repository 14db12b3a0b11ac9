/**
 * The monitor's pure path, without timers or I/O: feed it poll outcomes, it keeps the previous snapshot,
 * derives rates, records history and events, and builds the TargetUpdate every consumer reads.
 * createMonitor wires it to a Poller; benchmarks and tests drive it directly.
 */
import { fmtMillis } from '../core/units.js';
import type { Snapshot } from '../stats/snapshot.js';
import type { Derived, EventOptions, MonitorEvent } from '../metrics/types.js';
import { SERIES_NAMES, type SeriesName, type SeriesView } from '../metrics/series.js';
import type { TargetState, TargetUpdate } from './types.js';
import { derive } from '../metrics/derive.js';
import { createEventMemory, detectEvents } from '../metrics/events.js';
import { BoundedLog, HistorySeries } from '../metrics/history.js';
import { EventFolder } from '../metrics/event-fold.js';
import { settleUptime, type MasterStart } from '../metrics/uptime.js';
import { escapeControls } from '../core/safe-text.js';
import { effectiveDocument } from '../metrics/kernel-queue.js';

export interface MonitorCoreOptions {
  /** Values kept per history series (default 600). */
  historySize?: number;
  /** Events kept in the log (default 1000). */
  eventLogSize?: number;
  /** Share of max_queue that raises 'listen-queue-high' (default 0.8). */
  listenQueueThreshold?: number;
  /** The instance's --max-requests when the user told us, to name max-requests respawns for sure. */
  maxRequests?: number;
  /** The master's start time by pid (local masters, from /proc): "up" is then the master's own uptime. */
  masterStart?: MasterStart;
  /** The target is a saved document (file:, -): its workers' age against now means nothing. */
  saved?: boolean;
}

/** State, history and event log of one target, updated one poll outcome at a time. */
export class MonitorCore {
  private readonly series = new Map<SeriesName, HistorySeries>();
  private readonly log: BoundedLog<MonitorEvent>;
  private prev: Snapshot | null = null;
  /** What event detection carries from one poll to the next. */
  private readonly memory = createEventMemory();
  private latestUpdate: TargetUpdate | null = null;
  private down = false;
  private downSinceMs: number | null = null;
  private everUp = false;
  /** The oldest worker spawn seen in this master's life: a chain reload respawns every worker, not the master. */
  private life: { masterPid: number; oldestSpawn: number } | null = null;

  constructor(
    readonly target: string,
    private readonly options: MonitorCoreOptions = {},
  ) {
    const size = options.historySize ?? 600;
    for (const name of SERIES_NAMES) this.series.set(name, new HistorySeries(size));
    this.log = new BoundedLog<MonitorEvent>(options.eventLogSize ?? 1000);
    this.folder = new EventFolder(this.log);
  }

  /** Logs events, folding a condition that persists into one event. */
  private readonly folder: EventFolder;

  /** A successful read: derive, detect events, record history; returns the update to publish. */
  ingestSnapshot(snapshot: Snapshot, seq: number): TargetUpdate {
    let derived: Derived;
    try {
      derived = derive(this.prev, snapshot);
    } catch (err) {
      // A snapshot that did not come through our decoder (a relay's) can be malformed: a failed read, not a crash.
      return this.ingestFailure(`unusable document: ${escapeControls(err instanceof Error ? err.message : String(err))}`, seq, snapshot.readAtMs, null);
    }
    this.keepUptimeAcrossReloads(snapshot, derived);
    const events: MonitorEvent[] = [];
    if (this.down) {
      const gone = this.downSinceMs !== null ? ` after ${fmtMillis(snapshot.readAtMs - this.downSinceMs)}` : '';
      events.push({
        atMs: snapshot.readAtMs,
        target: this.target,
        type: 'target-up',
        severity: 'info',
        message: this.everUp ? `target back up${gone}` : `target up${gone}`,
      });
    }
    // A repair or an address warning is news when it first appears, not on every poll that repeats it.
    const before = new Set(this.prev === null ? [] : [...this.prev.repairs, ...this.prev.warnings]);
    for (const [kind, texts] of [['repaired', snapshot.repairs], ['warning', snapshot.warnings]] as const) {
      for (const text of texts.slice(0, 5)) {
        if (before.has(text)) continue;
        events.push({ atMs: snapshot.readAtMs, target: this.target, type: 'document-warning', severity: 'warn', message: `${kind}: ${text}` });
      }
    }
    const eventOptions: EventOptions = {
      ...(this.options.listenQueueThreshold !== undefined ? { listenQueueThreshold: this.options.listenQueueThreshold } : {}),
      ...(this.options.maxRequests !== undefined ? { maxRequests: this.options.maxRequests } : {}),
    };
    for (const ev of detectEvents(this.prev, snapshot, derived, eventOptions, this.memory)) events.push(ev);
    // A new life of the instance starts every condition over.
    if (derived.restarted) this.folder.reset();
    for (let i = 0; i < events.length; i++) events[i] = this.folder.add(events[i]!);
    this.pushHistory(snapshot, derived);
    this.prev = snapshot;
    this.memory.previousDerived = derived;
    this.down = false;
    this.downSinceMs = null;
    this.everUp = true;
    const update: TargetUpdate = { target: this.target, seq, state: { state: 'live' }, snapshot, derived, events, error: null };
    this.latestUpdate = update;
    return update;
  }

  /** Uptime from the oldest spawn seen since this master started, so replacing every worker does not reset it. */
  private keepUptimeAcrossReloads(snapshot: Snapshot, derived: Derived): void {
    const inst = derived.instance;
    if (snapshot.kind === 'instance' && inst !== null && inst.uptimeSeconds !== null) {
      const spawn = snapshot.readAtMs / 1000 - inst.uptimeSeconds;
      if (this.life === null || this.life.masterPid !== snapshot.doc.pid || derived.restarted) {
        this.life = { masterPid: snapshot.doc.pid, oldestSpawn: spawn };
      } else if (spawn < this.life.oldestSpawn) {
        this.life.oldestSpawn = spawn;
      }
      inst.uptimeSeconds = Math.max(0, snapshot.readAtMs / 1000 - this.life.oldestSpawn);
    }
    const startOf = this.options.masterStart;
    settleUptime(snapshot, derived, startOf === undefined ? undefined : (pid) => this.masterStartOf(pid, startOf), this.options.saved === true);
  }

  /** The master's start, read once per master pid (a restart brings a new pid). */
  private masterStartOf(pid: number, startOf: MasterStart): number | null {
    if (this.startCache?.pid !== pid) this.startCache = { pid, start: startOf(pid) };
    return this.startCache.start;
  }
  private startCache: { pid: number; start: number | null } | null = null;

  /** A failed read: a gap in every series, a 'target-down' event on the first failure of a streak. */
  ingestFailure(error: string, seq: number, atMs: number, nextRetryAtMs: number | null): TargetUpdate {
    const events: MonitorEvent[] = [];
    if (!this.down) {
      this.down = true;
      this.downSinceMs = atMs;
      events.push({
        atMs,
        target: this.target,
        type: 'target-down',
        severity: 'error',
        message: `target down: ${error}`,
        data: { error },
      });
      for (const ev of events) this.log.push(ev);
    }
    for (const s of this.series.values()) s.push(null, atMs);
    // The previous-interval rates no longer describe the interval before the next good read.
    this.memory.previousDerived = null;
    const state: TargetState = { state: 'down', error, sinceMs: this.downSinceMs ?? atMs, nextRetryAtMs };
    const update: TargetUpdate = {
      target: this.target,
      seq,
      state,
      snapshot: this.prev,
      derived: this.latestUpdate?.derived ?? null,
      events,
      error,
    };
    this.latestUpdate = update;
    return update;
  }

  /** A state change between polls (stale): same seq, no new events. */
  ingestState(state: TargetState): TargetUpdate | null {
    if (this.latestUpdate === null) return null;
    const update: TargetUpdate = { ...this.latestUpdate, state, events: [] };
    this.latestUpdate = update;
    return update;
  }

  latest(): TargetUpdate | null {
    return this.latestUpdate;
  }

  history(name: SeriesName): SeriesView {
    const s = this.series.get(name);
    if (s === undefined) throw new RangeError(`unknown history series: ${String(name)}`);
    return s;
  }

  events(): readonly MonitorEvent[] {
    return this.log.toArray();
  }

  /** This tool is about to write `command` to the master FIFO: a chain reload's respawns are its own from the first. */
  expectCommand(command: string, monotonicMs: number): void {
    if (command !== 'chain-reload' || !this.memory.chain) return;
    this.memory.chain.replacedSlots.length = 0;
    this.memory.chain.announcedAtMs = monotonicMs;
  }

  addEvent(event: MonitorEvent): void {
    this.folder.add(event);
  }

  private pushHistory(snapshot: Snapshot, derived: Derived): void {
    const at = snapshot.readAtMs;
    const inst = derived.instance;
    const put = (name: SeriesName, v: number | null): void => this.series.get(name)!.push(v, at);
    if (snapshot.kind === 'instance' && inst !== null) {
      put('rps', inst.rps);
      // The mean of the interval's finished requests: uWSGI's running average lags and smooths what a graph should show.
      put('avgRtMs', inst.intervalAvgRtUs == null ? null : inst.intervalAvgRtUs / 1000);
      put('busyWorkers', inst.busy);
      put('listenQueue', effectiveDocument(snapshot).listenQueue);
      put('txps', inst.txps);
      put('eps', inst.eps);
      return;
    }
    // Routers: requests per second summed over subscription nodes; the rest has no meaning there.
    let rps: number | null = null;
    for (const n of derived.nodes) if (n.rps !== null) rps = (rps ?? 0) + n.rps;
    put('rps', snapshot.kind === 'router' ? rps : null);
    for (const name of SERIES_NAMES) if (name !== 'rps') put(name, null);
  }
}
