/**
 * Polls one target: at most one read in flight, the next read scheduled after the previous one ends, growing
 * back-off after failures, coalesced refreshes, stale detection while a read hangs. One poller per target,
 * shared by every consumer, so the number of reads depends only on the interval.
 */
import type { Snapshot } from '../stats/snapshot.js';
import type { TargetState } from './types.js';
import { Listeners } from './listeners.js';

export interface PollerOptions {
  /** Time between the end of one read and the start of the next (default 1000, floor 100). */
  intervalMs?: number;
  /** Cap of the back-off after failures (default min(30 s, 10 intervals), never below the interval). */
  maxBackoffMs?: number;
  /** Data older than this many intervals is stale (default 3). */
  staleAfterIntervals?: number;
  /** Wall clock, epoch ms (injected by tests). */
  now?: () => number;
  /** A read still running after this long is aborted and counted as a failure (default 10000). */
  readTimeoutMs?: number;
}

/** The outcome of one read. */
export type PollResult =
  | { ok: true; seq: number; atMs: number; snapshot: Snapshot }
  | {
      ok: false;
      seq: number;
      atMs: number;
      /** One line, ready to show. */
      error: string;
      cause: unknown;
      /** Consecutive failures, this one included. */
      failures: number;
      /** Wall-clock ms of the next attempt, null when stopped. */
      nextRetryAtMs: number | null;
    };

export const MIN_INTERVAL_MS = 100;
const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_READ_TIMEOUT_MS = 10_000;

/** Clamp an interval to the floor; throws on a value that is not a number. */
export function normaliseInterval(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_INTERVAL_MS;
  if (!Number.isFinite(ms)) throw new RangeError(`poll interval must be a number of milliseconds, got ${ms}`);
  return Math.max(MIN_INTERVAL_MS, Math.round(ms));
}

/** One line of text for any thrown value. */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim() || 'unknown error';
}

/** Polls one target: at most one read in flight; the next read is scheduled after the previous ends. */
export class Poller {
  private interval: number;
  private readonly maxBackoffOpt: number | undefined;
  private readonly staleAfter: number;
  private readonly readTimeoutMs: number;
  private readonly now: () => number;

  private running = false;
  private inFlightRead: AbortController | null = null;
  private refreshPending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** What the pending timer is for: a normal interval can be re-timed when the interval changes. */
  private timerKind: 'interval' | 'backoff' | null = null;
  private lastEndAtMs = 0;
  private readTimer: ReturnType<typeof setTimeout> | null = null;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private readCount = 0;
  private failures = 0;
  private lastSuccessAtMs: number | null = null;
  private downSinceMs: number | null = null;
  private lastError: string | null = null;
  private nextRetryAtMs: number | null = null;
  private staleMarked = false;
  private readonly resultListeners = new Listeners<PollResult>();
  private readonly stateListeners = new Listeners<TargetState>();

  constructor(
    private readonly fetch: (signal: AbortSignal) => Promise<Snapshot>,
    options: PollerOptions = {},
  ) {
    this.interval = normaliseInterval(options.intervalMs);
    this.maxBackoffOpt = options.maxBackoffMs;
    this.staleAfter = options.staleAfterIntervals ?? 3;
    this.readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  get intervalMs(): number {
    return this.interval;
  }

  /** Number of reads started so far (for tests and diagnostics). */
  get reads(): number {
    return this.readCount;
  }

  /** True while a read is in flight. */
  get busy(): boolean {
    return this.inFlightRead !== null;
  }

  /** True between start() and stop(). */
  get active(): boolean {
    return this.running;
  }

  /** Listen to every read's outcome; returns the unsubscribe function. */
  onResult(listener: (r: PollResult) => void): () => void {
    return this.resultListeners.add(listener);
  }

  /** Listen to state changes that happen between reads (data going stale while a read hangs). */
  onState(listener: (s: TargetState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  /** The connection state now. */
  state(): TargetState {
    if (this.lastError !== null && this.downSinceMs !== null) {
      return { state: 'down', error: this.lastError, sinceMs: this.downSinceMs, nextRetryAtMs: this.nextRetryAtMs };
    }
    if (this.lastSuccessAtMs === null) return { state: 'connecting' };
    const limit = this.staleAfter * this.interval;
    const age = this.now() - this.lastSuccessAtMs;
    if (age > limit) return { state: 'stale', sinceMs: this.lastSuccessAtMs + limit, ageSeconds: age / 1000 };
    return { state: 'live' };
  }

  /** The current back-off cap. */
  get maxBackoffMs(): number {
    const cap = this.maxBackoffOpt ?? Math.min(30_000, 10 * this.interval);
    return Math.max(this.interval, cap);
  }

  /** Delay before the next attempt after `failures` consecutive failures: the interval, doubled each time, capped. */
  backoffMs(failures: number): number {
    const exp = Math.min(Math.max(0, failures - 1), 30);
    return Math.min(this.maxBackoffMs, this.interval * 2 ** exp);
  }

  /** Start polling now (no-op when already running). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.read();
  }

  /** Stop polling: clears every timer and aborts the read in flight. */
  stop(): void {
    this.running = false;
    this.refreshPending = false;
    this.clearTimer();
    this.clearReadTimers();
    const ctl = this.inFlightRead;
    this.inFlightRead = null;
    this.nextRetryAtMs = null;
    if (ctl !== null) ctl.abort(new Error('poller stopped'));
  }

  /** Ask for a read now, or as soon as the one in flight ends (several calls meanwhile make one read). */
  refresh(): void {
    if (!this.running) return;
    if (this.inFlightRead !== null) {
      this.refreshPending = true;
      return;
    }
    this.clearTimer();
    this.read();
  }

  /** Change the interval (floor 100 ms); a pending normal wait is re-timed from the end of the last read. */
  setIntervalMs(ms: number): void {
    this.interval = normaliseInterval(ms);
    if (this.running && this.timerKind === 'interval') {
      this.clearTimer();
      this.schedule(Math.max(0, this.lastEndAtMs + this.interval - this.now()), 'interval');
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerKind = null;
  }

  private clearReadTimers(): void {
    if (this.readTimer !== null) clearTimeout(this.readTimer);
    if (this.staleTimer !== null) clearTimeout(this.staleTimer);
    this.readTimer = null;
    this.staleTimer = null;
  }

  private schedule(delay: number, kind: 'interval' | 'backoff'): void {
    this.clearTimer();
    this.timerKind = kind;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerKind = null;
      this.read();
    }, delay);
  }

  private read(): void {
    if (!this.running || this.inFlightRead !== null) return;
    const ctl = new AbortController();
    this.inFlightRead = ctl;
    this.refreshPending = false;
    const seq = ++this.seq;
    this.readCount++;
    const timeoutMs = this.readTimeoutMs;
    this.readTimer = setTimeout(() => {
      ctl.abort(new Error(`read timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    this.armStaleTimer();
    let promise: Promise<Snapshot>;
    try {
      promise = this.fetch(ctl.signal);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (snapshot) => this.finish(ctl, seq, snapshot, null),
      (err: unknown) => this.finish(ctl, seq, null, ctl.signal.aborted && ctl.signal.reason !== undefined ? ctl.signal.reason : err),
    );
  }

  /** While a read hangs, tell listeners when the data crosses the stale age (no read result will). */
  private armStaleTimer(): void {
    if (this.lastSuccessAtMs === null || this.lastError !== null || this.staleMarked) return;
    const due = this.lastSuccessAtMs + this.staleAfter * this.interval - this.now();
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      const s = this.state();
      if (s.state !== 'stale') return;
      this.staleMarked = true;
      this.stateListeners.emit(s);
    }, Math.max(0, due) + 1);
  }

  private finish(ctl: AbortController, seq: number, snapshot: Snapshot | null, err: unknown): void {
    // A read aborted by stop() (or superseded) must not publish anything or schedule anything.
    if (this.inFlightRead !== ctl) return;
    this.inFlightRead = null;
    this.clearReadTimers();
    const atMs = this.now();
    this.lastEndAtMs = atMs;
    const now = this.refreshPending;
    this.refreshPending = false;
    let result: PollResult;
    let delay: number;
    let kind: 'interval' | 'backoff';
    if (snapshot !== null) {
      this.failures = 0;
      this.lastSuccessAtMs = atMs;
      this.lastError = null;
      this.downSinceMs = null;
      this.nextRetryAtMs = null;
      this.staleMarked = false;
      delay = now ? 0 : this.interval;
      kind = 'interval';
      result = { ok: true, seq, atMs, snapshot };
    } else {
      this.failures++;
      this.lastError = errorLine(err);
      if (this.downSinceMs === null) this.downSinceMs = atMs;
      // A user's refresh is honoured at once; otherwise wait, longer after each failure.
      delay = now ? 0 : this.backoffMs(this.failures);
      kind = 'backoff';
      this.nextRetryAtMs = atMs + delay;
      result = {
        ok: false,
        seq,
        atMs,
        error: this.lastError,
        cause: err,
        failures: this.failures,
        nextRetryAtMs: this.nextRetryAtMs,
      };
    }
    this.resultListeners.emit(result);
    // A listener may have stopped us, asked for a refresh (already reading) or changed the interval.
    if (!this.running || this.inFlightRead !== null || this.timer !== null) return;
    if (delay === 0) this.read();
    else this.schedule(kind === 'interval' ? this.interval : delay, kind);
  }
}
