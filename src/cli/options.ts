/** Parsing and checking the option values of the option table; each bad value is a UsageError (exit 2). */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { DEFAULT_MAX_BYTES_TEXT, MIN_INTERVAL_S } from './option-table.js';

export { DEFAULT_INTERVAL_S, DEFAULT_TIMEOUT_S, MIN_INTERVAL_S } from './option-table.js';
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const TIME_UNITS: Record<string, number> = { '': 1, s: 1, sec: 1, ms: 0.001, m: 60, min: 60 };

/** A number of seconds (decimals allowed, optionally `2s`, `500ms`, `1m`) no smaller than `floor`. */
export function parseSeconds(option: string, text: string, floor: number): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? TIME_UNITS[m[2]!.toLowerCase()] : undefined;
  const value = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${option} wants a number of seconds (2, 0.5, 2s, 500ms), got ${JSON.stringify(text)}`);
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

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** A byte count, optionally with a binary unit: `65536`, `512K`, `64M`, `1GiB`. */
export function parseSize(option: string, text: string): number {
  if (text === DEFAULT_MAX_BYTES_TEXT) return DEFAULT_MAX_BYTES;
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${option} wants a size in bytes (e.g. 65536, 512K, 64M), got ${JSON.stringify(text)}`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1024) throw new UsageError(`${option} must be at least 1K, got ${text}`);
  return bytes;
}

/** The poll interval in ms from --interval or one of its habits (--frequency, -d): the one given wins, two disagreeing is a usage error. */
export function intervalMsOf(opts: { interval: string; frequency?: string; delay?: string }, intervalGiven: boolean): number {
  const given = [['--interval', intervalGiven ? opts.interval : undefined], ['--frequency', opts.frequency], ['-d', opts.delay]]
    .filter((x): x is [string, string] => x[1] !== undefined);
  if (given.length > 1) throw new UsageError(`${given.map((g) => g[0]).join(' and ')} both set the interval: give one`);
  const [name, text] = given[0] ?? ['--interval', opts.interval];
  return Math.round(parseSeconds(name, text, MIN_INTERVAL_S) * 1000);
}

/** The effect time limit of fifo and dance: seconds above 0, at most an hour. */
export function parseEffectTimeout(text: string): number {
  const seconds = parseSeconds('--timeout', text, 0);
  if (seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout needs seconds between 0 and 3600, got "${text}"`);
  return Math.round(seconds * 1000);
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 };

/** A duration with an optional unit: `90`, `90s`, `15m`, `12h`, `7d`; in milliseconds. */
export function parseDuration(option: string, text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = match ? DURATION_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) throw new UsageError(`${option} wants a duration (e.g. 90s, 15m, 12h, 7d), got ${JSON.stringify(text)}`);
  return Math.round(Number(match[1]) * unit * 1000);
}

/** Commander's help and errors go to the injected streams; the caller prints errors as one line itself. */
export function routeOutput(command: Command, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Command {
  return command.exitOverride().configureOutput({
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
    outputError: () => undefined,
  });
}

/** NO_COLOR as no-color.org defines it: set to a non-empty value (`NO_COLOR=` leaves colour on). */
export function noColorAsked(env: NodeJS.ProcessEnv): boolean {
  return (env['NO_COLOR'] ?? '') !== '';
}
