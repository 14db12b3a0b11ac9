/**
 * Where the targets come from: positional addresses, `--fifo ADDR=PATH` pairs (the address is watched too)
 * and `--ini FILE...` (uWSGI config files: their `stats` and `master-fifo` options).
 */
import { UsageError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import { readIniTargets } from '../config/ini.js';

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

/** Collect every target the command line names, with their FIFOs. */
export async function collectSources(positional: readonly string[], fifoPairs: readonly string[], iniFiles: readonly string[]): Promise<TargetSources> {
  const addresses: string[] = [];
  const maxRequests = new Map<string, number>();
  const origins = new Map<string, { ini: string; vassal?: string }>();
  const fifos = new Map<string, string[]>();
  const problems: string[] = [];
  const add = (address: string): void => {
    if (!addresses.includes(address)) addresses.push(address);
  };
  for (const a of positional) add(a);
  for (const pair of fifoPairs) {
    const [address, path] = parseFifoPair(pair);
    add(address);
    fifos.set(address, [path]);
  }
  if (iniFiles.length > 0) {
    const found = await readIniTargets([...iniFiles]);
    problems.push(...found.problems.map((p) => escapeControls(p)));
    for (const t of found.targets) {
      if (!t.stats) continue;
      add(t.stats);
      // The first declared FIFO is slot 0, the one the master reads at start; an explicit --fifo wins.
      if (t.fifos.length > 0 && !fifos.has(t.stats)) fifos.set(t.stats, [...t.fifos]);
      if (t.maxRequests !== null) maxRequests.set(t.stats, t.maxRequests);
      if (!origins.has(t.stats)) origins.set(t.stats, { ini: t.file, ...(t.vassal !== null ? { vassal: t.vassal } : {}) });
    }
    if (found.targets.length === 0 && positional.length === 0 && fifoPairs.length === 0) {
      const why = problems.length > 0 ? `: ${problems.join('; ')}` : ` (uWSGI's "stats" option)`;
      throw new UsageError(`no stats address found in ${iniFiles.map((f) => escapeControls(f)).join(', ')}${why}`);
    }
  }
  return { addresses, fifos, problems, maxRequests, origins };
}
