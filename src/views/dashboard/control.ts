/**
 * Control of a target through its master FIFO: the controller interface and the command table are
 * src/fifo/commands.ts's; this is the dashboard's view of them (the commands a key can send).
 */
import { NAMED_COMMANDS, type FifoCommandName, type NamedFifoCommand } from '../../fifo/commands.js';

export type { CommandOutcome, TargetControl } from '../../fifo/commands.js';

/** Every master FIFO command the dashboard can send (slot switches are left to the fifo command line). */
export const FIFO_COMMANDS: readonly NamedFifoCommand[] = NAMED_COMMANDS;

/** The command for a FIFO byte (as typed at the `!` prompt), or undefined for an unknown one. */
export function fifoCommand(byte: string): NamedFifoCommand | undefined {
  return FIFO_COMMANDS.find((c) => c.byte === byte && c.byte !== '');
}

/** The command with this name. */
export function namedCommand(name: FifoCommandName): NamedFifoCommand | undefined {
  return FIFO_COMMANDS.find((c) => c.name === name);
}

/** What to tell the user when a target has no controller. */
export function noControlMessage(target: string): string {
  return `no FIFO known for ${target}: use --fifo ${target}=PATH or --ini FILE`;
}
