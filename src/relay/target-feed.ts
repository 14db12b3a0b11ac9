/**
 * The per-target state the relay's clients hold, and the message that moves them to the next poll: the
 * whole state the first time, then only what changed (a delta against the previous revision). Every client
 * holds the same revision (a skipped client is sent the whole state instead), so each update is encoded
 * once for all of them.
 */
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { diffJson } from './delta.js';
import { deltaMessage, encodeMessage, helloTarget, latestPoints, targetState, updateMessage, type HelloTarget, type FeedState } from './protocol.js';

/** The two encodings of one update: the delta for clients in step, the whole state for the others. */
export interface FeedFrame {
  delta: Buffer;
  /** Encoded on first use (only when some client was skipped). */
  full(): Buffer;
}

/** One target's revision counter and the state its clients hold. */
export class TargetFeed {
  private rev = 0;
  private state: FeedState | null = null;
  private lastSeq = -1;

  constructor(
    private readonly monitor: TargetMonitor,
    private readonly shown: (u: TargetUpdate) => TargetUpdate,
  ) {
    const latest = monitor.latest();
    if (latest !== null) this.state = targetState(shown(latest));
  }

  /** Move to this update; returns its frame (encode nothing when `encode` is false: no client listens). */
  advance(update: TargetUpdate, encode: boolean): FeedFrame | null {
    const next = targetState(this.shown(update));
    const prev = this.state;
    this.state = next;
    this.rev++;
    // A state-only update (stale) repeats the poll's seq and adds no history point.
    const points = update.seq !== this.lastSeq ? latestPoints(this.monitor) : {};
    this.lastSeq = update.seq;
    if (!encode) return null;
    const poll = { events: update.events, points, at: update.snapshot?.readAtMs ?? Date.now() };
    const rev = this.rev;
    const target = this.monitor.target;
    const whole = (): Buffer => Buffer.from(encodeMessage(updateMessage(target, rev, next, poll)), 'utf8');
    if (prev === null) {
      const bytes = whole();
      return { delta: bytes, full: () => bytes };
    }
    let fullBytes: Buffer | null = null;
    return {
      delta: Buffer.from(encodeMessage(deltaMessage(target, rev, diffJson(prev, next), poll)), 'utf8'),
      full: () => (fullBytes ??= whole()),
    };
  }

  /** This target's part of a hello: the state its clients hold now. */
  hello(): HelloTarget {
    return helloTarget(this.monitor, this.rev, this.state);
  }
}
