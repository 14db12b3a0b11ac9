/**
 * Where the targets come from: positional addresses, `--fifo ADDR=PATH` pairs (the address is watched too)
 * and `--ini FILE...` (uWSGI config files: their `stats` and `master-fifo` options).
 */
import { UsageError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import { readIniTargets } from '../config/ini.js';
import { endpointKey, parseAddress } from '../stats/address.js';
import { resolve } from 'node:path';

/**
 * The endpoint an address names, whatever its spelling: `:9191`, `127.0.0.1:9191`, `localhost:9191` and
 * `tcp://127.0.0.1:9191` are one; `./stats.sock` and its absolute path are one. A malformed address keys
 * by its text (parseTargets reports it later).
 */
export function canonicalAddress(text: string): string {
  try {
    const a = parseAddress(text);
    return a.kind === 'unix' ? `unix:${resolve(a.path)}` : endpointKey(a);
  } catch {
    return `text:${text}`;
  }
}

export interface TargetSources {
  /** Address texts in the order first named. */
  addresses: string[];
  /** Master FIFO paths per address text, in slot order (slot 0 first). */
  fifos: Map<string, string[]>;
  /** Problems found in ini files (printed as warnings). */
  problems: string[];
  /** `max-requests` per address text, from ini files: a worker recycled at that count is not reported as died. */
  maxRequests: Map<string, number>;
  /** The ini file (and vassal name, for a vassals directory) that named each address, first one winning. */
  origins: Map<string, { ini: string; vassal?: string }>;
}


/** Split `ADDR=PATH` at the first '=' (addresses have none; paths may). */
export function parseFifoPair(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(`--fifo wants STATS_ADDRESS=FIFO_PATH (e.g. 127.0.0.1:9191=/run/app/master.fifo), got ${JSON.stringify(text)}`);
  }
  return [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Collect every target the command line names, with their FIFOs. Targets are the positional addresses and the
 * ini files' stats; two spellings of one endpoint are one target (named as first typed). `--fifo ADDR=PATH`
 * only pairs a FIFO with one of those targets, matched by endpoint, never adds one.
 */
export async function collectSources(positional: readonly string[], fifoPairs: readonly string[], iniFiles: readonly string[]): Promise<TargetSources> {
  const addresses: string[] = [];
  const byEndpoint = new Map<string, string>();
  const maxRequests = new Map<string, number>();
  const origins = new Map<string, { ini: string; vassal?: string }>();
  const fifos = new Map<string, string[]>();
  const problems: string[] = [];
  /** The target's name for an address (the first spelling of its endpoint), added when new. */
  const add = (address: string): string => {
    const key = canonicalAddress(address);
    const known = byEndpoint.get(key);
    if (known !== undefined) return known;
    byEndpoint.set(key, address);
    addresses.push(address);
    return address;
  };
  for (const a of positional) add(a);
  const pairs = fifoPairs.map((pair) => parseFifoPair(pair));
  if (iniFiles.length > 0) {
    const found = await readIniTargets([...iniFiles]);
    for (const p of found.problems) problems.push(escapeControls(p));
    for (const t of found.targets) {
      if (!t.stats) {
        problems.push(`${escapeControls(t.file)}: no "stats" option, so this instance has no stats server to watch`);
        continue;
      }
      const refused = iniStatsRefusal(t.stats);
      if (refused !== null) {
        problems.push(`${escapeControls(t.file)}: stats = ${escapeControls(t.stats.slice(0, 120))} ${refused}: this ini is not watched`);
        continue;
      }
      const name = add(t.stats);
      // The first declared FIFO is slot 0, the one the master reads at start; an explicit --fifo wins (below).
      if (t.fifos.length > 0) fifos.set(name, [...t.fifos]);
      if (t.maxRequests !== null) maxRequests.set(name, t.maxRequests);
      if (!origins.has(name)) origins.set(name, { ini: t.file, ...(t.vassal !== null ? { vassal: t.vassal } : {}) });
    }
    if (!found.targets.some((t) => t.stats) && positional.length === 0 && fifoPairs.length === 0) {
      const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
      const why = problems.length > 0 ? `: ${shown}` : ` (uWSGI's "stats" option)`;
      throw new UsageError(`no stats address found in ${iniFiles.map((f) => escapeControls(f)).join(', ')}${why}`);
    }
  }
  // With nothing else named, the pairs' addresses are the targets (`uwsgitop-ts --fifo :9191=/run/a.fifo`).
  if (addresses.length === 0) for (const [address] of pairs) add(address);
  for (const [address, path] of pairs) {
    const name = byEndpoint.get(canonicalAddress(address));
    if (name === undefined) {
      problems.push(`--fifo ${escapeControls(address)}=${escapeControls(path)} pairs no target given (the targets are ${addresses.map((a) => escapeControls(a)).join(', ')}): ignored`);
      continue;
    }
    fifos.set(name, [path]);
  }
  return { addresses, fifos, problems, maxRequests, origins };
}

/**
 * Why an ini's `stats` value is not watched, or null when it is a socket address. uWSGI's stats option binds
 * a socket (HOST:PORT, a unix path, @abstract), so an ini naming a file, a URL or stdin is not a uWSGI config:
 * reading it would hand what that names to the relay's clients. `@(...)` is uWSGI's magic for "the content of
 * this file" or "the output of this command", which uwsgitop-ts does not read or run.
 */
export function iniStatsRefusal(value: string): string | null {
  if (value.startsWith('@(')) return "is uWSGI's @(file) or @(exec://...) magic (the address is a file's content or a command's output), which uwsgitop-ts does not read or run; write the address itself";
  if (value === '-') return 'is standard input, not a socket address (uWSGI\'s stats option takes HOST:PORT, a unix socket path or @name)';
  let kind: string;
  try {
    kind = parseAddress(value).kind;
  } catch {
    return null; // the address's own error is reported when it is read
  }
  if (kind === 'tcp' || kind === 'unix' || kind === 'abstract') return null;
  return `is not a socket address (uWSGI's stats option takes HOST:PORT, a unix socket path or @name; ${kind === 'file' ? 'file:' : 'a URL'} is refused in an ini)`;
}
