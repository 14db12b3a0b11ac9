/**
 * The instance-level history series every monitor keeps: one declaration that the monitors, the relay
 * protocol and its client all read, so a series added here reaches every side.
 */
/** Every history series a monitor keeps, in the order the page draws them. */
export const SERIES_NAMES = ['rps', 'avgRtMs', 'busyWorkers', 'listenQueue', 'txps', 'eps'] as const;

/** Names of the instance-level history series every monitor keeps. */
export type SeriesName = (typeof SERIES_NAMES)[number];

/** A read-only window on a fixed-size history series; null marks a gap (failed poll). */
export interface SeriesView {
  /** Values oldest first, at most `capacity` of them. */
  values(): Array<number | null>;
  /** Wall-clock epoch ms of each value, same order. */
  times(): number[];
  readonly capacity: number;
}
