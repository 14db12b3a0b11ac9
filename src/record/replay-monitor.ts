/**
 * A recording played back as a TargetMonitor: the recorded polls fed, in order, to the same MonitorCore the
 * live monitor uses, so every view, rate and event is derived exactly as it was live. Moving back in time
 * rebuilds the state from a warm-up window before the new position (the history's length).
 */
import type { MonitorEvent } from '../metrics/types.js';
import type { SeriesName, SeriesView } from '../metrics/series.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { MonitorCore } from '../monitor/monitor-core.js';
import { Listeners } from '../monitor/listeners.js';
import { snapshotOf } from '../stats/document.js';
import type { Snapshot } from '../stats/snapshot.js';
import { errorLine } from '../monitor/poller.js';
import { maskSnapshot } from '../stats/secrets.js';
import type { Recording } from './reader.js';

/** Polls replayed before a position reached by jumping back: the history panes' length. */
const WARMUP_POLLS = 600;

export interface ReplayMonitorOptions {
  /** The name shown (the recorded target, made unique when two recordings share one). */
  name?: string;
  listenQueueThreshold?: number;
  maxRequests?: number;
  /** Keep request secrets a recording made with --show-secrets holds (masked otherwise, as live). */
  showSecrets?: boolean;
}

/** One recording replayed; `seek` moves it to a recorded time (see the module comment). */
export class ReplayMonitor implements TargetMonitor {
  readonly target: string;
  private core: MonitorCore;
  /** Index of the last poll fed to the core (-1: none yet). */
  private fed = -1;
  private readonly listeners = new Listeners<TargetUpdate>();
  private readonly notes: MonitorEvent[] = [];

  constructor(readonly recording: Recording, private readonly options: ReplayMonitorOptions = {}) {
    this.target = options.name ?? recording.target;
    this.core = this.newCore();
  }

  private newCore(): MonitorCore {
    return new MonitorCore(this.target, {
      ...(this.options.listenQueueThreshold !== undefined ? { listenQueueThreshold: this.options.listenQueueThreshold } : {}),
      ...(this.options.maxRequests !== undefined ? { maxRequests: this.options.maxRequests } : {}),
    });
  }

  /** The index of the last poll shown (-1 before the first). */
  get position(): number {
    return this.fed;
  }

  /** The Snapshot of poll i, decoded from the recorded document as a live read would have been. */
  snapshotAt(i: number): Snapshot | null {
    const poll = this.recording.polls[i]!;
    const doc = this.recording.documentAt(i);
    if (!poll.ok || doc === undefined) return null;
    const snap = snapshotOf(doc, [...poll.repairs], poll.bytes, { target: this.target, readAtMs: poll.t, monotonicMs: poll.mono, durationMs: poll.durationMs });
    return this.options.showSecrets === true ? snap : maskSnapshot(snap);
  }

  /** Feed poll i to the core; returns its update. */
  private feed(i: number): TargetUpdate {
    const poll = this.recording.polls[i]!;
    // Written before this poll was read, after the previous one: announced as live, at the previous poll's time.
    for (const command of poll.commands) this.core.expectCommand(command, this.recording.polls[i - 1]?.mono ?? poll.mono);
    this.fed = i;
    if (!poll.ok) return this.core.ingestFailure(poll.error ?? 'read failed', i + 1, poll.t, null);
    try {
      const snap = this.snapshotAt(i);
      if (snap !== null) return this.core.ingestSnapshot(snap, i + 1);
    } catch (err) {
      return this.core.ingestFailure(`recorded document unreadable: ${errorLine(err)}`, i + 1, poll.t, null);
    }
    return this.core.ingestFailure('no document recorded', i + 1, poll.t, null);
  }

  /** Show the last poll at or before `atMs`; returns the updates of the polls passed (oldest first, at most one when jumping). */
  seek(atMs: number): TargetUpdate[] {
    const target = this.recording.pollAt(atMs);
    if (target === this.fed) return [];
    const out: TargetUpdate[] = [];
    if (target < this.fed || target - this.fed > WARMUP_POLLS) {
      this.core = this.newCore();
      for (const note of this.notes) this.core.addEvent(note);
      this.fed = -1;
      if (target < 0) return [];
      for (let i = Math.max(0, target - WARMUP_POLLS); i < target; i++) this.feed(i);
      out.push(this.feed(target));
    } else {
      for (let i = this.fed + 1; i <= target; i++) out.push(this.feed(i));
    }
    for (const u of out) this.listeners.emit(u);
    return out;
  }

  latest(): TargetUpdate | null {
    return this.core.latest();
  }

  subscribe(listener: (update: TargetUpdate) => void): () => void {
    return this.listeners.add(listener);
  }

  history(name: SeriesName): SeriesView {
    return this.core.history(name);
  }

  events(): readonly MonitorEvent[] {
    return this.core.events();
  }

  addEvent(event: MonitorEvent): void {
    this.notes.push(event);
    this.core.addEvent(event);
  }

  refresh(): void {
    // A recording is not read again.
  }

  get intervalMs(): number {
    return this.recording.header.intervalMs;
  }

  setIntervalMs(): void {
    // The recorded interval is what it was.
  }

  stop(): void {
    this.listeners.clear();
  }
}
