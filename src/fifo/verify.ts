/**
 * Proof of effect: after a FIFO write, poll the instance's stats gently (one read at a time) until the
 * expected change shows, or report what was last seen when the time runs out.
 */
import { FifoError, StatsReadError } from '../core/errors.js';
import { parseAddress } from '../stats/address.js';
import { StatsClient } from '../stats/client.js';
import type { InstanceDocument, Snapshot } from '../stats/snapshot.js';
import type { Expectation } from './plan.js';
import { describeWorkers, runningWorkers } from './state.js';
import { workersReplaced } from '../metrics/replaced.js';
import { probeFifo } from './writer.js';
import { GenerationWatch, masterExitedMessage, type GenerationFailure, type GenerationOptions } from './generation.js';
import { processGone } from './master.js';

/**
 * Reads one stats document of the target; injectable so the logic can run on saved documents. The dashboard and
 * the relay pass their monitor's read (its poller: one request in flight, its --timeout and --max-bytes).
 */
export type StatsReader = (address: string, timeoutMs: number) => Promise<Snapshot>;

/** A reader for scripts: one bounded read at a time per address, the address parsed once, with this size cap. */
export function boundedReader(maxBytes?: number): StatsReader {
  const parsed = new Map<string, ReturnType<typeof parseAddress>>();
  const queues = new Map<string, Promise<unknown>>();
  const client = new StatsClient();
  return (address, timeoutMs) => {
    let target = parsed.get(address);
    if (target === undefined) {
      target = parseAddress(address);
      parsed.set(address, target);
    }
    const read = target;
    const task = (queues.get(address) ?? Promise.resolve()).then(() => client.readSnapshot(read, { timeoutMs, ...(maxBytes !== undefined ? { maxBytes } : {}) }));
    queues.set(address, task.catch(() => undefined));
    return task;
  };
}

/** The default reader (see boundedReader). */
export const readStats: StatsReader = boundedReader();

export interface VerifyOptions {
  /** Give up after this long, ms (default 30000). */
  timeoutMs?: number;
  /** Pause between two stats reads, ms (default 300): one read at a time, never a tight loop. */
  pollMs?: number;
  /** Time limit of one stats read, ms (default 3000). */
  readTimeoutMs?: number;
  /** Progress lines (e.g. chain reload "1 of 4 workers replaced"). */
  onProgress?: (message: string, done: number, total: number) => void;
  signal?: AbortSignal;
  reader?: StatsReader;
  /** The instance's --master-fifo paths in slot order, to check a slot switch at its new path. */
  slotPaths?: string[];
  /** Crash-loop threshold and window of the verdict about the new generation. */
  generation?: GenerationOptions;
  /** The master (the `before` document's pid) is a process of this machine: its exit is seen in /proc. */
  masterLocal?: boolean;
}

export interface VerifyResult {
  ok: boolean;
  /** True when every expected effect was seen, false when one was looked for and not seen, null when some could not be checked. */
  verified?: boolean | null;
  message: string;
  /** The new generation is broken (no app, crash loop, master gone): a failed reload, not a reload not yet seen. */
  failure?: GenerationFailure;
}

/** Read the instance document at `address`; throws FifoError when the address serves another kind of document. */
export async function readInstance(address: string, reader: StatsReader = readStats, timeoutMs = 3000): Promise<InstanceDocument> {
  const snapshot = await reader(address, timeoutMs);
  if (snapshot.kind !== 'instance') {
    throw new FifoError(`${address} is ${snapshot.kind === 'emperor' ? "an Emperor's" : "a router's"} stats server, not the instance's: give the --stats address of the instance that owns the FIFO`, 'usage');
  }
  return snapshot.doc;
}

/** A check on one document: null when satisfied, else what is still missing. */
type Check = (doc: InstanceDocument) => string | null;

/** Wait until the stats show `expect` (compared with `before`); the FIFO at `fifoPath` is used for slot checks. */
export async function verifyEffect(
  address: string | null,
  fifoPath: string,
  expect: Expectation,
  before: InstanceDocument | null,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  const parts: string[] = [];
  // Whether anything was left unchecked: no stats address, commands with no visible effect, a slot only guessed.
  let unchecked = false;
  if (expect.slot !== null) {
    const slot = await verifySlot(fifoPath, expect.slot, options.slotPaths ?? null, deadline, options);
    if (!slot.ok) return { ...slot, verified: false };
    if (slot.verified === null) unchecked = true;
    parts.push(slot.message);
  }
  if (needsStats(expect)) {
    if (address === null) {
      unchecked = true;
      parts.push('effect not verified (no stats address)');
    } else {
      const stats = await verifyStats(address, fifoPath, expect, before, deadline, options);
      if (!stats.ok) return { ok: false, verified: false, message: [...parts, stats.message].join('; '), ...(stats.failure ? { failure: stats.failure } : {}) };
      parts.push(stats.message);
    }
  }
  if (expect.unverifiable.length > 0) {
    unchecked = true;
    // The command's name is already in front of the whole result: say which only when there are several.
    parts.push(`no effect visible in the stats, not verified${expect.unverifiable.length > 1 ? ` (${expect.unverifiable.join(', ')})` : ''}`);
  }
  // Nothing to look for at all: written, and nothing more is known.
  if (parts.length === 0) return { ok: true, verified: null, message: 'written' };
  return { ok: true, verified: unchecked ? null : true, message: parts.join('; ') };
}

function needsStats(expect: Expectation): boolean {
  return expect.shutdown || expect.replace !== null || expect.goCheap || expect.runningWorkers !== null || expect.paused !== null;
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    // The listener goes when the sleep ends: the dashboard's signal lives as long as the dashboard, and a chain
    // reload sleeps between reads many times (Node warned of a leak over the screen after 11).
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Poll the stats until every expected change shows, or the deadline passes. */
async function verifyStats(
  address: string,
  fifoPath: string,
  expect: Expectation,
  before: InstanceDocument | null,
  deadline: number,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const reader = options.reader ?? readStats;
  const pollMs = options.pollMs ?? 300;
  const readTimeoutMs = options.readTimeoutMs ?? 3000;
  if (expect.shutdown) return waitForShutdown(address, reader, deadline, pollMs, readTimeoutMs, options.signal);
  const checks = buildChecks(expect, before, options);
  // Replacing workers: every document is also asked about the new generation, so a failure ends the wait at once.
  const watch = expect.replace !== null && before !== null ? new GenerationWatch(before, options.generation) : null;
  const gone = expect.replace !== null && before !== null ? masterWatch(before.pid, fifoPath, replaceLabel(expect.replace), options.masterLocal === true) : null;
  let lastSeen = 'no stats document read yet';
  // The limit is on stalling, not on the whole run: a chain reload of many workers serving slow requests
  // progresses for longer than the limit, and each step seen (e.g. one more worker replaced) restarts it.
  const limitMs = options.timeoutMs ?? 30000;
  let lastMissing: string | null = null;
  for (;;) {
    if (options.signal?.aborted) return { ok: false, message: `cancelled; last seen: ${lastSeen}` };
    try {
      const doc = await readInstance(address, reader, Math.max(500, Math.min(readTimeoutMs, deadline - Date.now())));
      lastSeen = describeWorkers(doc);
      gone?.seen();
      const failure = watch?.observe(doc, Date.now()) ?? null;
      if (failure !== null) return { ok: false, verified: false, failure, message: failure.message };
      const missing = checks.map((check) => check(doc)).filter((m): m is string => m !== null);
      if (missing.length === 0) return { ok: true, message: successMessage(expect, before, doc) };
      const now = missing.join('; ');
      if (lastMissing !== null && now !== lastMissing) deadline = Math.max(deadline, Date.now() + limitMs);
      lastMissing = now;
      lastSeen = `${now} (${lastSeen})`;
    } catch (err) {
      if (err instanceof FifoError) return { ok: false, message: err.message };
      // A reloading instance closes its stats server for a moment: keep polling, remember why.
      lastSeen = `stats unreadable: ${err instanceof Error ? err.message : String(err)}`;
      const failure = gone ? await gone.unreadable(err) : null;
      if (failure !== null) return { ok: false, verified: false, failure, message: failure.message };
    }
    if (Date.now() + pollMs > deadline) {
      return { ok: false, message: `not verified: no progress within ${Math.round(limitMs / 1000)} s: ${lastSeen}` };
    }
    await sleep(pollMs, options.signal);
  }
}

/** How an operator names a command that replaces workers. */
export function replaceLabel(kind: 'chain' | 'workers' | 'instance'): string {
  return kind === 'chain' ? 'chain reload' : kind === 'instance' ? 'reload' : 'reload of workers';
}

/**
 * Tells a master that exited from one that is reloading: a local master is gone from /proc; another machine's
 * is taken for gone when its stats server refuses and its FIFO has no reader for 5 s on end.
 */
function masterWatch(pid: number, fifoPath: string, label: string, local: boolean) {
  let downSince: number | null = null;
  return {
    seen(): void {
      downSince = null;
    },
    async unreadable(err: unknown): Promise<GenerationFailure | null> {
      const refused = err instanceof StatsReadError && (err.code === 'refused' || err.code === 'not-found');
      if (!refused) return null;
      const fifo = await probeFifo(fifoPath);
      const fifoText = fifo.state === 'no-reader' ? 'its FIFO has no reader' : fifo.state === 'missing' ? 'its FIFO is gone' : null;
      if (local) {
        if (!(await processGone(pid))) return null;
        const how = [err.code === 'refused' ? 'stats connection refused' : 'stats socket removed', fifoText, `/proc/${pid} gone`].filter(Boolean).join(', ');
        return masterExitedMessage(pid, label, how);
      }
      if (fifoText === null) return (downSince = null);
      downSince ??= Date.now();
      if (Date.now() - downSince < 5000) return null;
      return masterExitedMessage(pid, label, `stats connection refused and ${fifoText} for 5 s`);
    },
  };
}

function buildChecks(expect: Expectation, before: InstanceDocument | null, options: VerifyOptions): Check[] {
  const checks: Check[] = [];
  if (expect.replace !== null && before) checks.push(replacedCheck(expect.replace, before, options));
  if (expect.goCheap) {
    checks.push((doc) => {
      const left = doc.workers.filter((w) => w.pid > 0);
      return left.length === 0 ? null : `${left.length} worker(s) not cheap yet`;
    });
  }
  if (expect.runningWorkers !== null) {
    const want = expect.runningWorkers;
    checks.push((doc) => {
      const running = runningWorkers(doc);
      const ready = running.filter((w) => w.accepting).length;
      if (running.length !== want) return `expected ${want} running worker(s), see ${running.length}`;
      return ready === want ? null : `${want - ready} new worker(s) not accepting yet`;
    });
  }
  if (expect.paused !== null) {
    const want = expect.paused;
    checks.push((doc) => {
      const running = runningWorkers(doc);
      if (want) {
        const notPaused = running.filter((w) => w.status !== 'pause');
        // A worker busy with a request when p arrived finishes it first, then pauses.
        if (running.length > 0 && notPaused.every((w) => w.status === 'busy') && notPaused.length < running.length) return null;
        return notPaused.length === 0 && running.length > 0 ? null : `${notPaused.length} of ${running.length} worker(s) not paused`;
      }
      const stillPaused = running.filter((w) => w.status === 'pause');
      return stillPaused.length === 0 ? null : `${stillPaused.length} worker(s) still paused`;
    });
  }
  return checks;
}

/** Every worker that ran before must have a new pid and accept again; chain reload reports k of N. */
function replacedCheck(kind: 'chain' | 'workers' | 'instance', before: InstanceDocument, options: VerifyOptions): Check {
  const oldPids = new Set(runningWorkers(before).map((w) => w.pid));
  const total = runningWorkers(before).length;
  let reported = 0;
  return (doc) => {
    const running = runningWorkers(doc);
    const { replaced: k, old } = workersReplaced(oldPids, doc.workers);
    if (k > reported) {
      reported = k;
      const label = replaceLabel(kind);
      options.onProgress?.(`${label}: ${k} of ${total} workers replaced and accepting`, k, total);
    }
    if (old.length > 0) return `${old.length} of ${total} worker(s) still the old process (pid ${old.map((w) => w.pid).join(', ')})`;
    if (running.length < total) return `${running.length} of ${total} worker(s) running`;
    const notReady = running.filter((w) => !w.accepting);
    return notReady.length === 0 ? null : `${notReady.length} new worker(s) not accepting yet`;
  };
}

function successMessage(expect: Expectation, before: InstanceDocument | null, doc: InstanceDocument): string {
  const parts: string[] = [];
  if (expect.replace && before) {
    const n = runningWorkers(before).length;
    const pids = runningWorkers(doc).map((w) => w.pid).join(', ');
    if (expect.replace === 'instance') {
      const master = doc.pid === before.pid ? `master pid ${doc.pid} kept (re-executed)` : `new master pid ${doc.pid} (was ${before.pid})`;
      parts.push(`reloaded: ${master}, all ${n} workers replaced (pids ${pids}), accepting`);
    } else {
      parts.push(`${expect.replace === 'chain' ? 'chain reload done' : 'workers reloaded'}: ${n} of ${n} workers replaced (pids ${pids}), accepting`);
    }
    if (runningWorkers(before).some((w) => w.apps.length > 0)) parts.push('application loaded in every new worker');
  }
  if (expect.goCheap) parts.push('every worker is cheap');
  if (expect.runningWorkers !== null) parts.push(`${expect.runningWorkers} worker(s) running${before ? ` (was ${runningWorkers(before).length})` : ''}`);
  if (expect.paused !== null) {
    const running = runningWorkers(doc);
    const busy = running.filter((w) => w.status === 'busy').length;
    parts.push(expect.paused ? `paused: ${running.length - busy} of ${running.length} workers show pause${busy ? `, ${busy} busy finishing a request` : ''}` : `running: no worker paused (${running.length} workers)`);
  }
  return parts.join('; ');
}

async function waitForShutdown(
  address: string,
  reader: StatsReader,
  deadline: number,
  pollMs: number,
  readTimeoutMs: number,
  signal?: AbortSignal,
): Promise<VerifyResult> {
  let lastSeen = 'the stats server still answers';
  for (;;) {
    try {
      const doc = await readInstance(address, reader, Math.max(500, Math.min(readTimeoutMs, deadline - Date.now())));
      lastSeen = `the stats server still answers (${describeWorkers(doc)})`;
    } catch (err) {
      if (err instanceof StatsReadError && (err.code === 'refused' || err.code === 'not-found')) {
        return { ok: true, message: `shut down: the stats server at ${address} is gone (${err.code === 'refused' ? 'connection refused' : 'socket removed'})` };
      }
      lastSeen = `stats: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (signal?.aborted) return { ok: false, message: `cancelled; last seen: ${lastSeen}` };
    if (Date.now() + pollMs > deadline) return { ok: false, message: `shutdown not seen in time: ${lastSeen}` };
    await sleep(pollMs, signal);
  }
}

/**
 * After writing a slot digit the master keeps reading the old path until the writer closes, then re-creates the
 * FIFO at the new slot's path; the old path stays behind with no reader (ENXIO). Probing opens a writer
 * without writing, which only makes the master re-create its FIFO.
 */
async function verifySlot(fifoPath: string, slot: number, slotPaths: string[] | null, deadline: number, options: VerifyOptions): Promise<VerifyResult> {
  const target = slotPaths?.[slot] ?? null;
  if (slotPaths && target === null) {
    return { ok: false, message: `slot ${slot} is not declared (the instance has ${slotPaths.length} --master-fifo): uWSGI falls back to slot 0 (${slotPaths[0] ?? '?'})` };
  }
  const pollMs = Math.min(options.pollMs ?? 300, 200);
  const sameSlot = target !== null && target === fifoPath;
  // Without the slot list a switch is only visible as the old path going quiet; give it a few seconds at most.
  const limit = target === null ? Math.min(deadline, Date.now() + 3000) : deadline;
  let last = '';
  for (;;) {
    const old = sameSlot ? null : await probeFifo(fifoPath);
    const now = target ? await probeFifo(target) : null;
    const oldLeft = old === null || old.state !== 'answering';
    const newAnswers = now === null || now.state === 'answering';
    if (oldLeft && newAnswers) {
      if (target === null) return { ok: true, message: `slot ${slot} selected: the master no longer reads ${fifoPath}` };
      return { ok: true, message: sameSlot ? `slot ${slot} (${target}) still answering` : `slot ${slot} selected: the master now reads ${target}` };
    }
    last = !oldLeft ? `the master still reads ${fifoPath}` : `${target}: ${now?.message ?? ''}`;
    if (Date.now() + pollMs > limit) {
      if (target === null) {
        return { ok: true, verified: null, message: `written; ${fifoPath} still answers, so slot ${slot} is probably this same path (pass the instance's FIFO list, e.g. --ini, to verify)` };
      }
      const hint = last.startsWith('the master still reads') ? ` (does the instance declare ${slot + 1} --master-fifo? uWSGI falls back to slot 0 for an undeclared slot)` : '';
      return { ok: false, message: `slot ${slot} not seen: ${last}${hint}` };
    }
    await sleep(pollMs, options.signal);
  }
}
