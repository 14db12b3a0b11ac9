/**
 * One target of a relay mirrored as a TargetMonitor: the relay's hello, updates and events feed it, its name
 * carries the client's prefix, and it keeps the notes only this client saw (relay lost, targets gone or
 * added, messages dropped) across the next hello.
 */
import { BoundedLog } from '../metrics/history.js';
import { pushFolded } from '../metrics/event-fold.js';
import { SERIES_NAMES } from '../metrics/series.js';
import type { MonitorEvent } from '../metrics/types.js';
import { PushedMonitor } from '../monitor/pushed-monitor.js';
import type { TargetMonitor, TargetUpdate } from '../monitor/types.js';
import { applyDelta } from './delta.js';
import type { DeltaMessage, FeedState, HelloTarget, UpdateMessage } from './protocol.js';
import { decodeFeedState } from './schema.js';

/** A TargetMonitor mirrored from a relay, which can also ask the relay to run a FIFO command. */
export interface RemoteTargetMonitor extends TargetMonitor {
  /** The relay's name for this target (without targetPrefix). */
  readonly remoteTarget: string;
  /** Run a named FIFO command through the relay (it must run with --allow-control); resolves with its result. */
  runCommand(command: string): Promise<{ ok: boolean; message: string }>;
  /** The commands this relay accepts (empty when control is off). */
  commands(): readonly string[];
}

/** What a RemoteMonitor needs from the connection it shares with the relay's other targets. */
export interface RelayLinkPort {
  readonly commandNames: readonly string[];
  command(target: string, command: string): Promise<{ ok: boolean; message: string }>;
  monitorStopped(): void;
}

/** One relay target as a local monitor: fed by the link's messages, renamed with the client's prefix. */
export class RemoteMonitor extends PushedMonitor implements RemoteTargetMonitor {
  /** Events this client recorded itself (relay lost, target gone or added): a hello's log does not hold them. */
  private readonly own: BoundedLog<MonitorEvent>;
  stopped = false;
  /** True while the relay's latest hello did not list this target. */
  gone = false;

  constructor(
    readonly remoteTarget: string,
    private readonly prefix: string,
    historySize: number,
    eventLogSize: number,
    private readonly link: RelayLinkPort,
  ) {
    super(prefix + remoteTarget, historySize, eventLogSize);
    this.own = new BoundedLog<MonitorEvent>(Math.min(eventLogSize, 100));
  }

  override stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    super.stop();
    this.link.monitorStopped();
  }

  runCommand(command: string): Promise<{ ok: boolean; message: string }> {
    return this.link.command(this.remoteTarget, command);
  }

  commands(): readonly string[] {
    return this.link.commandNames;
  }

  /** Rename the relay's target to ours everywhere a name appears. */
  private rename<T extends { target: string }>(value: T): T {
    return this.prefix === '' ? value : { ...value, target: this.target };
  }

  private renameUpdate(u: TargetUpdate): TargetUpdate {
    if (this.prefix === '') return u;
    return {
      ...u,
      target: this.target,
      snapshot: u.snapshot === null ? null : { ...u.snapshot, target: this.target },
      derived: u.derived === null ? null : { ...u.derived, target: this.target },
      events: u.events.map((e) => this.rename(e)),
    };
  }

  /** The relay's revision of this target and the state held for it, which the next delta applies to. */
  private rev = -1;
  private base: FeedState | null = null;

  fromHello(h: HelloTarget): void {
    this.gone = false;
    this.interval = h.intervalMs;
    for (const name of SERIES_NAMES) {
      const s = this.series.get(name)!;
      s.clear();
      const wire = h.history[name];
      if (wire === undefined) continue;
      const from = Math.max(0, wire.v.length - s.capacity);
      for (let i = from; i < wire.v.length; i++) s.push(wire.v[i] ?? null, wire.t[i] ?? Date.now());
    }
    // The hello's log replaces ours (after a reconnect the relay's log is the truth), plus what only this
    // client saw (the relay lost, targets gone or added), in time order.
    const fresh = new BoundedLog<MonitorEvent>(this.log.capacity);
    const merged = [...h.events.map((e) => this.rename(e)), ...this.own.toArray()];
    merged.sort((a, b) => a.atMs - b.atMs);
    for (const e of merged) fresh.push(e);
    this.log = fresh;
    this.rev = h.rev;
    this.base = h.latest;
    if (h.latest !== null) this.publish(this.renameUpdate(h.latest));
  }

  fromUpdate(m: UpdateMessage): void {
    this.rev = m.rev;
    this.base = { seq: m.seq, state: m.state, snapshot: m.snapshot, derived: m.derived, error: m.error };
    this.fromPoll(m, this.base);
  }

  /**
   * Apply a delta to the state held here and check the result like a whole update; false (nothing changed)
   * when it does not follow this revision or does not apply: the caller then starts again from a hello.
   */
  fromDelta(m: DeltaMessage): { ok: true } | { ok: false; problem: string } {
    if (this.base === null || m.rev !== this.rev + 1) return { ok: false, problem: `revision ${m.rev} does not follow ${this.rev}` };
    let next: unknown;
    try {
      next = applyDelta(this.base, m.ops);
    } catch (err) {
      return { ok: false, problem: err instanceof Error ? err.message : String(err) };
    }
    const checked = decodeFeedState(next);
    if (!checked.ok) return checked;
    this.rev = m.rev;
    this.base = checked.state;
    this.fromPoll(m, checked.state);
    return { ok: true };
  }

  private fromPoll(m: UpdateMessage | DeltaMessage, s: FeedState): void {
    for (const name of SERIES_NAMES) {
      if (Object.prototype.hasOwnProperty.call(m.points, name)) this.series.get(name)!.push(m.points[name] ?? null, m.at);
    }
    const update = this.renameUpdate({
      target: m.target,
      seq: s.seq,
      state: s.state,
      snapshot: s.snapshot,
      derived: s.derived,
      events: m.events,
      error: s.error,
    });
    // A folded event replaces its earlier state, as in the relay's own log.
    for (const e of update.events) pushFolded(this.log, e);
    this.publish(update);
  }

  fromEvents(events: MonitorEvent[]): void {
    for (const e of events) pushFolded(this.log, this.rename(e));
  }

  /** The relay (or this target on it) cannot be reached: keep the last data, say why. */
  markDown(error: string, nextRetryAtMs: number | null): void {
    const prev = this.current;
    const nowMs = Date.now();
    const wasDown = prev?.state.state === 'down';
    const event: MonitorEvent = { atMs: nowMs, target: this.target, type: 'target-down', severity: 'error', message: error };
    if (!wasDown) this.note(event);
    this.publish({
      target: this.target,
      seq: (prev?.seq ?? 0) + 1,
      state: { state: 'down', error, sinceMs: wasDown && prev.state.state === 'down' ? prev.state.sinceMs : nowMs, nextRetryAtMs },
      snapshot: prev?.snapshot ?? null,
      derived: prev?.derived ?? null,
      events: wasDown ? [] : [event],
      error,
    });
  }

  /** A message about this target was dropped: say so in the log and repaint the views with the latest data. */
  warnDropped(event: MonitorEvent): void {
    this.note(event);
    if (this.current !== null) this.publish({ ...this.current, events: [event] });
  }

  /** Record an event only this client saw (kept across the next hello). */
  note(event: MonitorEvent): void {
    this.own.push(event);
    this.log.push(event);
  }

  /** The relay's new hello does not list this target: down for good (until a hello lists it again), saying why. */
  markGone(reason: string): void {
    const first = !this.gone;
    this.gone = true;
    // Already down (the relay was lost meanwhile): markDown would add no event, but this reason is new.
    if (first && this.current?.state.state === 'down') {
      this.note({ atMs: Date.now(), target: this.target, type: 'target-down', severity: 'error', message: reason });
    }
    this.markDown(reason, null);
  }
}
