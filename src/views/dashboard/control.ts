/**
 * Control of a target through its master FIFO: the interface the dashboard calls (implemented by
 * src/fifo/control.ts) and the dashboard's view of the FIFO command table (src/fifo/commands.ts).
 */
import { COMMANDS } from '../../fifo/commands.js';

/**
 * What a command did, as src/fifo/run.ts's FifoOutcome tells it (a relay's control gives only the verdict and
 * its line): the view reads these fields, it never parses the message.
 */
export interface CommandOutcome {
  ok: boolean;
  /** One line for the operator, the verdict first. */
  message: string;
  /** The bytes written. */
  written?: string;
  /** The effect in the stats: seen, not seen, or null when it could not be checked. */
  verified?: boolean | null;
  /** The new generation failed (no app, crash loop, master exited, a failed check or canary). */
  failure?: { kind: string; message: string };
}

/** One target's controller; run() takes a command name (e.g. 'chain-reload') and reports the verified outcome. */
export interface TargetControl {
  fifoPath: string;
  run(command: string): Promise<CommandOutcome>;
}

export interface FifoCommand {
  /** The name run() accepts. */
  name: string;
  /** The byte uWSGI reads ('' when it depends on the state, as for pause/resume). */
  fifo: string;
  label: string;
  /** What it does (the line above the confirmation). */
  summary: string;
  /** Why it needs confirming (drops requests or stops the instance); null when it is safe. */
  danger: string | null;
}

/** Every master FIFO command the dashboard can send (slot switches are left to the fifo command line). */
export const FIFO_COMMANDS: readonly FifoCommand[] = COMMANDS.filter((c) => c.effect !== 'slot').map((c) => ({
  name: c.name,
  fifo: c.byte,
  label: c.name,
  summary: c.summary,
  danger: c.dangerous ? c.summary : null,
}));

/** The command for a FIFO byte (as typed at the `!` prompt), or undefined for an unknown one. */
export function fifoCommand(byte: string): FifoCommand | undefined {
  return FIFO_COMMANDS.find((c) => c.fifo === byte && c.fifo !== '');
}

/** The command with this name. */
export function namedCommand(name: string): FifoCommand | undefined {
  return FIFO_COMMANDS.find((c) => c.name === name);
}

/** What to tell the user when a target has no controller. */
export function noControlMessage(target: string): string {
  return `no FIFO known for ${target}: use --fifo ${target}=PATH or --ini FILE`;
}
