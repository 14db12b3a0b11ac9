import type { FifoCommandName } from '../fifo/commands.js';

/**
 * The master FIFO commands a relay may run for a remote user. Names are src/fifo/commands.ts's; only the
 * ones that drop no request and keep the instance up are offered through the network (no shutdown, no
 * brutal reload, no go-cheap, no re-fork, no slot switching).
 */

/** Command names a relay accepts, in the order the page shows them. */
export const RELAY_COMMANDS: readonly FifoCommandName[] = Object.freeze<FifoCommandName[]>([
  'chain-reload',
  'reload-workers',
  'reload',
  'pause',
  'resume',
  'add-worker',
  'remove-worker',
  'reopen-log',
  'rotate-log',
  'log-stats',
]);

/** The relay command names (a copy, for the hello message). */
export function relayCommandNames(): FifoCommandName[] {
  return [...RELAY_COMMANDS];
}

/** True when a remote client may ask for this command. */
export function isRelayCommand(name: string): boolean {
  return (RELAY_COMMANDS as readonly string[]).includes(name);
}
