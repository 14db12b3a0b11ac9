/** The master FIFO's commands: names an operator can type, the byte uWSGI reads, and what each one does. */
import { UsageError } from '../core/errors.js';

/** What a command should change in the stats, i.e. how its effect can be proven. */
export type EffectKind =
  | 'chain-reload'
  | 'reload'
  | 'reload-workers'
  | 'pause-toggle'
  | 'pause'
  | 'resume'
  | 'add-worker'
  | 'remove-worker'
  | 'go-cheap'
  | 'shutdown'
  | 'slot'
  | 'none';

export interface FifoCommand {
  /** The name typed by the operator (e.g. 'chain-reload'). */
  name: string;
  /** The byte written to the FIFO ('' for pause/resume, whose byte depends on the current state). */
  byte: string;
  /** One line for help screens. */
  summary: string;
  /** True when the command drops requests or stops the instance: ask before running it interactively. */
  dangerous: boolean;
  effect: EffectKind;
  /** For slot commands: the slot number. */
  slot?: number;
}

const BASE = [
  { name: 'chain-reload', byte: 'c', summary: 'replace workers one at a time, each waits for the previous to accept (needs --lazy-apps for new code)', dangerous: false, effect: 'chain-reload' },
  { name: 'reload', byte: 'r', summary: 'graceful reload of the whole instance (master re-executes, workers replaced)', dangerous: false, effect: 'reload' },
  { name: 'reload-brutal', byte: 'R', summary: 'brutal reload: in-flight requests are dropped', dangerous: true, effect: 'reload' },
  { name: 'reload-workers', byte: 'w', summary: 'graceful reload of the workers only', dangerous: false, effect: 'reload-workers' },
  { name: 'reload-workers-brutal', byte: 'W', summary: 'brutal reload of the workers: in-flight requests are dropped', dangerous: true, effect: 'reload-workers' },
  { name: 'pause-toggle', byte: 'p', summary: 'pause the workers if running, resume them if paused (blind toggle)', dangerous: false, effect: 'pause-toggle' },
  { name: 'pause', byte: '', summary: 'pause the workers (writes p only when the stats show they run)', dangerous: false, effect: 'pause' },
  { name: 'resume', byte: '', summary: 'resume paused workers (writes p only when the stats show they are paused)', dangerous: false, effect: 'resume' },
  { name: 'add-worker', byte: '+', summary: 'one more worker (cheaper mode)', dangerous: false, effect: 'add-worker' },
  { name: 'remove-worker', byte: '-', summary: 'one less worker (cheaper mode)', dangerous: false, effect: 'remove-worker' },
  { name: 'go-cheap', byte: 'C', summary: 'go cheap: stop every worker until requests come', dangerous: true, effect: 'go-cheap' },
  { name: 'emperor-rescan', byte: 'E', summary: 'ask the Emperor to rescan its vassals', dangerous: false, effect: 'none' },
  { name: 'refork', byte: 'f', summary: 're-fork the master (the new master cannot bind --stats)', dangerous: true, effect: 'none' },
  { name: 'reopen-log', byte: 'l', summary: 'reopen the log file (needs --log-master with --logto)', dangerous: false, effect: 'none' },
  { name: 'rotate-log', byte: 'L', summary: 'rotate the log (needs --log-master with --logto)', dangerous: false, effect: 'none' },
  { name: 'update-pidfiles', byte: 'P', summary: 'rewrite the pidfiles', dangerous: false, effect: 'none' },
  { name: 'log-stats', byte: 's', summary: 'print the stats into the instance log', dangerous: false, effect: 'none' },
  { name: 'toggle-subscriptions', byte: 'S', summary: 'block/unblock subscriptions', dangerous: false, effect: 'none' },
  { name: 'reinforcements', byte: 'B', summary: 'ask the Emperor for reinforcements', dangerous: false, effect: 'none' },
  { name: 'shutdown', byte: 'q', summary: 'graceful shutdown of the instance', dangerous: true, effect: 'shutdown' },
  { name: 'shutdown-brutal', byte: 'Q', summary: 'brutal shutdown: in-flight requests are dropped', dangerous: true, effect: 'shutdown' },
] as const satisfies readonly FifoCommand[];

/** The name of a named (non-slot) FIFO command: a misspelt name in a list of commands fails to compile. */
export type FifoCommandName = (typeof BASE)[number]['name'];

const SLOTS: FifoCommand[] = Array.from({ length: 10 }, (_, n) => ({
  name: `slot-${n}`,
  byte: String(n),
  summary: `make the master read its FIFO slot ${n} (the ${ordinal(n)} --master-fifo) from the next write on`,
  dangerous: false,
  effect: 'slot' as const,
  slot: n,
}));

function ordinal(n: number): string {
  return ['1st', '2nd', '3rd'][n] ?? `${n + 1}th`;
}

/** Every named command, in help order. */
export const COMMANDS: readonly FifoCommand[] = [...BASE, ...SLOTS];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));
const BY_BYTE = new Map(COMMANDS.filter((c) => c.byte !== '').map((c) => [c.byte, c]));

/** The command a word names: a command name, `slot-N`, or a single digit; undefined when unknown. */
export function findCommand(word: string): FifoCommand | undefined {
  if (/^[0-9]$/.test(word)) return BY_NAME.get(`slot-${word}`);
  return BY_NAME.get(word);
}

/** The command uWSGI runs for one raw byte, undefined when uWSGI ignores the byte. */
export function commandForByte(byte: string): FifoCommand | undefined {
  return BY_BYTE.get(byte);
}

/** Resolve command words (names or digits) in order; throws UsageError naming the unknown word. */
export function parseCommandWords(words: string[]): FifoCommand[] {
  if (words.length === 0) throw new UsageError('no FIFO command given (try chain-reload, reload-workers, pause, resume, ...)');
  return words.map((word) => {
    const command = findCommand(word);
    if (!command) {
      throw new UsageError(`unknown FIFO command "${word}"; known: ${COMMANDS.filter((c) => c.effect !== 'slot').map((c) => c.name).join(', ')}, slot-0..slot-9 (or 0-9)`);
    }
    return command;
  });
}

/**
 * Resolve raw bytes (as `echo CHARS > fifo` would send) into commands, in order.
 * Unknown bytes are refused rather than silently sent, because uWSGI ignores them and the operator meant something.
 */
export function parseRawBytes(chars: string): FifoCommand[] {
  if (chars.length === 0) throw new UsageError('--raw needs at least one command character');
  return [...chars].map((ch) => {
    const command = commandForByte(ch);
    if (!command) {
      const shown = JSON.stringify(ch);
      throw new UsageError(`uWSGI has no master FIFO command ${shown}; known bytes: ${[...BY_BYTE.keys()].join('')}`);
    }
    return command;
  });
}

/** The commands in a list that need an interactive confirmation (R, W, q, Q, f, C). */
export function needsConfirmation(commands: readonly FifoCommand[]): FifoCommand[] {
  return commands.filter((c) => c.dangerous);
}
