/**
 * The verdict about a new generation of workers (after a chain reload, a reload, a reload of workers, a dance):
 * fed every stats document read while waiting, it names a failure as soon as one shows (a worker without its
 * application, a slot respawning again and again) instead of waiting for "every worker replaced".
 * Pure: documents and times in, a failure or null out, so it runs on saved documents as well.
 */
import { safeText } from '../core/safe-text.js';
import type { InstanceDocument, Worker } from '../stats/snapshot.js';
import { runningWorkers } from './state.js';
import { CRASH_LOOP_RESPAWNS, CRASH_LOOP_WINDOW_MS, inLoop, loopRespawns, type SlotReading } from '../metrics/crash-loop.js';

/** What went wrong with the new generation, in words an operator acts on. */
export interface GenerationFailure {
  kind: 'no-app' | 'crash-loop' | 'master-exited' | 'check' | 'canary';
  message: string;
}

export interface GenerationOptions {
  /** Respawns of one slot without a request served, within the window, that make a crash loop (default 3; a reload respawns each slot once). */
  crashRespawns?: number;
  /** The crash-loop window, ms (default 10000). */
  crashWindowMs?: number;
}

/** Default crash-loop threshold: the dashboard's rule (src/metrics/crash-loop.ts). */
export const CRASH_RESPAWNS = CRASH_LOOP_RESPAWNS;
export const CRASH_WINDOW_MS = CRASH_LOOP_WINDOW_MS;

/** "3 s", "800 ms": a short duration for a message. */
export function shortDuration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Watches the documents of one instance after a command that replaces its workers. */
export class GenerationWatch {
  private readonly oldPids: Set<number>;
  /** The old generation served an application: a new worker without one is a broken deploy, not a bare instance. */
  readonly hadApps: boolean;
  /** Per slot: when each respawn was first seen (ms), and the slot as last read. */
  private readonly respawns = new Map<number, { last: SlotReading; times: number[]; pids: Set<number> }>();
  private readonly crashRespawns: number;
  private readonly crashWindowMs: number;
  private masterPid: number;

  /**
   * `before`: the instance as it was before the command; its workers are the old generation. With `fresh`, a
   * new instance (a dance): every worker in it is new, and `fresh.expectApps` says whether they must serve an app.
   */
  constructor(before: InstanceDocument, options: GenerationOptions = {}, fresh?: { expectApps: boolean }) {
    const running = runningWorkers(before);
    this.oldPids = new Set(fresh ? [] : running.map((w) => w.pid));
    this.hadApps = fresh ? fresh.expectApps : running.some((w) => w.apps.length > 0);
    this.crashRespawns = options.crashRespawns ?? CRASH_RESPAWNS;
    this.crashWindowMs = options.crashWindowMs ?? CRASH_WINDOW_MS;
    this.masterPid = before.pid;
    for (const w of before.workers) this.respawns.set(w.slot, { last: w, times: [], pids: new Set([w.pid]) });
  }

  /** True when `w` is a process of the new generation (not one of the pids that ran before). */
  isNew(w: Worker): boolean {
    return w.pid > 0 && !this.oldPids.has(w.pid);
  }

  /** Feed one document read at `atMs`; returns the first failure it shows, or null. */
  observe(doc: InstanceDocument, atMs: number): GenerationFailure | null {
    // A reload re-executes the master (or starts a new one): its counters start over, so do ours.
    const restarted = doc.pid !== this.masterPid;
    this.masterPid = doc.pid;
    for (const w of doc.workers) {
      const seen = this.respawns.get(w.slot);
      if (seen === undefined || restarted || w.respawnCount < seen.last.respawnCount) {
        this.respawns.set(w.slot, { last: w, times: seen && !restarted ? seen.times : [], pids: new Set([w.pid]) });
        continue;
      }
      // Respawns between two reads count too (respawn_count climbs by each), at the time they were seen.
      for (let n = loopRespawns(seen.last, w); n > 0; n--) seen.times.push(atMs);
      seen.last = w;
      if (w.pid > 0) seen.pids.add(w.pid);
    }
    const looping = this.crashLoop(atMs);
    if (looping) return looping;
    if (this.hadApps) {
      const bare = runningWorkers(doc).filter((w) => this.isNew(w) && w.accepting && w.apps.length === 0);
      if (bare.length > 0) {
        const names = bare.map((w) => `worker ${w.slot} (pid ${w.pid})`).join(', ');
        return {
          kind: 'no-app',
          message: `${names} ${bare.length === 1 ? 'has' : 'have'} no application loaded (the old workers had one): requests ${bare.length === 1 ? 'it takes' : 'they take'} will get 500 "no python application found"; the app failed to load (see the uWSGI log)`,
        };
      }
    }
    return null;
  }

  /** The first slot that respawned crashRespawns times within the window, named with the count and the window. */
  crashLoop(atMs: number): GenerationFailure | null {
    for (const [slot, seen] of this.respawns) {
      if (inLoop(seen.times, atMs, this.crashRespawns, this.crashWindowMs)) {
        const recent = seen.times;
        const span = Math.max(atMs - recent[0]!, 1000);
        return {
          kind: 'crash-loop',
          message: `worker ${slot} crash-looping: ${recent.length} respawns in ${shortDuration(span)} (the new code exits at start? see the uWSGI log)`,
        };
      }
    }
    return null;
  }
}

/** The message for a master that went away while a command replaced its workers. */
export function masterExitedMessage(pid: number, label: string, how: string): GenerationFailure {
  return {
    kind: 'master-exited',
    message: `master ${pid} exited during the ${safeText(label)} (${how}): the instance is down, nothing serves; start it again (with --need-app uWSGI destroys the instance when the app fails to load, see its log)`,
  };
}
