/**
 * What only the OS knows about a uWSGI master on this machine: whether it still runs, and the options it was
 * started with (its /proc cmdline, and the ini file it names), e.g. whether it loads apps lazily.
 */
import { readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** True when `pid` is a uWSGI process of this machine (false: not here, or another pid namespace). */
export async function isLocalUwsgi(pid: number): Promise<boolean> {
  if (!(pid > 0)) return false;
  try {
    return /uwsgi/i.test(await readFile(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return false;
  }
}

/** True when process `pid` has exited (gone from /proc, or a zombie waiting for its parent). */
export async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    // The state follows the command name in parentheses, which may itself hold ") ".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** The parent pid of a process of this machine, null when it cannot be read. */
export async function parentOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** A boolean option of a master: true, false, or null when it cannot be told (not local, a yaml/xml config...). */
export type Known = boolean | null;

export interface MasterOptions {
  lazyApps: Known;
  cheaper: Known;
  /** Where the answer came from, for messages ("/proc/1234/cmdline", "app.ini"). */
  source: string;
}

const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** The options of local master `pid` that decide what a canary and add/remove-worker can do. */
export async function masterOptions(pid: number): Promise<MasterOptions> {
  const unknown: MasterOptions = { lazyApps: null, cheaper: null, source: `master ${pid} is not a uWSGI process of this machine` };
  let argv: string[];
  let cwd = '/';
  try {
    argv = (await readFile(`/proc/${pid}/cmdline`, 'latin1')).split('\0').filter(Boolean);
    if (!argv.some((a) => /uwsgi/i.test(a))) return unknown;
  } catch {
    return unknown;
  }
  try {
    cwd = await readlink(`/proc/${pid}/cwd`);
  } catch {
    cwd = '/';
  }
  const keys = new Map<string, string>();
  const configs: string[] = [];
  let other = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/_/g, '-');
    const next = argv[i + 1];
    const value = eq > 0 ? arg.slice(eq + 1) : next !== undefined && !next.startsWith('-') ? next : 'true';
    if (name === 'ini') configs.push(value);
    else if (['yaml', 'yml', 'json', 'xml', 'js', 'sqlite3', 'ldap', 'include'].includes(name)) other = true;
    else keys.set(name, value);
  }
  let source = `/proc/${pid}/cmdline`;
  for (const file of configs) {
    const path = isAbsolute(file) ? file : join(cwd, file.replace(/:.*$/, ''));
    try {
      readIniKeys(await readFile(path, 'utf8'), keys);
      source += ` and ${path}`;
    } catch {
      other = true;
    }
  }
  const flag = (...names: string[]): Known => {
    for (const n of names) {
      const v = keys.get(n);
      if (v !== undefined) return !FALSE_WORDS.has(v.trim().toLowerCase());
    }
    return other ? null : false;
  };
  return { lazyApps: flag('lazy-apps', 'lazy'), cheaper: flag('cheaper', 'cheaper-algo'), source };
}

/** Keys of the [uwsgi] section of an ini text (uWSGI ignores the ones spelt with underscores). */
function readIniKeys(text: string, into: Map<string, string>): void {
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      section = head[1]!.trim();
      continue;
    }
    if (section !== 'uwsgi') continue;
    const eq = line.indexOf('=');
    const key = (eq > 0 ? line.slice(0, eq) : line).trim();
    if (key.includes('_')) continue;
    into.set(key, eq > 0 ? line.slice(eq + 1).trim() || 'true' : 'true');
  }
}
