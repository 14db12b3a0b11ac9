/**
 * The master FIFO's commands: names an operator can type, the byte uWSGI reads, and what each one does; and the
 * controller every front end runs them through (declared here so that the dashboard, which may read this table
 * but not the code that writes the FIFO, shares the one interface).
 */
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

/** A named (non-slot) command: its name is one of the table's, checked by the compiler. */
export type NamedFifoCommand = FifoCommand & { name: FifoCommandName };

/** The named commands (every one but the slot switches), in help order. */
export const NAMED_COMMANDS: readonly NamedFifoCommand[] = BASE;

/** Every named command, in help order. */
export const COMMANDS: readonly FifoCommand[] = [...BASE, ...SLOTS];

/**
 * A chain reload with a canary first (fifo chain-reload --canary): one worker reloaded, held and checked, then
 * the rest. The controller runs it by this name; it is no FIFO byte of its own, so the table leaves it out.
 */
export const CANARY_CHAIN_RELOAD: FifoCommand = {
  name: 'chain-reload-canary',
  byte: 'c',
  summary: 'reload one worker first (SIGHUP, needs --lazy-apps), hold and check it, then the chain reload of the rest',
  dangerous: false,
  effect: 'chain-reload',
};

/**
 * What a command did, as every front end reads it: the verdict and its line; a FIFO run here (src/fifo/run.ts's
 * FifoOutcome) adds what it wrote and saw, a relay's control gives only the verdict and its line.
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

/** One target's controller: run() takes a command name (e.g. 'chain-reload', 'pause', '2') and reports the outcome. */
export interface TargetControl<Outcome extends CommandOutcome = CommandOutcome> {
  /** The FIFO written to, as the confirmation names it. */
  fifoPath: string;
  /** Write the named command and wait for its effect. */
  run(command: string): Promise<Outcome>;
}

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
