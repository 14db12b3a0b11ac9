/**
 * The one units module: counts, rates, bytes, durations, percents and plurals, spelt the same way by every
 * output (dashboard, `--once` text, the page, JSON notes, event and error messages). It lives in core, the
 * lowest layer, because stats (size limits in errors) and monitor (how long a target was down) need it too.
 * Pure and browser-safe. `-` is the one spelling of "unknown".
 */

const DASH = '-';

function known(n: number | null | undefined): n is number {
  return n !== null && n !== undefined && Number.isFinite(n);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A count with k/M/G suffixes past 100,000 (keeps small counts exact, as operators compare them). */
export function fmtCount(n: number | null | undefined): string {
  if (!known(n)) return DASH;
  const abs = Math.abs(n);
  if (abs < 100_000) return String(Math.round(n));
  if (abs < 10_000_000) return `${(n / 1e3).toFixed(abs < 1e6 ? 0 : 1).replace(/\.0$/, '')}k`;
  if (abs < 10_000_000_000) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')}G`;
}

/** A per-second rate: one decimal under 100, whole numbers (with k/M) above; `-` when unknown. */
export function fmtRate(r: number | null | undefined): string {
  if (!known(r)) return DASH;
  if (Math.abs(r) < 100) return r.toFixed(1);
  return fmtCount(r);
}

/** Bytes with a single-letter binary unit (B, K, M, G, T), as top does: `512B`, `1.5K`, `12M`. */
export function fmtBytes(b: number | null | undefined): string {
  if (!known(b)) return DASH;
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = b;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)}B`;
  return `${Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

/** A byte rate (`3.4K/s`), or `-` when unknown. */
export function fmtByteRate(b: number | null | undefined): string {
  return known(b) ? `${fmtBytes(b)}/s` : DASH;
}

/** A size in a sentence (a limit in an error message): `64 MiB`, `1.5 KiB`, `12 bytes`. */
export function sizeText(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes >= mib && bytes % mib === 0) return `${bytes / mib} MiB`;
  if (bytes >= mib) return `${(bytes / mib).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return plural(bytes, 'byte');
}

/** Microseconds (avg_rt, running_time) as µs, ms, then a duration: `71µs`, `1.2ms`, `3.4s`, `5m02s`. */
export function fmtMicros(us: number | null | undefined): string {
  if (!known(us)) return DASH;
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1e6) return `${(us / 1e3).toFixed(us < 1e4 ? 1 : 0)}ms`;
  return fmtDuration(us / 1e6);
}

/** Seconds as a compact duration: `4.2s`, `42s`, `3m05s`, `2h07m`, `5d03h`; `-` when unknown. */
export function fmtDuration(sec: number | null | undefined): string {
  if (!known(sec)) return DASH;
  const s = Math.max(0, sec);
  if (s < 10) return `${s.toFixed(1).replace(/\.0$/, '')}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(Math.floor(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${pad2(m % 60)}m`;
  const d = Math.floor(h / 24);
  return `${d}d${pad2(h % 24)}h`;
}

/** Milliseconds as the same compact duration (`800ms` below a second): how long something took or lasted. */
export function fmtMillis(ms: number | null | undefined): string {
  if (!known(ms)) return DASH;
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : fmtDuration(ms / 1000);
}

/** A 0..1 fraction as a whole percent (`42%`). */
export function fmtPct(fraction: number | null | undefined): string {
  if (!known(fraction)) return DASH;
  return `${Math.round(fraction * 100)}%`;
}

/** A percent value (already 0..100) with one decimal and its sign (`12.5%`), `-` when unknown. */
export function fmtPercent(pct: number | null | undefined): string {
  return known(pct) ? `${pct.toFixed(1)}%` : DASH;
}

/** A percent value (already 0..100) in a narrow cell: one decimal below 10, no sign. */
export function fmtPercentValue(pct: number | null | undefined): string {
  if (!known(pct)) return DASH;
  return pct < 10 ? pct.toFixed(1) : String(Math.round(pct));
}

/** A number as it is (a count, a pid), or `-` when it is unknown or was out of range (NaN). */
export function plainNumber(n: number | null | undefined): string {
  return known(n) ? String(n) : DASH;
}

/** Yes/no for boolean flags. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** `1 request`, `3 requests`; `many` when the plural is not the singular plus s (`2 raw backslashes`). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The widest text fmtEpochShort returns (`MM-DD HH:MM`): a column showing it needs this many cells. */
export const EPOCH_SHORT_WIDTH = 11;

/**
 * Epoch seconds in at most 11 cells, local time: `HH:MM:SS` within a day of `nowMs` (uwsgitop's form),
 * `MM-DD HH:MM` within half a year, else `YYYY-MM-DD`; `-` for 0 (uWSGI's "never") or a value no clock can show.
 */
export function fmtEpochShort(epochSeconds: number | null | undefined, nowMs: number): string {
  if (!known(epochSeconds) || !(epochSeconds > 0)) return DASH;
  const date = new Date(epochSeconds * 1000);
  // Beyond year 275760 a Date is invalid: its parts would print as NaN.
  if (!Number.isFinite(date.getTime())) return DASH;
  const away = Math.abs(nowMs - date.getTime());
  if (away < 86400_000) return clockOf(date);
  if (away < 183 * 86400_000) return `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return localDay(date);
}

/** Local wall-clock time `HH:MM:SS` of an epoch-seconds value; `-` for 0 (uWSGI's "never"). */
export function fmtClock(epochSeconds: number | null | undefined): string {
  if (!known(epochSeconds) || epochSeconds === 0) return DASH;
  const d = new Date(epochSeconds * 1000);
  if (Number.isNaN(d.getTime())) return DASH;
  return clockOf(d);
}

/** Epoch milliseconds as local `YYYY-MM-DD HH:MM:SS`. */
export function fmtLocalTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${localDay(date)} ${clockOf(date)}`;
}

function clockOf(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}
