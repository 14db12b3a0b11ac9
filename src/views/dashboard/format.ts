/**
 * Number, size, duration and time formatting for the dashboard: short, fixed-ish widths that fit table
 * cells, the same conventions everywhere (k/M/G for counts, KiB-style single letters for bytes).
 */

import { EPOCH_SHORT_WIDTH, formatEpochShort } from '../text-format.js';

export { EPOCH_SHORT_WIDTH };

const DASH = '-';

/** A count with k/M/G suffixes past 100,000 (keeps small counts exact, as operators compare them). */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const abs = Math.abs(n);
  if (abs < 100_000) return String(Math.round(n));
  if (abs < 10_000_000) return `${(n / 1e3).toFixed(abs < 1e6 ? 0 : 1).replace(/\.0$/, '')}k`;
  if (abs < 10_000_000_000) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')}G`;
}

/** A per-second rate: one decimal under 100, whole numbers above; '-' when unknown. */
export function fmtRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return DASH;
  if (Math.abs(r) < 100) return r.toFixed(1);
  return fmtCount(r);
}

/** Bytes with a single-letter binary unit (B, K, M, G, T), as top does. */
export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return DASH;
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = b;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)}B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

/** Microseconds as µs/ms/s/min (avg_rt, running_time). */
export function fmtMicros(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return DASH;
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1e6) return `${(us / 1e3).toFixed(us < 1e4 ? 1 : 0)}ms`;
  return fmtDuration(us / 1e6);
}

/** Seconds as a compact duration: 42s, 3m05s, 2h07m, 5d03h. */
export function fmtDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return DASH;
  const s = Math.max(0, sec);
  if (s < 10) return `${s.toFixed(1).replace(/\.0$/, '')}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d${String(h % 24).padStart(2, '0')}h`;
}

/** Local wall-clock time HH:MM:SS of an epoch-seconds value; '-' for 0 (uWSGI's "never"). */
export function fmtClock(epochSeconds: number | null | undefined): string {
  if (!epochSeconds || !Number.isFinite(epochSeconds)) return DASH;
  const d = new Date(epochSeconds * 1000);
  // Beyond year 275760 a Date is invalid: its parts would print as NaN.
  if (Number.isNaN(d.getTime())) return DASH;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Epoch seconds in at most 11 cells: a clock time within a day of now, else month-day and minute, else a date. */
export function fmtWhen(epochSeconds: number | null | undefined, nowMs: number): string {
  if (!epochSeconds) return DASH;
  return formatEpochShort(epochSeconds, nowMs);
}

/** A 0..1 fraction as a whole percent. */
export function fmtPct(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return DASH;
  return `${Math.round(fraction * 100)}%`;
}

/** A percent value (already 0..100) with one decimal below 10. */
export function fmtPercentValue(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return DASH;
  return pct < 10 ? pct.toFixed(1) : String(Math.round(pct));
}

/** Yes/no for booleans in tables. */
export function fmtBool(b: boolean): string {
  return b ? 'yes' : 'no';
}
