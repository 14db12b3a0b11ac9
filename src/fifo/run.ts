/** One FIFO command run: read the stats before, decide the bytes, write them once, then prove the effect. */
import { existsSync, lstatSync } from 'node:fs';
import { FifoError } from '../core/errors.js';
import type { InstanceDocument } from '../stats/snapshot.js';
import type { CommandOutcome, FifoCommand } from './commands.js';
import { planCommands } from './plan.js';
import { readInstance, replaceLabel, verifyEffect, type VerifyOptions } from './verify.js';
import { writeFifo, type WriteFifoOptions } from './writer.js';
import { fifosHeldBy } from './owner.js';
import type { GenerationFailure } from './generation.js';
import { isLocalUwsgi, masterOptions } from './master.js';
import { startChecks, tallyText, type CheckRunner, type HttpCheck } from './http-check.js';

export interface RunOptions extends VerifyOptions {
  /** --check: requests to the application during the reload and after it; a status outside its class fails it. */
  checks?: readonly HttpCheck[];
  /** How long the checks go on after the verdict, ms (default 2000). */
  checkAfterMs?: number;
  /** The instance's stats address; null/undefined: the effect cannot be verified. */
  stats?: string | null;
  /** Wait for the effect (default true). */
  wait?: boolean;
  write?: WriteFifoOptions;
}

/** What one run did: what was written where, whether its effect was seen, how far it got, and one line saying so. */
export interface FifoOutcome extends CommandOutcome {
  /** True when written and (when waiting) the effect was seen or could not be looked for. */
  ok: boolean;
  /** The FIFO written to: the master's, which may differ from the path given (see notes). */
  fifoPath: string;
  /** The bytes written ('' when nothing was needed or the write failed). */
  written: string;
  /**
   * The effect in the stats: true seen, false looked for and not seen (or nothing written), null not checked
   * (no stats address, not waited for, or a command with no visible effect).
   */
  verified: boolean | null;
  /** What the stats showed, or why it failed. */
  effect: string;
  /** Remarks on the way (another FIFO used, a pause of workers already paused...). */
  notes: string[];
  /** The last progress reported while waiting (chain reload: workers replaced of all), null when none. */
  progress: { done: number; total: number } | null;
  /** One line for the operator: the verdict first, so a cut line still tells it, then what was written. */
  message: string;
  /** The new generation failed (no app, crash loop, master exited, a failed check): the reload failed. */
  failure?: GenerationFailure;
}

/** Write `commands` to the master FIFO at `fifoPath` in one write and (by default) verify their effect. */
export async function runFifoCommands(fifoPath: string, commands: readonly FifoCommand[], options: RunOptions = {}): Promise<FifoOutcome> {
  const stats = options.stats ?? null;
  const wait = options.wait ?? true;
  let before: InstanceDocument | null = null;
  let progress: FifoOutcome['progress'] = null;
  try {
    if (stats !== null) {
      try {
        before = await readInstance(stats, options.reader, options.readTimeoutMs ?? 3000);
      } catch (err) {
        if (err instanceof FifoError) throw err;
        throw new FifoError(`cannot read the stats at ${stats} before writing, so nothing was written: ${err instanceof Error ? err.message : String(err)}`, 'stats');
      }
    }
    const target = await chooseFifo(fifoPath, options.slotPaths, before);
    fifoPath = target.path;
    const plan = planCommands(commands, before);
    if (plan.refused !== null) throw new FifoError(plan.refused, 'refused');
    const local = before !== null && (await isLocalUwsgi(before.pid));
    if (before !== null && local) await refuseWithoutCheaper(commands, before.pid);
    if (target.note) plan.notes.unshift(target.note);
    const notes = plan.notes;
    const noted = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    const outcome = (ok: boolean, written: string, verified: boolean | null, effect: string, message: string): FifoOutcome => ({
      ok, fifoPath, written, verified, effect, notes, progress, message,
    });
    if (plan.bytes === '') return outcome(true, '', null, 'nothing to write', `nothing written to ${fifoPath}${noted}`);
    // Checks go with commands that replace workers: a paused instance answering nothing is what pause asked for.
    const checking = wait && plan.expect.replace !== null && (options.checks?.length ?? 0) > 0 ? startChecks(options.checks!) : null;
    try {
      await writeFifo(fifoPath, plan.bytes, options.write);
    } catch (err) {
      await checking?.finish(0);
      throw err;
    }
    // The verdict first: a cut line (80 columns, a log viewer) still says whether it worked.
    const wrote = `wrote ${JSON.stringify(plan.bytes)} to ${fifoPath}${noted}`;
    if (!wait) return outcome(true, plan.bytes, null, 'effect not waited for', `effect not waited for (${wrote})`);
    const onProgress = (message: string, done: number, total: number): void => {
      progress = { done, total };
      options.onProgress?.(message, done, total);
    };
    const verified = await verifyEffect(stats, fifoPath, plan.expect, before, { ...options, onProgress, masterLocal: local });
    const seen = checking ? await withChecks(verified, checking, options.checkAfterMs ?? 2000) : verified;
    const result = outcome(seen.ok, plan.bytes, seen.verified ?? (seen.ok ? null : false), seen.message, `${seen.message} (${wrote})`);
    return seen.failure ? { ...result, failure: seen.failure, message: `${replaceLabel(plan.expect.replace ?? 'workers')} FAILED: ${result.message}` } : result;
  } catch (err) {
    if (err instanceof FifoError) {
      return { ok: false, fifoPath, written: '', verified: false, effect: err.message, notes: [], progress, message: err.message };
    }
    throw err;
  }
}

/** The checks go on for `afterMs` after a verdict that is not a failure; a status outside its class is one. */
export async function withChecks<T extends { ok: boolean; message: string; failure?: GenerationFailure }>(seen: T, checking: CheckRunner, afterMs: number): Promise<T> {
  const tally = await checking.finish(seen.failure ? 0 : afterMs);
  const counted = `${seen.message}; ${tallyText(tally)}`;
  if (seen.failure || tally.firstBad === null) return { ...seen, message: counted };
  const failure: GenerationFailure = { kind: 'check', message: `check failed: ${tally.firstBad}` };
  return { ...seen, ok: false, failure, message: `${failure.message}; ${counted}` };
}

/** add/remove-worker on a local master started without cheaper mode: uWSGI ignores + and -, so say it at once. */
async function refuseWithoutCheaper(commands: readonly FifoCommand[], pid: number): Promise<void> {
  const delta = commands.find((c) => c.effect === 'add-worker' || c.effect === 'remove-worker');
  if (delta === undefined) return;
  const options = await masterOptions(pid);
  if (options.cheaper !== false) return;
  throw new FifoError(
    `${delta.name} needs cheaper mode: master ${pid} runs without --cheaper (read from ${options.source}), so uWSGI ignores ${delta.byte === '+' ? "'+'" : "'-'"}; nothing written (start uWSGI with --cheaper N, e.g. --cheaper-algo manual, to add and remove workers)`,
    'refused',
  );
}

/**
 * The FIFO to write: with the master's pid known (from the stats) and several candidate paths (its slots, a
 * dance layout), the one that master holds open, so a command never reaches another instance sharing the paths.
 */
async function chooseFifo(
  fifoPath: string,
  slotPaths: readonly string[] | undefined,
  before: InstanceDocument | null,
): Promise<{ path: string; note: string | null }> {
  if (before === null || before.pid <= 0) return { path: fifoPath, note: null };
  const candidates = [fifoPath, ...(slotPaths ?? []).filter((p) => p !== fifoPath)];
  // None of them exists: the writer's "no such file" says it better than "the master reads none of them".
  if (!candidates.some((p) => existsSync(p))) return { path: fifoPath, note: null };
  // The master re-creates its FIFO after each writer closes: look again for a moment before concluding.
  for (let attempt = 0; attempt < 5; attempt++) {
    const held = await fifosHeldBy(before.pid, candidates);
    if (held === null) return { path: fifoPath, note: null }; // not our process to inspect: trust the path given
    if (held.includes(fifoPath)) return { path: fifoPath, note: null };
    if (held.length > 0) return { path: held[0]!, note: `using ${held[0]}, the FIFO master pid ${before.pid} reads` };
    await new Promise((r) => setTimeout(r, 100));
  }
  // The path is no FIFO at all (replaced by a file): the writer's refusal says so; no other instance is to blame.
  if (existsSync(fifoPath) && !lstatSync(fifoPath).isFIFO()) return { path: fifoPath, note: null };
  throw new FifoError(
    `master pid ${before.pid} reads none of ${candidates.join(', ')}: nothing written (another instance may read these paths, e.g. after a zerg dance)`,
    'not-owner',
  );
}
