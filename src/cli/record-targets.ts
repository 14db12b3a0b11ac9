/** --record for the dashboard, `--json --watch` and `serve`: one recording per target, each target's fetch wrapped to write every poll. */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { danglingLink, fileKind, fsReason } from '../core/regular-file.js';
import { escapeControls } from '../core/safe-text.js';
import { openRecording, recordingFetch, recordingPathIn, type RecordSettings } from '../record/recorder.js';
import type { RecordingWriter } from '../record/writer.js';
import { parseCount, parseDuration, parseSize } from './options.js';
import type { Target } from './targets.js';
import type { RecordOptions } from './option-table.js';

/** The recordings of this run; `close` ends them all (what was written stays readable). */
export interface Recordings {
  writers: Map<string, RecordingWriter>;
  /** Where a stopped recording's message goes (stderr at first; the dashboard shows it as an event). */
  notify: (target: string, message: string) => void;
  close(): void;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * mkdir -p made one level at a time: Node's recursive mkdirSync spins forever under /proc (its ENOENT
 * retry never ends there), so `--record /proc/nope/x` would hang instead of failing.
 */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      statSync(p);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw err;
      missing.unshift(p);
    }
  }
  for (const p of missing) mkdirSync(p);
}

/** The directory of a --record with several targets: made when missing; anything else there is refused by name. */
function makeRecordDirectory(path: string): void {
  const shown = escapeControls(path);
  const link = danglingLink(path);
  if (link !== null) throw new UsageError(`--record ${shown} is a dangling symbolic link (to ${escapeControls(link)}, which does not exist): not followed`);
  try {
    const st = statSync(path);
    if (!st.isDirectory()) {
      throw new UsageError(`--record ${shown} is ${fileKind(st)}, not a directory: with several targets (or serve) --record names a directory, one recording per target`);
    }
    return;
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  try {
    makeDirectories(path);
  } catch (err) {
    throw new UsageError(`--record ${shown}: cannot create this directory: ${fsReason(err).reason}`);
  }
}

/**
 * Start recording every target that is polled here (not files, stdin or a relay's targets, which their relay
 * records). `path` is a file for one target; a directory (created if missing) for several, or when `asDirectory`.
 */
export function startRecordings(targets: Target[], options: RecordOptions, intervalMs: number, writeErr: (text: string) => void, asDirectory = false): Recordings | null {
  const path = options.record;
  if (path === undefined) return null;
  const recordable = targets.filter((t) => !t.isStatic && t.remote === undefined);
  for (const t of targets) {
    if (t.remote !== undefined) writeErr(`uwsgitop-ts: warning: ${escapeControls(t.name)} is not recorded here: it comes through a relay (record it where the relay runs: serve --record DIR)\n`);
  }
  if (recordable.length === 0) throw new UsageError('--record: no target to record (files, stdin and relay targets are not polled here)');
  const maxBytes = parseSize('--record-max', options.recordMax);
  const settingsBase = {
    maxBytes,
    keepMs: options.recordKeep === undefined ? null : parseDuration('--record-keep', options.recordKeep),
    minFreeBytes: parseSize('--record-min-free', options.recordMinFree),
    showSecrets: options.showSecrets === true,
    intervalMs,
    keyframeEvery: parseCount('--record-keyframe', options.recordKeyframe),
  };
  if (maxBytes < 16 * 1024) throw new UsageError(`--record-max must be at least 16K, got ${options.recordMax}`);
  const inDirectory = asDirectory || recordable.length > 1 || isDirectory(path);
  if (inDirectory) makeRecordDirectory(path);
  const recordings: Recordings = {
    writers: new Map(),
    notify: (target, message) => writeErr(`uwsgitop-ts: ${escapeControls(target)}: ${escapeControls(message)}\n`),
    close() {
      for (const w of this.writers.values()) w.close();
    },
  };
  try {
    for (const target of recordable) {
      const settings: RecordSettings = { ...settingsBase, onStop: (message) => recordings.notify(target.name, message) };
      const writer = openRecording(target.name, inDirectory ? recordingPathIn(path, target.name) : path, settings);
      recordings.writers.set(target.name, writer);
      const read = target.fetch.bind(target);
      target.fetch = recordingFetch({ name: target.name, fetch: read }, writer, settings.showSecrets);
    }
  } catch (err) {
    recordings.close();
    throw new UsageError(`--record ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return recordings;
}
