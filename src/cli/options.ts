/** Parsing and checking the numeric command-line options; each bad value is a UsageError (exit 2). */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';

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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options of every command that watches targets: interval, read timeout and size, FIFO pairs, ini files. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('-i, --interval <seconds>', `time between reads (minimum ${MIN_INTERVAL_S})`, String(DEFAULT_INTERVAL_S))
    .option('--timeout <seconds>', 'give up on a stats read after this long', String(DEFAULT_TIMEOUT_S))
    .option('--max-bytes <size>', 'largest stats document accepted (e.g. 64M)', '64M')
    .option('--show-secrets', 'show cookies, Authorization and token-like query parameters of in-flight requests (masked by default)');
}

/** --fifo and --ini: where each target's master FIFO (and, for --ini, its stats address) comes from. */
export function addControlSourceOptions(command: Command): Command {
  return command
    .option('--fifo <address=path>', "pair a stats address with its instance's master FIFO (repeatable)", collect, [] as string[])
    .addOption(new Option('--ini <files...>', 'read targets (stats, master-fifo) from uWSGI ini files'));
}

/** Commander's help and errors go to the injected streams; the caller prints errors as one line itself. */
export function routeOutput(command: Command, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Command {
  return command.exitOverride().configureOutput({
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
    outputError: () => undefined,
  });
}
