/**
 * Number, size, duration and clock formats for the plain-text report. Pure and ASCII-only, so the columns
 * line up in any terminal, pager or log file.
 */

const BYTE_UNITS = ['K', 'M', 'G', 'T', 'P'];

/** Bytes as a short binary size like uwsgitop's: `512B`, `11.2M`, `1.5G`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)}B`;
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)}${BYTE_UNITS[unit]}`;
}

/** A per-second rate with one decimal, or `-` when there is no rate yet (first read, reset, file target). */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '-';
  return rate.toFixed(1);
}

/** A byte rate (`3.4K/s`), or `-` when unknown. */
export function formatByteRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '-';
  return `${formatBytes(rate)}/s`;
}

/** A duration given in microseconds: `71us`, `1.2ms`, `3.40s`, then minutes and hours. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return '-';
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1e6) return `${(us / 1000).toFixed(1)}ms`;
  if (us < 60e6) return `${(us / 1e6).toFixed(2)}s`;
  return formatSeconds(us / 1e6);
}

/** An age or uptime in seconds: `3.2s`, `5m02s`, `2h04m`, `3d07h`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, seconds);
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad2(whole % 60)}s`;
  if (whole < 86400) return `${Math.floor(whole / 3600)}h${pad2(Math.floor((whole % 3600) / 60))}m`;
  return `${Math.floor(whole / 86400)}d${pad2(Math.floor((whole % 86400) / 3600))}h`;
}

/** A percentage with one decimal (`25.0`), `-` when unknown. */
export function formatPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  return value.toFixed(1);
}

/** The widest text formatEpochShort returns (`MM-DD HH:MM`): a column showing it needs this many cells. */
export const EPOCH_SHORT_WIDTH = 11;

/**
 * Epoch seconds in at most 11 cells, local time: `HH:MM:SS` within a day of `nowMs` (uwsgitop's form),
 * `MM-DD HH:MM` within half a year, else `YYYY-MM-DD`; `-` for 0 (uWSGI's "never") or a value no clock can show.
 */
export function formatEpochShort(epochSeconds: number, nowMs: number): string {
  if (!(epochSeconds > 0) || !Number.isFinite(epochSeconds)) return '-';
  const date = new Date(epochSeconds * 1000);
  // Beyond year 275760 a Date is invalid: its parts would print as NaN.
  if (!Number.isFinite(date.getTime())) return '-';
  const away = Math.abs(nowMs - date.getTime());
  if (away < 86400_000) return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
  if (away < 183 * 86400_000) return `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return localDay(date);
}

/** Epoch milliseconds as local `YYYY-MM-DD HH:MM:SS`. */
export function formatLocalTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${localDay(date)} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** A number as it is (a count, a pid), or `-` when it is unknown or was out of range (NaN). */
export function plainNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : '-';
}

/** Yes/no for boolean flags in tables. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
