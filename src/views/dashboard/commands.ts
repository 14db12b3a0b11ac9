/**
 * The dashboard's FIFO commands: `!` and the byte typed at it, the y/N that names target and FIFO, one command
 * running per target (with its progress read from the stats), and its result as an event and a status line.
 */
import type { TargetMonitor } from '../../monitor/types.js';
import type { Snapshot } from '../../stats/snapshot.js';
import { safeText } from '../../core/safe-text.js';
import { CANARY_CHAIN_RELOAD, type FifoCommand, type FifoCommandName } from '../../fifo/commands.js';
import { fifoCommand, namedCommand, noControlMessage, type CommandOutcome, type TargetControl } from './control.js';
import type { Style } from './model/line.js';
import { runningText, startRunning, type RunningCommand } from './model/progress.js';
import type { Prompt, UiState } from './model/state.js';

/** What the command flow needs from the dashboard around it. */
export interface CommandHost {
  readonly monitors: readonly TargetMonitor[];
  state(): UiState;
  clock(): number;
  /** Show on the status line; `sticky` keeps it there until read (m) or dismissed (Esc). */
  say(text: string, style?: Style, sticky?: boolean): void;
  /** True once the dashboard has ended: a late result is no longer shown. */
  finished(): boolean;
  /** Paint again (a command ended). */
  repaint(): void;
}

export interface CommandSettings {
  controls: ReadonlyMap<string, TargetControl>;
  /** Why a target has no control, when it is not for want of --fifo (a relay without --allow-control). */
  noControl?: ReadonlyMap<string, string>;
  /** Ask y/N before writing (default true; --no-confirm turns it off). */
  confirm?: boolean;
}

export class CommandFlow {
  private readonly running = new Map<string, RunningCommand>();

  constructor(
    private readonly host: CommandHost,
    private readonly settings: CommandSettings,
  ) {}

  /** True when `target` can be sent commands. */
  hasControl(target: string): boolean {
    return this.settings.controls.has(target);
  }

  /** `!`: ask which FIFO command to send to `target`, or say how to give it a FIFO. */
  open(target: string | undefined): void {
    if (target === undefined) return;
    if (!this.settings.controls.has(target)) {
      this.host.say(safeText(this.settings.noControl?.get(target) ?? noControlMessage(target)), 'error');
      return;
    }
    this.host.state().prompt = { kind: 'command', target };
  }

  /** The key typed at the `!` prompt: one FIFO byte (`p` pauses or resumes as the stats tell). */
  byte(prompt: Extract<Prompt, { kind: 'command' }>, ch: string | undefined, name: string): void {
    if (name === 'escape') return;
    const cmd = ch !== undefined ? fifoCommand(ch) : undefined;
    if (!cmd) {
      this.host.say(`"${safeText(ch ?? name, 4)}" is not a master FIFO command (press ? for the list)`, 'error');
      return;
    }
    this.request(prompt.target, cmd.name === 'pause-toggle' ? namedCommand(this.pauseOrResume(prompt.target)) ?? cmd : cmd);
  }

  /** The answer to the y/N: only y sends. */
  answer(prompt: Extract<Prompt, { kind: 'confirm' }>, ch: string | undefined): void {
    if (ch === 'y' || ch === 'Y') this.run(prompt.target, prompt.command);
    else if ((ch === 'k' || ch === 'K') && prompt.command.name === 'chain-reload') this.run(prompt.target, CANARY_CHAIN_RELOAD);
    else this.host.say(`${prompt.command.name} not sent: nothing was written to ${safeText(prompt.fifoPath)}`);
  }

  /** The running command of `target` with its progress so far, read from `snapshot`; null when none runs. */
  progress(target: string, snapshot: Snapshot | null): string | null {
    const cmd = this.running.get(target);
    return cmd ? runningText(cmd, snapshot, this.host.clock()) : null;
  }

  /** Confirm (naming the target and its FIFO) before anything is written, unless --no-confirm. */
  private request(target: string, cmd: FifoCommand): void {
    const control = this.settings.controls.get(target);
    if (!control) return;
    if (this.settings.confirm === false) this.run(target, cmd);
    else this.host.state().prompt = { kind: 'confirm', command: cmd, target, fifoPath: control.fifoPath };
  }

  private run(target: string, cmd: FifoCommand): void {
    const host = this.host;
    const control = this.settings.controls.get(target);
    const monitor = host.monitors.find((m) => m.target === target);
    if (!control || !monitor) return;
    const already = this.running.get(target);
    if (already) {
      host.say(`a command is already running on ${safeText(target)}: ${already.name}`, 'error');
      return;
    }
    this.running.set(target, startRunning(cmd.name, monitor.latest()?.snapshot ?? null, host.clock()));
    // A canary's first respawn is the chain reload's first step as far as the events go.
    monitor.expectCommand?.(cmd === CANARY_CHAIN_RELOAD ? 'chain-reload' : cmd.name);
    const record = ({ ok, message, written, verified, failure }: CommandOutcome): void => {
      if (host.finished()) return;
      const text = `${cmd.name}: ${message}`;
      const data: Record<string, string | boolean | null> = { command: cmd.name, ok };
      if (written !== undefined) data.written = written;
      if (verified !== undefined) data.verified = verified;
      if (failure !== undefined) data.failure = failure.kind;
      monitor.addEvent({ atMs: host.clock(), target, type: 'command', severity: ok ? 'info' : 'error', message: text, data });
      // The verdict leads the message, so a cut status line still tells it; `m` and Enter in view 9 show it whole.
      const who = host.monitors.length > 1 ? `${target}: ` : '';
      // A reload whose new workers are broken must be read, not glimpsed: it stays until m or Esc.
      host.say(safeText(`${who}${text}`), ok ? 'ok' : 'error', !ok);
    };
    control
      .run(cmd.name)
      .then(
        (outcome) => record(outcome),
        (err: unknown) => record({ ok: false, message: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.running.delete(target);
        if (host.finished()) return;
        monitor.refresh();
        host.repaint();
      });
  }

  /** `p` toggles: resume when the stats say the workers are paused, else pause (verifiable either way). */
  private pauseOrResume(target: string): FifoCommandName {
    const snap = this.host.monitors.find((m) => m.target === target)?.latest()?.snapshot;
    if (snap?.kind !== 'instance') return 'pause-toggle';
    return snap.doc.workers.some((w) => w.pid > 0 && w.status === 'pause') ? 'resume' : 'pause';
  }
}
