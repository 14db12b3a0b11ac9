/**
 * The replay clock shared by every recording on screen: a position in recorded time, play/pause, speed,
 * step to the next or previous poll, jump to a time or to the next event of a kind. Advancing uses an
 * injected real clock, so tests drive it by hand.
 */
import type { EventType } from '../metrics/types.js';
import type { TargetUpdate } from '../monitor/types.js';
import type { ReplayMonitor } from './replay-monitor.js';
import { UsageError } from '../core/errors.js';

export const SPEEDS = [1, 2, 5, 10, 20, 50, 100];

/** The kinds `next event` can look for, by the replay action that asks. */
export const EVENT_KINDS: Readonly<Record<string, { label: string; types: readonly EventType[] | null }>> = {
  'next-event': { label: 'event', types: null },
  'next-respawn': { label: 'respawn', types: ['worker-respawned', 'workers-reloaded', 'chain-reload-progress', 'instance-restarted', 'vassal-respawned', 'worker-crash-loop'] },
  'next-queue': { label: 'listen queue above threshold', types: ['listen-queue-high'] },
  'next-down': { label: 'target down', types: ['target-down'] },
};

export interface PlayerStatus {
  atMs: number;
  playing: boolean;
  speed: number;
  atEnd: boolean;
}

/** Recorded times as text: ISO 8601 with a zone, HH:MM[:SS] (local clock, the position's day), or +/-N[s|m|h] from the position. */
export function parseReplayTime(text: string, positionMs: number): number {
  const t = text.trim();
  const rel = /^([+-])([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|min|h)?$/.exec(t);
  if (rel) {
    const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[(rel[3] ?? 's') as 'ms'];
    return positionMs + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
  }
  const clock = /^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?$/.exec(t);
  if (clock) {
    const d = new Date(positionMs);
    d.setHours(Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0), Number((clock[4] ?? '0').padEnd(3, '0')));
    return d.getTime();
  }
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`not a time: ${JSON.stringify(text)} (use 2026-12-01T03:12:00Z, 03:12:05, +90s or -5m)`);
}

/** The shared replay clock (see the module comment). */
export class ReplayPlayer {
  positionMs: number;
  playing = false;
  speed = 1;
  readonly startMs: number;
  readonly endMs: number;
  private lastRealMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly changeListeners = new Set<() => void>();

  constructor(readonly monitors: readonly ReplayMonitor[], private readonly realNow: () => number = Date.now) {
    const firsts = monitors.map((m) => m.recording.polls[0]?.t ?? Infinity);
    const lasts = monitors.map((m) => m.recording.polls.at(-1)?.t ?? -Infinity);
    this.startMs = Math.min(...firsts);
    this.endMs = Math.max(...lasts);
    if (!Number.isFinite(this.startMs) || !Number.isFinite(this.endMs)) throw new UsageError('nothing to replay: the recordings hold no poll');
    // Nothing is shown until the first seek, so that a caller sees the first poll's update too.
    this.positionMs = this.startMs;
  }

  /** Called after every move (the dashboard repaints). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  status(): PlayerStatus {
    return { atMs: this.positionMs, playing: this.playing, speed: this.speed, atEnd: this.positionMs >= this.endMs };
  }

  /** Move every recording to `atMs` (clamped to the recordings); returns the updates passed. */
  seek(atMs: number): TargetUpdate[] {
    this.positionMs = Math.max(this.startMs, Math.min(this.endMs, atMs));
    const out: TargetUpdate[] = [];
    for (const m of this.monitors) out.push(...m.seek(this.positionMs));
    for (const l of [...this.changeListeners]) l();
    return out;
  }

  /** The recorded time of the next (+1) or previous (-1) poll of any recording. */
  neighbour(direction: 1 | -1): number | null {
    let best: number | null = null;
    for (const m of this.monitors) {
      const polls = m.recording.polls;
      const at = m.recording.pollAt(this.positionMs);
      const t = direction > 0 ? polls[at + 1]?.t : at >= 0 && polls[at]!.t < this.positionMs ? polls[at]!.t : polls[at - 1]?.t;
      if (t === undefined) continue;
      if (best === null || (direction > 0 ? t < best : t > best)) best = t;
    }
    return best;
  }

  /** One poll forward or back (pauses). */
  step(direction: 1 | -1): boolean {
    this.pause();
    const t = this.neighbour(direction);
    if (t === null) return false;
    this.seek(t);
    return true;
  }

  /** Play forward poll by poll until one brings an event of these types (any when null); false at the end. */
  nextEvent(types: readonly EventType[] | null): TargetUpdate | null {
    this.pause();
    for (;;) {
      const t = this.neighbour(1);
      if (t === null) return null;
      for (const u of this.seek(t)) if (u.events.some((e) => types === null || types.includes(e.type))) return u;
    }
  }

  play(): void {
    if (this.playing) return;
    if (this.positionMs >= this.endMs) this.seek(this.startMs);
    this.playing = true;
    this.lastRealMs = this.realNow();
    this.timer ??= setInterval(() => this.tick(), 100);
  }

  pause(): void {
    this.playing = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Change speed by one step of SPEEDS. */
  changeSpeed(direction: 1 | -1): number {
    const i = SPEEDS.indexOf(this.speed);
    this.speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + direction))]!;
    return this.speed;
  }

  /** Advance by the real time elapsed times the speed; stops at the end. */
  tick(): void {
    if (!this.playing) return;
    const now = this.realNow();
    const elapsed = now - this.lastRealMs;
    this.lastRealMs = now;
    this.seek(this.positionMs + elapsed * this.speed);
    if (this.positionMs >= this.endMs) this.pause();
  }

  /** Stop the clock; no timer is left. */
  close(): void {
    this.pause();
    this.changeListeners.clear();
  }
}
