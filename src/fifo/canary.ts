/**
 * `fifo FIFO chain-reload --canary`: one worker first. With --lazy-apps, SIGHUP to one worker of a local
 * master makes it finish its requests and come back with the code now on disk, while the others keep serving
 * the old code. The new worker is held for a settle time and checked (app loaded, accepting, not respawning,
 * no new exceptions or harakiri, the --check URLs answering); only then is the chain reload written. A canary
 * that fails stops everything and says what failed and what to do.
 */
import { FifoError } from '../core/errors.js';
import { findCommand } from './commands.js';
import { GenerationWatch, type GenerationFailure } from './generation.js';
import { startChecks } from './http-check.js';
import { isLocalUwsgi, masterOptions, parentOf, processGone } from './master.js';
import { runFifoCommands, withChecks, type FifoOutcome, type RunOptions } from './run.js';
import { runningWorkers } from './state.js';
import { readInstance } from './verify.js';
import type { InstanceDocument, Worker } from '../stats/snapshot.js';

export interface CanaryOptions extends RunOptions {
  /** How long the canary worker must stay healthy before the rest are reloaded, ms (default 10000). */
  settleMs?: number;
  /** Send a signal to a worker (tests may watch it); default process.kill. */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

const PAUSE_MS = 300;

/** Reload one worker, hold and check it, then chain-reload the rest; see the module comment. */
export async function runCanaryChainReload(fifoPath: string, options: CanaryOptions = {}): Promise<FifoOutcome> {
  const stats = options.stats ?? null;
  const fail = (message: string, failure?: GenerationFailure): FifoOutcome => ({
    ok: false, fifoPath, written: '', verified: false, effect: message, notes: [], progress: null, message, ...(failure ? { failure } : {}),
  });
  if (stats === null) return fail('a canary needs the instance stats address (--stats) to see the canary worker');
  let before: InstanceDocument;
  try {
    before = await readInstance(stats, options.reader, options.readTimeoutMs ?? 3000);
  } catch (err) {
    return fail(`cannot read the stats at ${stats}, nothing done: ${err instanceof Error ? err.message : String(err)}`);
  }
  const master = before.pid;
  if (!(await isLocalUwsgi(master))) {
    return fail(`a canary reloads one worker by a signal to its pid: master ${master} is not a uWSGI process of this machine, nothing done (run the canary on the instance's host, or a plain chain-reload)`);
  }
  const lazy = await masterOptions(master);
  if (lazy.lazyApps === false) {
    return fail(
      `a canary cannot mean anything here: master ${master} runs without --lazy-apps (read from ${lazy.source}), so every worker forks from the app the master loaded at start and a reloaded worker still runs the old code; nothing done. Load new code with reload (r), or start uWSGI with --lazy-apps`,
    );
  }
  if (lazy.lazyApps === null) {
    return fail(`cannot tell whether master ${master} uses --lazy-apps (${lazy.source}), so a canary could prove nothing; nothing done (a plain chain-reload still gives a verdict)`);
  }
  const running = runningWorkers(before).filter((w) => w.accepting);
  const canary = running[0];
  if (canary === undefined || runningWorkers(before).length < 2) {
    return fail(`a canary needs two running workers or more (one to try the new code, the others serving the old): ${runningWorkers(before).length} run, nothing done`);
  }
  // Never signal a pid that is not this master's worker (a recycled pid, another pid namespace).
  if ((await parentOf(canary.pid)) !== master) return fail(`worker ${canary.slot} (pid ${canary.pid}) is not a child of master ${master} here, nothing done`);
  options.onProgress?.(`canary: reloading worker ${canary.slot} (pid ${canary.pid}) alone, the other ${runningWorkers(before).length - 1} keep the old code`, 0, 1);
  const checking = (options.checks?.length ?? 0) > 0 ? startChecks(options.checks!) : null;
  (options.kill ?? ((pid, signal) => process.kill(pid, signal)))(canary.pid, 'SIGHUP');
  const verdict = await watchCanary(stats, before, canary, options);
  const seen = checking ? await withChecks(verdict, checking, 0) : verdict;
  const others = runningWorkers(before).filter((w) => w.slot !== canary.slot);
  if (!seen.ok) {
    const oldCode = `the other ${others.length} worker${others.length === 1 ? '' : 's'} (pid ${others.map((w) => w.pid).join(', ')}) still run the old code: nothing else was reloaded`;
    const next = `restore the previous release, then reload worker ${canary.slot} again (run this command again, or kill -HUP its pid) so it runs the old code too`;
    const failure: GenerationFailure = seen.failure ?? { kind: 'canary', message: seen.message };
    const message = `canary FAILED: ${seen.message}; ${oldCode}; next: ${next}`;
    return { ...fail(message, { kind: 'canary', message: failure.message }) };
  }
  options.onProgress?.(`canary: ${seen.message}; chain reload of the rest`, 1, 1);
  const chain = findCommand('chain-reload');
  if (!chain) throw new FifoError('internal: no chain-reload command');
  const rest = await runFifoCommands(fifoPath, [chain], options);
  return { ...rest, message: `canary passed (${seen.message}); ${rest.message}` };
}

/** Wait for the canary's new process, then hold it for the settle time, checking it at every read. */
async function watchCanary(stats: string, before: InstanceDocument, canary: Worker, options: CanaryOptions): Promise<{ ok: boolean; message: string; failure?: GenerationFailure }> {
  const settleMs = options.settleMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const watch = new GenerationWatch(before, options.generation);
  let fresh: Worker | null = null;
  let since = 0;
  let last = 'not read yet';
  for (;;) {
    let doc: InstanceDocument | null = null;
    try {
      doc = await readInstance(stats, options.reader, options.readTimeoutMs ?? 3000);
    } catch (err) {
      if (await processGone(before.pid)) return { ok: false, message: `master ${before.pid} exited while the canary loaded`, failure: { kind: 'master-exited', message: `master ${before.pid} exited` } };
      last = `stats unreadable: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (doc) {
      const failure = watch.observe(doc, Date.now());
      if (failure) return { ok: false, message: failure.message, failure };
      const w = doc.workers.find((x) => x.slot === canary.slot);
      if (w && w.pid !== canary.pid && w.pid > 0 && w.accepting) {
        if (fresh === null || fresh.pid !== w.pid) {
          if (fresh !== null) return { ok: false, message: `worker ${canary.slot} respawned again during the settle time (pid ${fresh.pid} -> ${w.pid})` };
          fresh = w;
          since = Date.now();
          options.onProgress?.(`canary: worker ${canary.slot} runs the new code as pid ${w.pid}, holding it ${Math.round(settleMs / 100) / 10} s`, 0, 1);
        }
        if (w.apps.length === 0 && watch.hadApps) return { ok: false, message: `worker ${canary.slot} (pid ${w.pid}) has no application loaded: the new code fails to load` };
        if (w.exceptions > fresh.exceptions) return { ok: false, message: `worker ${canary.slot} (pid ${w.pid}) raised ${w.exceptions - fresh.exceptions} exception(s) while held` };
        if (w.harakiriCount > fresh.harakiriCount) return { ok: false, message: `worker ${canary.slot} (pid ${w.pid}) was killed by harakiri while held` };
        if (Date.now() - since >= settleMs) {
          const served = w.requests - fresh.requests;
          return { ok: true, message: `worker ${canary.slot} (pid ${w.pid}) healthy for ${Math.round((Date.now() - since) / 100) / 10} s with the new code: app loaded, accepting, ${served} request(s) served, no exception, no harakiri` };
        }
        last = `worker ${canary.slot} (pid ${w.pid}) held ${Math.round((Date.now() - since) / 1000)} s of ${Math.round(settleMs / 1000)} s`;
      } else if (fresh !== null) {
        return { ok: false, message: `worker ${canary.slot} went away during the settle time (pid ${fresh.pid} -> ${w?.pid ?? 'none'})` };
      } else {
        last = `worker ${canary.slot} not back yet (pid ${w?.pid ?? 'none'}${w && !w.accepting ? ', not accepting' : ''})`;
      }
    }
    if (Date.now() > deadline && fresh === null) return { ok: false, message: `no verdict within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s: ${last}` };
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
}
