/**
 * `--check URL[=CLASS]`: requests to the application while a reload runs and after it, counted by status,
 * so "every worker replaced" is also "and it answered". Gentle: one request in flight at a time over all
 * URLs, a pause between two, a time limit on each. A status outside the expected class fails the reload.
 */
import { UsageError } from '../core/errors.js';
import { safeText } from '../core/safe-text.js';

export interface HttpCheck {
  url: string;
  /** The status class expected: 2 for 2xx, 3 for 3xx... */
  expect: number;
}

/** Parse `http://host:port/path=2xx` (the class defaults to 2xx); throws UsageError on anything else. */
export function parseCheck(text: string): HttpCheck {
  const m = /^(.*?)(?:=([1-5])xx)?$/i.exec(text.trim());
  const url = m?.[1] ?? '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--check wants URL or URL=2xx (e.g. http://127.0.0.1:8080/=2xx), got ${JSON.stringify(text)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--check wants an http:// or https:// URL, got ${JSON.stringify(text)}`);
  return { url: parsed.href, expect: Number(m?.[2] ?? 2) };
}

export interface CheckTally {
  total: number;
  /** Count per status ('200', '500', 'timeout', 'refused'...). */
  byStatus: Map<string, number>;
  /** The first answer outside the expected class, or null. */
  firstBad: string | null;
}

export interface CheckRunner {
  /** Stop after `afterMs` more of checking (the "after the reload" part); resolves with the tally. */
  finish(afterMs: number): Promise<CheckTally>;
  /** The tally so far. */
  tally(): CheckTally;
}

const PAUSE_MS = 250;
const REQUEST_TIMEOUT_MS = 3000;

/** Start checking `checks` now, one request at a time, until finish(). */
export function startChecks(checks: readonly HttpCheck[], options: { pauseMs?: number; timeoutMs?: number } = {}): CheckRunner {
  const pauseMs = options.pauseMs ?? PAUSE_MS;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const result: CheckTally = { total: 0, byStatus: new Map(), firstBad: null };
  let stopAt = Infinity;
  let next = 0;
  const loop = (async () => {
    if (checks.length === 0) return;
    while (Date.now() < stopAt) {
      const check = checks[next++ % checks.length]!;
      const status = await one(check.url, timeoutMs);
      result.total++;
      result.byStatus.set(status, (result.byStatus.get(status) ?? 0) + 1);
      if (result.firstBad === null && !(Number(status) >= check.expect * 100 && Number(status) < check.expect * 100 + 100)) {
        result.firstBad = `${check.url} answered ${status} (expected ${check.expect}xx)`;
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    tally: () => result,
    async finish(afterMs: number) {
      stopAt = Date.now() + afterMs;
      await loop;
      return result;
    },
  };
}

async function one(url: string, timeoutMs: number): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return String(res.status);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
    return cause === 'ECONNREFUSED' ? 'refused' : cause === 'ECONNRESET' ? 'reset' : 'error';
  }
}

/** "40 checks: 38 x 200, 2 x 500" (statuses by count). */
export function tallyText(tally: CheckTally): string {
  const parts = [...tally.byStatus].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${n} x ${safeText(status)}`);
  return `${tally.total} check${tally.total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
