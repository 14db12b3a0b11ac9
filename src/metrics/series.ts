/**
 * The instance-level history series every monitor keeps: one declaration that the monitors, the relay
 * protocol and its client all read, so a series added here reaches every side.
 */
/** Every history series a monitor keeps, in the order the page draws them. */
export const SERIES_NAMES = ['rps', 'avgRtMs', 'busyWorkers', 'listenQueue', 'txps', 'eps'] as const;

/** Names of the instance-level history series every monitor keeps. */
export type SeriesName = (typeof SERIES_NAMES)[number];

/** One point's value; null marks a gap (a failed poll). */
export type SeriesValue = number | null;

/** The points of one series, oldest first: values and the wall-clock epoch ms of each, parallel arrays. */
export interface SeriesData {
  values: readonly SeriesValue[];
  times: readonly number[];
}

/** A read-only window on a fixed-size history series; null marks a gap (failed poll). */
export interface SeriesView {
  /** Values oldest first, at most `capacity` of them. */
  values(): SeriesValue[];
  /** Wall-clock epoch ms of each value, same order. */
  times(): number[];
  readonly capacity: number;
}

/** A copy of a series' points as they stand now (a frozen display keeps it while the series moves on). */
export function seriesData(series: SeriesView): SeriesData {
  return { values: [...series.values()], times: [...series.times()] };
}
