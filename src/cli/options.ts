/** Parsing and checking the numeric command-line options; each bad value is a UsageError (exit 2). */
import { UsageError } from '../errors.js';

/** Defaults and floors of the common options. */
export const DEFAULT_INTERVAL_S = 1;
export const MIN_INTERVAL_S = 0.1;
export const DEFAULT_TIMEOUT_S = 3;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** A number of seconds (decimals allowed) no smaller than `floor`. */
export function parseSeconds(option: string, text: string, floor: number): number {
  const value = /^\s*[0-9]*\.?[0-9]+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${option} wants a number of seconds, got ${JSON.stringify(text)}`);
  if (value < floor) throw new UsageError(`${option} must be at least ${floor} s, got ${text}`);
  return value;
}

/** A whole number of at least 1 (for --count). */
export function parseCount(option: string, text: string): number {
  if (!/^\s*[0-9]+\s*$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${option} wants a whole number of at least 1, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** A byte count, optionally with a binary unit: `65536`, `512K`, `64M`, `1GiB`. */
export function parseSize(option: string, text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${option} wants a size in bytes (e.g. 65536, 512K, 64M), got ${JSON.stringify(text)}`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1024) throw new UsageError(`${option} must be at least 1K, got ${text}`);
  return bytes;
}
