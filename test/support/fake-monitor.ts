/**
 * The one hand-driven TargetMonitor of the tests. push()/pushRaw()/fail() go through the real MonitorCore
 * (so derived values, history and events are the real ones); emit()/emitVarying() publish a snapshot with
 * history values chosen by the test, as a relay's pushed feed would.
 */
import { BoundedLog, HistorySeries } from '../../src/metrics/history.js';
import { SERIES_NAMES, type SeriesName, type SeriesView } from '../../src/metrics/series.js';
import type { MonitorEvent } from '../../src/metrics/types.js';
import { Listeners } from '../../src/monitor/listeners.js';
import { MonitorCore } from '../../src/monitor/monitor-core.js';
import type { TargetMonitor, TargetUpdate } from '../../src/monitor/types.js';
import { decodeSnapshot } from '../../src/stats/document.js';
import type { Snapshot } from '../../src/stats/snapshot.js';
import { SAMPLE_EPOCH_MS } from './samples.js';

/** Decode raw body bytes as read `offsetMs` after the sample epoch. */
export function decodeBody(body: Buffer | string, offsetMs: number, target: string): Snapshot {
  return decodeSnapshot(Buffer.isBuffer(body) ? body : Buffer.from(body), {
    target,
    readAtMs: SAMPLE_EPOCH_MS + offsetMs,
    monotonicMs: offsetMs,
    durationMs: 1,
  });
}

/** Decode a JSON document as read `offsetMs` after the sample epoch. */
export function decodeDoc(doc: unknown, offsetMs: number, target: string): Snapshot {
  return decodeBody(JSON.stringify(doc), offsetMs, target);
}

/** A TargetMonitor driven by the test: push documents, failures or hand-made updates; see what was asked of it. */
export class FakeMonitor implements TargetMonitor {
  readonly core: MonitorCore;
  private readonly listeners = new Listeners<TargetUpdate>();
  /** History set by hand (emit), once the test publishes that way; until then the core's. */
  private handSeries: Map<SeriesName, HistorySeries> | null = null;
  private handUpdate: TargetUpdate | null = null;
  private readonly handLog = new BoundedLog<MonitorEvent>(100);
  seq = 0;
  intervalMs = 1000;
  refreshes = 0;
  intervalChanges: number[] = [];
  stopped = false;

  constructor(readonly target: string) {
    this.core = new MonitorCore(target);
  }

  /** Publish a successful poll of `doc` read `offsetMs` after the sample epoch. */
  push(doc: unknown, offsetMs: number): TargetUpdate {
    return this.publish(this.core.ingestSnapshot(decodeDoc(doc, offsetMs, this.target), ++this.seq));
  }

  /** Publish a successful poll of a snapshot the test built (e.g. with /proc figures added). */
  pushSnapshot(snapshot: Snapshot): TargetUpdate {
    return this.publish(this.core.ingestSnapshot(snapshot, ++this.seq));
  }

  /** Publish a successful poll of raw bytes. */
  pushRaw(body: Buffer | string, offsetMs: number): TargetUpdate {
    return this.publish(this.core.ingestSnapshot(decodeBody(body, offsetMs, this.target), ++this.seq));
  }

  /** Publish a failed poll. */
  fail(error: string, atMs: number, nextRetryAtMs: number | null): TargetUpdate {
    return this.publish(this.core.ingestFailure(error, ++this.seq, atMs, nextRetryAtMs));
  }

  /** Publish a live update of `snapshot` as a relay would push it, with `rps` appended to the history (others 0). */
  emit(snapshot: Snapshot, rps: number | null = null, events: MonitorEvent[] = []): TargetUpdate {
    for (const [name, series] of this.hand()) series.push(name === 'rps' ? rps : 0, snapshot.readAtMs);
    for (const e of events) this.handLog.push(e);
    return this.publishByHand({ target: this.target, seq: ++this.seq, state: { state: 'live' }, snapshot, derived: null, events, error: null });
  }

  /** Publish a poll where series number k gains `base + k`, so every chart's value changes, as under real traffic. */
  emitVarying(snapshot: Snapshot, base: number): TargetUpdate {
    let k = 0;
    for (const s of this.hand().values()) s.push(base + k++, snapshot.readAtMs);
    return this.publishByHand({ target: this.target, seq: ++this.seq, state: { state: 'live' }, snapshot, derived: null, events: [], error: null });
  }

  private hand(): Map<SeriesName, HistorySeries> {
    if (this.handSeries === null) this.handSeries = new Map(SERIES_NAMES.map((n) => [n, new HistorySeries(100)]));
    return this.handSeries;
  }

  private publishByHand(u: TargetUpdate): TargetUpdate {
    this.handUpdate = u;
    return this.publish(u);
  }

  private publish(u: TargetUpdate): TargetUpdate {
    if (u !== this.handUpdate) this.handUpdate = null;
    this.listeners.emit(u);
    return u;
  }

  latest(): TargetUpdate | null {
    return this.handUpdate ?? this.core.latest();
  }
  subscribe(listener: (update: TargetUpdate) => void): () => void {
    return this.listeners.add(listener);
  }
  get subscribers(): number {
    return this.listeners.size;
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  history(name: SeriesName): SeriesView {
    return this.handSeries?.get(name) ?? this.core.history(name);
  }
  events(): readonly MonitorEvent[] {
    return this.handSeries === null ? this.core.events() : this.handLog.toArray();
  }
  addEvent(event: MonitorEvent): void {
    if (this.handSeries === null) this.core.addEvent(event);
    else this.handLog.push(event);
  }
  refresh(): void {
    this.refreshes++;
  }
  setIntervalMs(ms: number): void {
    this.intervalMs = Math.max(100, ms);
    this.intervalChanges.push(ms);
  }
  /** Stopping a fake only records it: the test goes on publishing to whoever still listens. */
  stop(): void {
    this.stopped = true;
  }
}
