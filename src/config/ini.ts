/**
 * Reads uWSGI ini files (or a vassals directory) to find each instance's stats address and master FIFO slots,
 * expanding the placeholders uWSGI expands; placeholders it cannot know are reported, never guessed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve, join } from 'node:path';

export interface IniTarget {
  /** The ini file (absolute path, with `:section` when one was asked for). */
  file: string;
  /** The expanded `stats` (or `stats-server`) value, the first one when repeated; null when none. */
  stats: string | null;
  /** The expanded `master-fifo` values in declaration order: slot 0, 1, ... */
  fifos: string[];
  /** `max-requests` (workers are recycled after that many requests), null when not set or not a number. */
  maxRequests: number | null;
  /** The file name when it was found in a directory (an Emperor's vassals directory names vassals so), else null. */
  vassal: string | null;
  /** The expanded `py-tracebacker` value (one socket per worker: VALUE1, VALUE2...), absent when none. */
  tracebacker?: string;
}

export interface IniResult {
  targets: IniTarget[];
  /** One line per problem (unreadable file, unknown placeholder, undefined %(key) or $(ENV)...). */
  problems: string[];
}

/** Read every ini file (a directory = every *.ini inside, sorted) into its stats address and FIFO slots. */
export function readIniTargets(paths: string[], env: NodeJS.ProcessEnv = process.env): IniResult {
  const targets: IniTarget[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    const inDirectory = isDirectory(splitSection(path).file);
    for (const file of expandPath(path, problems)) {
      const target = readOneIni(file, env, problems);
      if (target) targets.push({ ...target, vassal: inDirectory ? basename(file) : null });
    }
  }
  return { targets, problems };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function expandPath(path: string, problems: string[]): string[] {
  const { file } = splitSection(path);
  try {
    if (statSync(file).isDirectory()) {
      const inis = readdirSync(file).filter((name) => name.endsWith('.ini')).sort().map((name) => join(file, name));
      if (inis.length === 0) problems.push(`${file}: no *.ini file in this directory`);
      return inis;
    }
  } catch (err) {
    problems.push(`${file}: ${describeFsError(err)}`);
    return [];
  }
  return [path];
}

/** `app.ini:section` selects another section than [uwsgi], as uWSGI's --ini does. */
function splitSection(path: string): { file: string; section: string } {
  const match = /^(.*\.ini):([A-Za-z0-9_.-]+)$/.exec(path);
  return match ? { file: match[1] as string, section: match[2] as string } : { file: path, section: 'uwsgi' };
}

function describeFsError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Option names are matched as written: uWSGI 2.0.21 silently ignores `master_fifo` or `stats_server` in an ini file
 * (seen: no FIFO created, no stats socket bound), so an underscore spelling is reported, not used.
 */
const WATCHED = new Set(['stats', 'stats-server', 'master-fifo', 'py-tracebacker']);
function readOneIni(path: string, env: NodeJS.ProcessEnv, problems: string[]): Omit<IniTarget, 'vassal'> | null {
  const { file, section } = splitSection(path);
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    problems.push(`${file}: ${describeFsError(err)}`);
    return null;
  }
  const name = section === 'uwsgi' ? absolute : `${absolute}:${section}`;
  const options = parseIni(text, section);
  if (options === null) {
    problems.push(`${name}: no [${section}] section`);
    return null;
  }
  const magic = magicTable(absolute);
  // uWSGI looks %(key) up among the options defined so far, the first definition winning.
  const defined = new Map<string, string>();
  let stats: string | null = null;
  let maxRequests: number | null = null;
  let tracebacker: string | null = null;
  const fifos: string[] = [];
  for (const { key, value, line } of options) {
    const where = `${name}:${line}`;
    const expanded = expand(value, magic, defined, env, (problem) => problems.push(`${where}: ${problem}`));
    const normal = key;
    if (!defined.has(normal)) defined.set(normal, expanded ?? value);
    if (key.includes('_') && WATCHED.has(key.replace(/_/g, '-'))) {
      problems.push(`${where}: uWSGI ignores "${key}" in ini files (options are spelled with '-'): write ${key.replace(/_/g, '-')}`);
      continue;
    }
    if (expanded === null) continue;
    if ((normal === 'stats' || normal === 'stats-server') && stats === null) stats = expanded;
    if (normal === 'master-fifo') fifos.push(expanded);
    if (normal === 'py-tracebacker' && tracebacker === null) tracebacker = expanded;
    if (normal === 'max-requests' && /^\s*[0-9]+\s*$/.test(expanded) && Number(expanded) > 0) maxRequests = Number(expanded);
    if (normal === 'ini' || normal === 'include' || normal === 'inherit') {
      problems.push(`${where}: "${key} = ${value}" includes another file, which is not followed: list that file too`);
    }
  }
  if (fifos.length > 10) problems.push(`${name}: ${fifos.length} master-fifo declared, uWSGI uses slots 0-9 only`);
  return { file: name, stats, fifos: fifos.slice(0, 10), maxRequests, ...(tracebacker !== null ? { tracebacker } : {}) };
}

interface IniOption {
  key: string;
  value: string;
  line: number;
}

/** The key/value lines of one section, in order; null when the section is absent. */
export function parseIni(text: string, section = 'uwsgi'): IniOption[] | null {
  const options: IniOption[] = [];
  let current: string | null = null;
  let found = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      current = (header[1] as string).trim();
      if (current === section) found = true;
      return;
    }
    if (current !== section) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    options.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: index + 1 });
  });
  return found ? options : null;
}

/** The file-name placeholders uWSGI fills from the config file's own path. */
function magicTable(absolute: string): Map<string, string> {
  const dir = dirname(absolute);
  const ext = extname(absolute);
  return new Map([
    ['d', `${dir}/`],
    ['n', basename(absolute, ext)],
    ['s', basename(absolute)],
    ['p', absolute],
    ['e', ext.startsWith('.') ? ext.slice(1) : ext],
    ['c', basename(dir)],
    ['%', '%'],
  ]);
}

/** Expand %X, %(key) and $(ENV) in one value; null (and a problem reported) when something is unknown. */
function expand(value: string, magic: Map<string, string>, defined: Map<string, string>, env: NodeJS.ProcessEnv, report: (p: string) => void): string | null {
  let ok = true;
  const out = value.replace(/%\(([^)]*)\)|\$\(([^)]*)\)|%(.)/g, (whole, ref: string | undefined, envName: string | undefined, letter: string | undefined) => {
    if (ref !== undefined) {
      const found = defined.get(ref);
      if (found === undefined) {
        report(`%(${ref}) refers to an option not defined above it`);
        ok = false;
      }
      return found ?? whole;
    }
    if (envName !== undefined) {
      const found = env[envName];
      if (found === undefined) {
        report(`$(${envName}): environment variable not set here (uWSGI reads it from its own environment)`);
        ok = false;
      }
      return found ?? whole;
    }
    const known = magic.get(letter as string);
    if (known === undefined) {
      report(`placeholder %${letter} is not known here (it depends on the running uWSGI), value left unresolved: ${value}`);
      ok = false;
      return whole;
    }
    return known;
  });
  return ok ? out : null;
}
