/**
 * The zerg dance (uWSGI 2.0 manual, "The Art of Graceful Reloading") for instances that do not run it in their
 * own hooks: each instance declares slot 0 new.fifo, slot 1 running.fifo, slot 2 sleeping.fifo; only the
 * selected slot's path answers. Every step is checked before the next one, and nothing is done to the running
 * instance unless a new one is ready (dance) or a sleeping one exists (rollback).
 */
import { FifoError } from '../core/errors.js';
import { findCommand, type FifoCommand } from './commands.js';
import { runFifoCommands } from './run.js';
import { allPaused, describeWorkers, isPaused, runningWorkers } from './state.js';
import { readInstance, type StatsReader } from './verify.js';
import { probeFifo } from './writer.js';
import { GenerationWatch, type GenerationFailure, type GenerationOptions } from './generation.js';
import { StatsReadError } from '../core/errors.js';

export interface DanceFifos {
  newFifo: string;
  runningFifo: string;
  sleepingFifo: string;
}

/** Stats addresses of the instances currently in each role (each optional). */
export interface DanceStats {
  newStats?: string | null;
  runningStats?: string | null;
  sleepingStats?: string | null;
}

export interface DanceOptions {
  /** Time limit of each step's effect, ms (default 30000). */
  timeoutMs?: number;
  /** One line per step as it happens. */
  onStep?: (line: string) => void;
  reader?: StatsReader;
  /**
   * Rollback only: the manual's exact order (Q to running.fifo, then p1 to sleeping.fifo). The default resumes the
   * sleeper first and shuts the runner down gracefully, so no request is dropped and none waits in the gap.
   */
  manualOrder?: boolean;
  /** Crash-loop threshold and window of the verdict about the new instance. */
  generation?: GenerationOptions;
}

export interface DanceReport {
  ok: boolean;
  /** Every step taken or skipped, in order. */
  steps: string[];
  /** The new instance is broken (no app, crash loop, gone): the dance failed, nothing was done to the others. */
  failure?: GenerationFailure;
}

function cmd(name: string): FifoCommand {
  const command = findCommand(name);
  if (!command) throw new Error(`internal: no FIFO command ${name}`);
  return command;
}

class Steps {
  readonly lines: string[] = [];
  constructor(private readonly onStep?: (line: string) => void) {}
  add(line: string): void {
    this.lines.push(line);
    this.onStep?.(line);
  }
  fail(line: string): DanceReport {
    this.add(`FAILED: ${line}`);
    return { ok: false, steps: this.lines };
  }
  done(): DanceReport {
    return { ok: true, steps: this.lines };
  }
}

/** How long a path must stay unanswered before its master counts as gone. */
const QUIET_MS = 1000;

/**
 * Wait until the path stays unanswered for QUIET_MS (the master that read it exited or moved); false on
 * timeout. One unanswered probe is not enough: a master reopens its FIFO after each writer closes it (our
 * own write of the command included), and one that is still shutting down may yet re-create the path, which
 * would take it from the instance the next step moves there.
 */
async function waitQuiet(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | null = null;
  while (Date.now() < deadline) {
    const now = Date.now();
    if ((await probeFifo(path)).state === 'answering') quietSince = null;
    else if (quietSince === null) quietSince = now;
    else if (now - quietSince >= QUIET_MS) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Shut an instance down through its FIFO; without stats, proof is its FIFO going quiet (the master exited). */
async function shutDown(path: string, name: 'shutdown' | 'shutdown-brutal', stats: string | null, common: { timeoutMs: number; reader?: StatsReader; slotPaths: string[] }): Promise<{ ok: boolean; message: string }> {
  const result = await runFifoCommands(path, [cmd(name)], { ...common, stats, wait: stats !== null });
  if (!result.ok || stats !== null) return result;
  if (!(await waitQuiet(path, common.timeoutMs))) return { ok: false, message: `${path} still answers after ${cmd(name).byte}: the master did not exit` };
  return { ok: true, message: `wrote ${JSON.stringify(cmd(name).byte)} to ${path}: the master no longer reads it (exited)` };
}

/** Make the new instance the runner: kill the sleeper, put the runner to sleep (slot 2, paused), promote the new one. */
export async function zergDance(fifos: DanceFifos, stats: DanceStats = {}, options: DanceOptions = {}): Promise<DanceReport> {
  const steps = new Steps(options.onStep);
  const timeoutMs = options.timeoutMs ?? 30000;
  const slotPaths = [fifos.newFifo, fifos.runningFifo, fifos.sleepingFifo];
  const common = { timeoutMs, reader: options.reader, slotPaths };

  // Nothing is touched unless a new instance reads new.fifo and is ready to serve.
  const fresh = await probeFifo(fifos.newFifo);
  if (fresh.state !== 'answering') return steps.fail(`no new instance to promote, nothing done: ${fresh.message}`);
  if (stats.newStats) {
    // Like hook-accepting1-once: wait for the new instance's first accepting worker before touching the others,
    // and for a verdict on it: its workers must serve the app the runner serves, and not crash-loop.
    const expectApps = await runnerHasApps(stats.runningStats ?? null, options.reader);
    const ready = await waitReady(stats.newStats, fifos.newFifo, timeoutMs, expectApps, options);
    if (!ready.ok) {
      const line = `the new instance (${stats.newStats}) ${ready.failure ? 'is broken' : 'is not ready'}, nothing done (nothing written to the running instance: it keeps serving the old code): ${ready.message}`;
      return ready.failure ? { ...steps.fail(line), failure: ready.failure } : steps.fail(line);
    }
    steps.add(`new instance ready: ${ready.message}`);
  } else {
    steps.add(`new instance reads ${fifos.newFifo}`);
  }

  // 1. The old sleeper dies (Q: it is paused, so nothing is in flight).
  const sleeper = await probeFifo(fifos.sleepingFifo);
  if (sleeper.state === 'answering') {
    const result = await shutDown(fifos.sleepingFifo, 'shutdown-brutal', stats.sleepingStats ?? null, common);
    if (!result.ok) return steps.fail(`old sleeper: ${result.message}`);
    steps.add(`old sleeper shut down: ${result.message}`);
  } else {
    steps.add(`no sleeping instance (${sleeper.state} at ${fifos.sleepingFifo}): step Q skipped`);
  }

  // 2. The runner moves to slot 2 and pauses ('2p'; just '2' if its stats show it already paused).
  const runner = await probeFifo(fifos.runningFifo);
  if (runner.state === 'answering') {
    const commands = stats.runningStats ? [cmd('slot-2'), cmd('pause')] : [cmd('slot-2'), cmd('pause-toggle')];
    const result = await runFifoCommands(fifos.runningFifo, commands, { ...common, stats: stats.runningStats ?? null });
    if (!result.ok) return steps.fail(`old runner: ${result.message}`);
    steps.add(`old runner now sleeps: ${result.message}`);
  } else {
    steps.add(`no running instance (${runner.state} at ${fifos.runningFifo}): step 2p skipped (first deploy)`);
  }

  // 3. The new instance takes slot 1.
  const promote = await runFifoCommands(fifos.newFifo, [cmd('slot-1')], { ...common, stats: null });
  if (!promote.ok) return steps.fail(`new instance: ${promote.message}`);
  steps.add(`new instance now runs: ${promote.message}`);

  return finalCheck(steps, stats.newStats ?? null, stats.runningStats ?? null, options);
}

/** Bring the sleeper back: it resumes and takes slot 1, the current runner shuts down. */
export async function zergRollback(fifos: Pick<DanceFifos, 'runningFifo' | 'sleepingFifo'>, stats: Pick<DanceStats, 'runningStats' | 'sleepingStats'> = {}, options: DanceOptions = {}): Promise<DanceReport> {
  const steps = new Steps(options.onStep);
  const timeoutMs = options.timeoutMs ?? 30000;
  const slotPaths = ['', fifos.runningFifo, fifos.sleepingFifo];
  const common = { timeoutMs, reader: options.reader, slotPaths };

  // Without a sleeper there is nothing to roll back to: never shut the runner down then.
  const sleeper = await probeFifo(fifos.sleepingFifo);
  if (sleeper.state !== 'answering') return steps.fail(`no sleeping instance to bring back, nothing done: ${sleeper.message}`);
  if (stats.sleepingStats) {
    try {
      const doc = await readInstance(stats.sleepingStats, options.reader);
      steps.add(`sleeping instance: ${allPaused(doc) ? 'paused' : isPaused(doc) ? 'pausing' : 'NOT paused'} (${describeWorkers(doc)})`);
    } catch (err) {
      return steps.fail(`cannot read the sleeping instance's stats at ${stats.sleepingStats}, nothing done: ${message(err)}`);
    }
  }
  const runner = await probeFifo(fifos.runningFifo);
  const resume = stats.sleepingStats ? cmd('resume') : cmd('pause-toggle');

  if (options.manualOrder) {
    if (runner.state === 'answering') {
      const r = await shutDown(fifos.runningFifo, 'shutdown-brutal', stats.runningStats ?? null, common);
      if (!r.ok) return steps.fail(`runner: ${r.message}`);
      steps.add(`runner shut down: ${r.message}`);
    } else {
      steps.add(`no running instance (${runner.state} at ${fifos.runningFifo}): step Q skipped`);
    }
    const back = await runFifoCommands(fifos.sleepingFifo, [resume, cmd('slot-1')], { ...common, stats: stats.sleepingStats ?? null });
    if (!back.ok) return steps.fail(`sleeper: ${back.message}`);
    steps.add(`sleeper runs again: ${back.message}`);
    return finalCheck(steps, stats.sleepingStats ?? null, null, options);
  }

  // Safe order: resume first (both serve for a moment), then a graceful shutdown lets the runner finish its requests.
  const awake = await runFifoCommands(fifos.sleepingFifo, [resume], { ...common, stats: stats.sleepingStats ?? null });
  if (!awake.ok) return steps.fail(`sleeper: ${awake.message}`);
  steps.add(`sleeper resumed: ${awake.message}`);
  if (runner.state === 'answering') {
    const down = await shutDown(fifos.runningFifo, 'shutdown', stats.runningStats ?? null, common);
    if (!down.ok) return steps.fail(`runner: ${down.message}`);
    steps.add(`runner shut down gracefully: ${down.message}`);
  } else {
    steps.add(`no running instance (${runner.state} at ${fifos.runningFifo}): step q skipped`);
  }
  const promote = await runFifoCommands(fifos.sleepingFifo, [cmd('slot-1')], { ...common, stats: null });
  if (!promote.ok) return steps.fail(`sleeper: ${promote.message}`);
  steps.add(`sleeper now runs: ${promote.message}`);
  return finalCheck(steps, stats.sleepingStats ?? null, null, options);
}

/** With stats: the runner must have no paused worker, the sleeper (if any) every worker paused. */
async function finalCheck(steps: Steps, runnerStats: string | null, sleeperStats: string | null, options: DanceOptions): Promise<DanceReport> {
  try {
    if (runnerStats) {
      const doc = await readInstance(runnerStats, options.reader);
      if (isPaused(doc) || runningWorkers(doc).length === 0) return steps.fail(`the runner (${runnerStats}) is not serving: ${describeWorkers(doc)}`);
      steps.add(`runs: ${runnerStats} (${describeWorkers(doc)})`);
    }
    if (sleeperStats) {
      const doc = await readInstance(sleeperStats, options.reader);
      if (!isPaused(doc)) return steps.fail(`the sleeper (${sleeperStats}) is not paused: ${describeWorkers(doc)}`);
      steps.add(`sleeps: ${sleeperStats} (${describeWorkers(doc)})`);
    }
  } catch (err) {
    if (err instanceof FifoError) return steps.fail(err.message);
    return steps.fail(`final check: ${message(err)}`);
  }
  return steps.done();
}

/** Whether the running instance serves an application (then the new one must); true when it cannot be read. */
async function runnerHasApps(address: string | null, reader?: StatsReader): Promise<boolean> {
  if (address === null) return true;
  try {
    return runningWorkers(await readInstance(address, reader)).some((w) => w.apps.length > 0);
  } catch {
    return true;
  }
}

/**
 * Poll the new instance until a worker accepts requests with its application loaded and none is paused; a
 * worker without the app, a crash-looping slot or an instance gone (stats refused, FIFO unread for 2 s) fail
 * at once. The last state on timeout.
 */
async function waitReady(
  address: string,
  fifo: string,
  timeoutMs: number,
  expectApps: boolean,
  options: DanceOptions,
): Promise<{ ok: boolean; message: string; failure?: GenerationFailure }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no stats read yet';
  let watch: GenerationWatch | null = null;
  let goneSince: number | null = null;
  for (;;) {
    try {
      const doc = await readInstance(address, options.reader);
      goneSince = null;
      watch ??= new GenerationWatch(doc, options.generation, { expectApps });
      const failure = watch.observe(doc, Date.now());
      if (failure) return { ok: false, message: failure.message, failure };
      const ready = runningWorkers(doc).filter((w) => w.accepting && w.status !== 'pause' && (!expectApps || w.apps.length > 0));
      if (ready.length > 0 && !isPaused(doc)) return { ok: true, message: `${ready.length} worker(s) accepting${expectApps ? ' with the app loaded' : ''} (${describeWorkers(doc)})` };
      last = `no worker accepting yet within ${Math.round(timeoutMs / 1000)} s (${describeWorkers(doc)})`;
    } catch (err) {
      if (err instanceof FifoError) return { ok: false, message: err.message };
      last = `stats unreadable: ${message(err)}`;
      const refused = err instanceof StatsReadError && (err.code === 'refused' || err.code === 'not-found');
      if (refused && (await probeFifo(fifo)).state !== 'answering') {
        goneSince ??= Date.now();
        if (Date.now() - goneSince >= 2000) {
          const failure: GenerationFailure = { kind: 'master-exited', message: `the new instance is gone: its stats server refuses and ${fifo} has no reader (exited at start? see its log)` };
          return { ok: false, message: failure.message, failure };
        }
      } else goneSince = null;
    }
    if (Date.now() + 300 > deadline) return { ok: false, message: last };
    await new Promise((r) => setTimeout(r, 300));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
