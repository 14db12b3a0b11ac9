/**
 * What a local uWSGI master was started with, from /proc/PID/cmdline (NUL-separated): its master FIFOs,
 * tracebacker, stats socket and ini files, so that a local instance needs no flags to be controlled or
 * inspected. The command line is the operator's, but a path from it is still checked before use.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** The options this tool uses, each in the order given (uWSGI allows several master FIFOs). */
export interface MasterOptions {
  masterFifos: string[];
  tracebacker: string | null;
  stats: string | null;
  /** Config files named on the command line (--ini, or a lone *.ini argument as `uwsgi app.ini` takes it). */
  inis: string[];
}

/** The values of the options in a uWSGI argument list (`--name value`, `--name=value`, `-name value`). */
export function masterOptions(args: readonly string[], cwd: string): MasterOptions {
  const out: MasterOptions = { masterFifos: [], tracebacker: null, stats: null, inis: [] };
  const path = (p: string): string => (isAbsolute(p) || cwd === '' ? p : resolve(cwd, p));
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      if (arg.endsWith('.ini')) out.inis.push(path(arg));
      continue;
    }
    const name = m[1]!;
    const known = ['master-fifo', 'py-tracebacker', 'stats', 'stats-server', 'ini'];
    if (!known.includes(name)) continue;
    const value = m[2] ?? args[i + 1];
    if (m[2] === undefined) i++;
    if (value === undefined || value === '') continue;
    if (name === 'master-fifo') out.masterFifos.push(path(value));
    else if (name === 'py-tracebacker') out.tracebacker ??= path(value);
    else if (name === 'ini') out.inis.push(path(value));
    else out.stats ??= value;
  }
  return out;
}

/** The master's arguments from /proc, null when they cannot be read (not this host, another user, gone). */
export async function readMasterArgs(pid: number): Promise<string[] | null> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const text = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const args = text.split('\0');
    if (args.at(-1) === '') args.pop();
    return args.length > 0 ? args : null;
  } catch {
    return null;
  }
}
