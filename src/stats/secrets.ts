/**
 * The secret-masking rule: which request variables and query parameters carry credentials, and the mark
 * that replaces them. One pure function over a snapshot, applied wherever data leaves the terminal session
 * (reports, JSON, the dashboard's variables view, the relay, recordings) unless the user asks to see them.
 */
import type { InFlightRequest, InstanceDocument, Snapshot, Worker } from './snapshot.js';

// Request variables (CGI names: HTTP_ + the header upper-cased) whose whole value is a credential.
const SECRET_VAR = /COOKIE|AUTHORI[SZ]ATION|AUTH_?TOKEN|TOKEN|API_?KEY|ACCESS_?KEY|SECRET|PASSW(?:OR)?D|SESSION|SIGNATURE|CSRF|XSRF|CREDENTIAL/i;
// Query parameters whose value is a credential, by any word of the name (access_token, X-Amz-Signature,
// apiKey, sessionid): words, not substrings, so `monkey` or `author` stay readable.
const SECRET_WORDS = new Set(['token', 'key', 'apikey', 'pass', 'password', 'passwd', 'pwd', 'secret', 'session', 'sessionid', 'sid', 'sig', 'signature', 'auth', 'credential', 'credentials', 'jwt', 'code']);
// Variables that hold a URL or a query string: their secret parameters are masked, the rest kept.
const URL_VARS = new Set(['REQUEST_URI', 'QUERY_STRING', 'HTTP_REFERER', 'DOCUMENT_URI', 'SCRIPT_URI']);
const MARK = /^\[hidden: \d+ chars?\]$/;

/** The mark shown instead of a secret: says that something was hidden and how long it was. */
export function secretMark(value: string): string {
  const n = Array.from(value).length;
  return `[hidden: ${n} char${n === 1 ? '' : 's'}]`;
}

/** True for a value that is already a mark (masking twice changes nothing). */
export function isSecretMark(value: string): boolean {
  return MARK.test(value);
}

/** True when the variable named `key` carries a credential in its whole value. */
export function isSecretVariable(key: string): boolean {
  return SECRET_VAR.test(key);
}

/** True when the query parameter named `name` carries a credential. */
export function isSecretParameter(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w));
}

/** A query string (`a=1&token=xyz`) with the values of secret parameters replaced by a mark. */
export function maskQuery(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      let name = part.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A broken escape is still matched by its raw text.
      }
      const value = part.slice(eq + 1);
      return isSecretParameter(name) && value !== '' && !isSecretMark(value) ? `${part.slice(0, eq)}=${secretMark(value)}` : part;
    })
    .join('&');
}

/** A URI (`/path?a=1&token=xyz#frag`) with its query's secret parameters masked. */
export function maskUri(uri: string): string {
  const q = uri.indexOf('?');
  if (q < 0) return uri;
  const hash = uri.indexOf('#', q);
  const end = hash < 0 ? uri.length : hash;
  return uri.slice(0, q + 1) + maskQuery(uri.slice(q + 1, end)) + uri.slice(end);
}

/** One variable's value as it may be shown. */
export function maskVariable(key: string, value: string): string {
  if (value === '' || isSecretMark(value)) return value;
  if (isSecretVariable(key)) return secretMark(value);
  if (URL_VARS.has(key)) return key === 'QUERY_STRING' ? maskQuery(value) : maskUri(value);
  return value;
}

/** The request with every credential masked; the same object when there was nothing to mask. */
export function maskRequest(request: InFlightRequest): InFlightRequest {
  const vars = request.vars;
  let changed: Array<[string, string]> | null = null;
  for (let i = 0; i < vars.length; i++) {
    const [key, value] = vars[i]!;
    const shown = maskVariable(key, value);
    if (shown !== value) {
      changed ??= vars.slice();
      changed[i] = [key, shown];
    }
  }
  const uri = maskUri(request.uri);
  const query = maskQuery(request.query);
  if (changed === null && uri === request.uri && query === request.query) return request;
  return { ...request, uri, query, vars: changed ?? vars };
}

function maskWorker(worker: Worker): Worker {
  if (worker.inFlight.length === 0) return worker;
  const masked = new Map<InFlightRequest, InFlightRequest>();
  let changed = false;
  for (const r of worker.inFlight) {
    const m = maskRequest(r);
    masked.set(r, m);
    if (m !== r) changed = true;
  }
  if (!changed) return worker;
  return {
    ...worker,
    inFlight: worker.inFlight.map((r) => masked.get(r)!),
    cores: worker.cores === null ? null : worker.cores.map((c) => (c.request === null ? c : { ...c, request: masked.get(c.request) ?? maskRequest(c.request) })),
  };
}

/** The snapshot with every in-flight request's credentials masked; the same object when none was found. */
export function maskSnapshot(snapshot: Snapshot): Snapshot {
  if (snapshot.kind !== 'instance') return snapshot;
  const doc: InstanceDocument = snapshot.doc;
  let changed = false;
  const workers = doc.workers.map((w) => {
    const m = maskWorker(w);
    if (m !== w) changed = true;
    return m;
  });
  if (!changed) return snapshot;
  return { ...snapshot, doc: { ...doc, workers } };
}

/** An update (or any record holding a snapshot) with its snapshot masked; the same object when unchanged. */
export function maskSnapshotOf<T extends { snapshot: Snapshot | null }>(record: T): T {
  if (record.snapshot === null) return record;
  const snapshot = maskSnapshot(record.snapshot);
  return snapshot === record.snapshot ? record : { ...record, snapshot };
}
