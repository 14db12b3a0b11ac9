/**
 * A TargetMonitor whose updates are pushed in rather than polled (a relay's feed, a test's hand): the
 * latest update, its listeners, the history series and the event log, kept as a local monitor keeps them.
 */
import { BoundedLog, HistorySeries } from '../metrics/history.js';
import type { MonitorEvent } from '../metrics/types.js';
import { SERIES_NAMES, type SeriesName, type SeriesView } from '../metrics/series.js';
import { Listeners } from './listeners.js';
import type { TargetMonitor, TargetUpdate } from './types.js';

export class PushedMonitor implements TargetMonitor {
  protected current: TargetUpdate | null = null;
  protected readonly listeners = new Listeners<TargetUpdate>();
  protected readonly series = new Map<SeriesName, HistorySeries>();
  protected log: BoundedLog<MonitorEvent>;
  protected interval = 1000;

  constructor(
    readonly target: string,
    historySize: number,
    eventLogSize: number,
  ) {
    for (const name of SERIES_NAMES) this.series.set(name, new HistorySeries(historySize));
    this.log = new BoundedLog<MonitorEvent>(eventLogSize);
  }

  get intervalMs(): number {
    return this.interval;
  }

  latest(): TargetUpdate | null {
    return this.current;
  }

  subscribe(listener: (update: TargetUpdate) => void): () => void {
    return this.listeners.add(listener);
  }

  history(name: SeriesName): SeriesView {
    return this.series.get(name)!;
  }

  events(): readonly MonitorEvent[] {
    return this.log.toArray();
  }

  addEvent(event: MonitorEvent): void {
    this.log.push(event);
  }

  /** Whoever pushes the updates decides when to read: a view asking cannot cause a read. */
  refresh(): void {}

  /** Whoever pushes the updates owns the interval; kept for the interface. */
  setIntervalMs(): void {}

  stop(): void {
    this.listeners.clear();
  }

  /** Make `update` the latest and hand it to every listener; one listener's bug does not keep it from the others. */
  protected publish(update: TargetUpdate): void {
    this.current = update;
    this.listeners.emit(update);
  }
}
