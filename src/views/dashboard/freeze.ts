/**
 * `z`: a copy of what every target shows at the moment of freezing (latest update, event log, history), so
 * the screen holds still while polling and the event log go on underneath.
 */
import type { MonitorEvent } from '../../metrics/types.js';
import { SERIES_NAMES, seriesData, type SeriesData, type SeriesName } from '../../metrics/series.js';
import type { TargetMonitor, TargetUpdate } from '../../monitor/types.js';

/** One target as it was when frozen. */
export interface Frozen {
  update: TargetUpdate | null;
  events: readonly MonitorEvent[];
  series: Map<SeriesName, SeriesData>;
}

/** The frozen copies, by target; empty while the display is live. */
export class Freezer {
  private readonly copies = new Map<string, Frozen>();

  /** Copy what every monitor shows now. */
  freeze(monitors: readonly TargetMonitor[]): void {
    for (const m of monitors) {
      const series = new Map<SeriesName, SeriesData>();
      for (const name of SERIES_NAMES) {
        series.set(name, seriesData(m.history(name)));
      }
      this.copies.set(m.target, { update: m.latest(), events: [...m.events()], series });
    }
  }

  /** Back to live: the copies are dropped. */
  thaw(): void {
    this.copies.clear();
  }

  /** The frozen copy of `target`, undefined when live (or never frozen). */
  of(target: string): Frozen | undefined {
    return this.copies.get(target);
  }
}
