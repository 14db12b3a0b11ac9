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

// The variables the request summary needs, found without splitting every KEY=VALUE string.
interface Picked {
  method?: string;
  httpHost?: string;
  serverName?: string;
  requestUri?: string;
  pathInfo?: string;
  queryString?: string;
  remoteAddr?: string;
}

function pick(vars: readonly string[]): Picked {
  const p: Picked = {};
  // First occurrence wins: a client can repeat a header, but the server's own variables come first.
  for (let i = 0; i < vars.length; i++) {
    const s = vars[i]!;
    const eq = s.indexOf('=');
    // Dispatch on the key's length first so most variables cost one indexOf and no allocation.
    switch (eq) {
      case 9:
        if (p.pathInfo === undefined && s.startsWith('PATH_INFO')) p.pathInfo = s.slice(10);
        else if (p.httpHost === undefined && s.startsWith('HTTP_HOST')) p.httpHost = s.slice(10);
        break;
      case 11:
        if (p.requestUri === undefined && s.startsWith('REQUEST_URI')) p.requestUri = s.slice(12);
        else if (p.remoteAddr === undefined && s.startsWith('REMOTE_ADDR')) p.remoteAddr = s.slice(12);
        else if (p.serverName === undefined && s.startsWith('SERVER_NAME')) p.serverName = s.slice(12);
        break;
      case 12:
        if (p.queryString === undefined && s.startsWith('QUERY_STRING')) p.queryString = s.slice(13);
        break;
      case 14:
        if (p.method === undefined && s.startsWith('REQUEST_METHOD')) p.method = s.slice(15);
        break;
    }
  }
  return p;
}

/**
 * An InFlightRequest whose `vars` pairs are split only when first read. A big instance has tens of
 * thousands of busy cores with a dozen variables each, and most reads never look at them: building every
 * pair eagerly made decoding a 64 x 256 busy instance several times slower (allocation and GC).
 * `vars` is an own, enumerable accessor shared by all instances (so objects keep one fast shape): reading,
 * assigning, Object.keys, spread, JSON.stringify and structuredClone see it like a plain array property.
 * The raw strings sit in private fields, invisible to all of those.
 */
class LazyVarsRequest implements InFlightRequest {
  // `declare`: plain assignments in the constructor, cheaper than defined class fields.
  declare workerSlot: number;
  declare workerPid: number;
  declare coreId: number;
  declare method: string;
  declare host: string;
  declare uri: string;
  declare path: string;
  declare query: string;
  declare remoteAddr: string;
  declare startedAt: number | null;
  declare ageSeconds: number | null;
  declare vars: Array<[string, string]>;
  #raw: readonly string[];
  #pairs: Array<[string, string]> | undefined;

  static readonly #varsAccessor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: LazyVarsRequest): Array<[string, string]> {
      this.#pairs ??= parseVars(this.#raw);
      return this.#pairs;
    },
    set(this: LazyVarsRequest, value: Array<[string, string]>) {
      this.#pairs = value;
    },
  };

  constructor(place: RequestPlace, raw: readonly string[], requestStart: number | undefined, readAtMs: number) {
    const p = pick(raw);
    const uri = p.requestUri ?? (p.pathInfo ?? '') + (p.queryString ? `?${p.queryString}` : '');
    const q = uri.indexOf('?');
    // 0 or absent means uWSGI did not say when the request started: the age is unknown, not 55 years.
    const startedAt = requestStart !== undefined && requestStart > 0 ? requestStart : null;
    this.workerSlot = place.workerSlot;
    this.workerPid = place.workerPid;
    this.coreId = place.coreId;
    this.method = p.method ?? '';
    this.host = p.httpHost ?? p.serverName ?? '';
    this.uri = uri;
    this.path = p.pathInfo ?? (q < 0 ? uri : uri.slice(0, q));
    this.query = p.queryString ?? (q < 0 ? '' : uri.slice(q + 1));
    this.remoteAddr = p.remoteAddr ?? '';
    this.startedAt = startedAt;
    this.ageSeconds = startedAt === null ? null : Math.max(0, readAtMs / 1000 - startedAt);
    this.#raw = raw;
    Object.defineProperty(this, 'vars', LazyVarsRequest.#varsAccessor);
  }
}

/**
 * Build the in-flight request of a busy core from its `vars` strings and req_info.request_start (epoch
 * seconds); ageSeconds is measured against `readAtMs`, when the document was read.
 */
export function parseRequest(
  place: RequestPlace,
  vars: readonly string[],
  requestStart: number | undefined,
  readAtMs: number,
): InFlightRequest {
  return new LazyVarsRequest(place, vars, requestStart, readAtMs);
}
