/** The one mapping from an error to an exit status and its one stderr line, for every command. */
import { CommanderError } from 'commander';
import { UsageError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';

/**
 * Exit statuses of every command (README "Exit status" lists them): 1 is a failure to do or to see what was
 * asked (a refused write, stats unreadable, no effect within --timeout); 3 is a verdict: the command ran and
 * the new generation is broken (workers without their app, a crash loop, the master gone, a failed --check,
 * a failed canary).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, reloadFailed: 3 } as const;

/** The exit status of a FIFO command's or a dance's outcome. */
export function exitStatusForOutcome(outcome: { ok: boolean; failure?: unknown }): number {
  if (outcome.ok) return EXIT.ok;
  return outcome.failure !== undefined && outcome.failure !== null ? EXIT.reloadFailed : EXIT.failed;
}

/** Exit status: 0 (help, version), 2 usage errors (commander's or ours), 1 anything else; prints one line unless 0. */
export function exitStatusFor(err: unknown, prefix: string, helpHint: string, writeErr: (text: string) => void): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
    writeErr(`${prefix}: ${escapeControls(err.message.replace(/^error:\s*/, '').split('\n')[0]!)} (see ${helpHint})\n`);
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    writeErr(`${prefix}: ${escapeControls(err.message)} (see ${helpHint})\n`);
    return EXIT.usage;
  }
  writeErr(`${prefix}: ${escapeControls(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  return EXIT.failed;
}
