/** The flight recorder's glue: a target's fetch that writes every poll (document or failure) to its recording before the poll is published. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Snapshot } from '../stats/snapshot.js';
import type { DocumentObserver } from '../stats/document.js';
import { errorLine } from '../monitor/poller.js';
import { DecodeError, StatsReadError } from '../core/errors.js';
import { maskRawDocument } from './mask.js';
import { RecordingWriter } from './writer.js';

/** What --record, --record-max, --record-keep, --record-min-free and --show-secrets asked for. */
export interface RecordSettings {
  maxBytes: number;
  keepMs: number | null;
  minFreeBytes: number;
  showSecrets: boolean;
  intervalMs: number;
  /** A whole document every N polls. */
  keyframeEvery: number;
  /** Told once per recording that stops by itself (full disk, the floor); monitoring goes on. */
  onStop: (message: string) => void;
}

interface Fetchable {
  name: string;
  fetch(signal: AbortSignal, observe?: DocumentObserver): Promise<Snapshot>;
}

/** Start the recording of one target into `file`. */
export function openRecording(target: string, file: string, settings: RecordSettings): RecordingWriter {
  return new RecordingWriter({
    file,
    target,
    tool: 'uwsgitop-ts',
    intervalMs: settings.intervalMs,
    secrets: settings.showSecrets,
    maxBytes: settings.maxBytes,
    keepMs: settings.keepMs,
    minFreeBytes: settings.minFreeBytes,
    keyframeEvery: settings.keyframeEvery,
    onStop: settings.onStop,
  });
}

/** The recording file of one target inside a --record DIR: a readable name and a hash, so two targets never share one. */
export function recordingPathIn(dir: string, target: string): string {
  const readable = target.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'target';
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return join(dir, `${readable}-${hash}.uwrec`);
}

/** The target's fetch, recording each outcome; a read cut short by stopping is not a failure of the target. */
export function recordingFetch(target: Fetchable, writer: RecordingWriter, showSecrets: boolean): (signal: AbortSignal) => Promise<Snapshot> {
  return async (signal) => {
    let doc: unknown;
    let snapshot: Snapshot;
    try {
      snapshot = await target.fetch(signal, (value) => {
        doc = value;
      });
    } catch (err) {
      const reason = signal.aborted && signal.reason !== undefined ? signal.reason : err;
      if (!(signal.aborted && errorLine(reason) === 'poller stopped')) {
        // The same code a --json error record carries.
        const code = reason instanceof StatsReadError ? reason.code : reason instanceof DecodeError ? 'decode' : null;
        writer.failure(Date.now(), errorLine(reason), code);
      }
      throw err;
    }
    if (doc !== undefined) writer.document(snapshot.readAtMs, snapshot.monotonicMs, showSecrets ? doc : maskRawDocument(doc), snapshot.durationMs, snapshot.bytes, snapshot.repairs);
    return snapshot;
  };
}
