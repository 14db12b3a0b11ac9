/**
 * Reads uWSGI ini files (or a vassals directory) to find each instance's stats address and master FIFO slots,
 * expanding the placeholders uWSGI expands; placeholders it cannot know are reported, never guessed.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve, join } from 'node:path';
import { FileInputError } from '../core/errors.js';
import { readRegularFileSync } from '../core/regular-file.js';

/** An ini file larger than this is not a uWSGI config (uWSGI's own are a few KiB). */
export const MAX_INI_BYTES = 4 * 1024 * 1024;
/** Problems reported per ini file; the rest are counted in one line. */
const MAX_PROBLEMS_PER_FILE = 20;
/** An expanded value longer than this is a placeholder chain gone wild, not an address. */
const MAX_EXPANDED = 64 * 1024;

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
      // Each file's problems are capped: 100,000 undefined placeholders are one file's fault, said in 21 lines.
      const mine = new CappedProblems(MAX_PROBLEMS_PER_FILE);
      const target = readOneIni(file, env, mine);
      for (const line of mine.lines()) problems.push(line);
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

/** A list of problem lines that keeps the first `max` and counts the rest. */
class CappedProblems {
  private readonly kept: string[] = [];
  private more = 0;
  private file = '';
  private last = '';

  constructor(private readonly max: number) {}

  push(line: string): void {
    // A value naming %(v) twice reports it twice in a row: one line says it.
    if (line === this.last) return;
    this.last = line;
    if (this.kept.length < this.max) {
      this.kept.push(line);
      if (this.file === '') this.file = line.slice(0, line.indexOf(': ') < 0 ? line.length : line.indexOf(': '));
    } else this.more++;
  }

  lines(): string[] {
    return this.more === 0 ? this.kept : [...this.kept, `${this.file.replace(/:[0-9]+$/, '')}: and ${this.more} more problems`];
  }
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
function readOneIni(path: string, env: NodeJS.ProcessEnv, problems: { push(line: string): void }): Omit<IniTarget, 'vassal'> | null {
  const { file, section } = splitSection(path);
  const absolute = resolve(file);
  let text: string;
  try {
    // Only a regular file, bounded: a FIFO (also one named *.ini among vassals) or /dev/zero is refused, never waited on.
    text = readRegularFileSync(absolute, { maxBytes: MAX_INI_BYTES, what: 'ini file' }).toString('utf8');
  } catch (err) {
    problems.push(err instanceof FileInputError ? `${err.message}${err.code === 'not-regular' ? '; skipped' : ''}` : `${file}: ${describeFsError(err)}`);
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
  // null: the option's value expanded past the bound, so every value naming it is left unresolved too.
  const defined = new Map<string, string | null>();
  const tooLong = { hit: false };
  let stats: string | null = null;
  let maxRequests: number | null = null;
  let tracebacker: string | null = null;
  const fifos: string[] = [];
  for (const { key, value, line } of options) {
    const where = `${name}:${line}`;
    tooLong.hit = false;
    const expanded = expand(value, magic, defined, env, (problem) => problems.push(`${where}: ${problem}`), tooLong);
    const normal = key;
    if (!defined.has(normal)) defined.set(normal, tooLong.hit ? null : expanded ?? value);
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

/** A name or value as quoted in a problem line: an ini line can be megabytes. */
function short(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** Expand %X, %(key) and $(ENV) in one value; null (and a problem reported) when something is unknown. */
function expand(value: string, magic: Map<string, string>, defined: Map<string, string | null>, env: NodeJS.ProcessEnv, report: (p: string) => void, tooLong: { hit: boolean }): string | null {
  let ok = true;
  // Substituted text is counted as it goes: one line of 4 MiB of %(big) must not build gigabytes first.
  let added = 0;
  const out = value.replace(/%\(([^)]*)\)|\$\(([^)]*)\)|%(.)/g, (whole, ref: string | undefined, envName: string | undefined, letter: string | undefined) => {
    if (ref !== undefined) {
      const found = defined.get(ref);
      if (found === undefined || found === null) {
        report(found === null ? `%(${short(ref)}) was left unresolved (its value is too long)` : `%(${short(ref)}) refers to an option not defined above it`);
        ok = false;
        if (found === null) tooLong.hit = true;
        return whole;
      }
      added += found.length;
      return added > MAX_EXPANDED ? '' : found;
    }
    if (envName !== undefined) {
      const found = env[envName];
      if (found === undefined) {
        report(`$(${short(envName)}): environment variable not set here (uWSGI reads it from its own environment)`);
        ok = false;
        return whole;
      }
      added += found.length;
      return added > MAX_EXPANDED ? '' : found;
    }
    const known = magic.get(letter as string);
    if (known === undefined) {
      report(`placeholder %${letter} is not known here (it depends on the running uWSGI), value left unresolved: ${short(value)}`);
      ok = false;
      return whole;
    }
    return known;
  });
  if (ok && (added > MAX_EXPANDED || out.length > MAX_EXPANDED)) {
    tooLong.hit = true;
    report(`the value expands to more than ${MAX_EXPANDED / 1024} KiB (a placeholder chain): left unresolved`);
    return null;
  }
  return ok ? out : null;
}
