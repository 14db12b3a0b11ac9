/** Worker status and in-flight request parsing (uWSGI's `status` string and a core's `vars`/`req_info`). */
import type { InFlightRequest, WorkerStatus } from './snapshot.js';

/** A worker's typed status and, for `sig<N>`, the signal number. */
export interface ParsedStatus {
  status: WorkerStatus;
  signal: number | null;
}

const SIG = /^sig(\d+)$/;

/** Map uWSGI's status string to the typed status; anything unexpected is 'unknown' (statusRaw keeps it). */
export function parseStatus(raw: string): ParsedStatus {
  switch (raw) {
    case 'idle':
    case 'busy':
    case 'pause':
    case 'cheap':
      return { status: raw, signal: null };
  }
  const m = SIG.exec(raw);
  if (m) return { status: 'sig', signal: Number(m[1]) };
  return { status: 'unknown', signal: null };
}

/** Split `KEY=VALUE` strings on the first '='; the empty string uWSGI ends the list with is dropped. */
export function parseVars(vars: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const last = vars.length - 1;
  for (let i = 0; i <= last; i++) {
    const s = vars[i]!;
    if (i === last && s === '') break;
    const eq = s.indexOf('=');
    out.push(eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)]);
  }
  return out;
}

/** Where the request sits: worker slot and pid, core id. */
export interface RequestPlace {
  workerSlot: number;
  workerPid: number;
  coreId: number;
}

/**
 * Build the in-flight request of a busy core. `requestStart` is req_info.request_start (epoch seconds);
 * 0 or absent means uWSGI did not say, so age is unknown rather than 55 years.
 */
export function parseRequest(
  place: RequestPlace,
  vars: readonly string[],
  requestStart: number | undefined,
  readAtMs: number,
): InFlightRequest {
  const pairs = parseVars(vars);
  // First occurrence wins: a client can repeat a header, but the server's own variables come first.
  let method: string | undefined;
  let httpHost: string | undefined;
  let serverName: string | undefined;
  let requestUri: string | undefined;
  let pathInfo: string | undefined;
  let queryString: string | undefined;
  let remoteAddr: string | undefined;
  for (const [k, v] of pairs) {
    switch (k) {
      case 'REQUEST_METHOD':
        method ??= v;
        break;
      case 'HTTP_HOST':
        httpHost ??= v;
        break;
      case 'SERVER_NAME':
        serverName ??= v;
        break;
      case 'REQUEST_URI':
        requestUri ??= v;
        break;
      case 'PATH_INFO':
        pathInfo ??= v;
        break;
      case 'QUERY_STRING':
        queryString ??= v;
        break;
      case 'REMOTE_ADDR':
        remoteAddr ??= v;
        break;
    }
  }
  const uri = requestUri ?? (pathInfo ?? '') + (queryString ? `?${queryString}` : '');
  const q = uri.indexOf('?');
  const startedAt = requestStart !== undefined && requestStart > 0 ? requestStart : null;
  return {
    workerSlot: place.workerSlot,
    workerPid: place.workerPid,
    coreId: place.coreId,
    method: method ?? '',
    host: httpHost ?? serverName ?? '',
    uri,
    path: pathInfo ?? (q < 0 ? uri : uri.slice(0, q)),
    query: queryString ?? (q < 0 ? '' : uri.slice(q + 1)),
    remoteAddr: remoteAddr ?? '',
    startedAt,
    ageSeconds: startedAt === null ? null : Math.max(0, readAtMs / 1000 - startedAt),
    vars: pairs,
  };
}
