/** The little HTTP/1.0 a stats read needs: one GET, and the reply split into status, headers and body. */
import { StatsReadError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';

/** What uWSGI's --stats-http needs to answer: any bytes will do; this is a minimal valid request. */
export const PROBE_REQUEST = Buffer.from('GET / HTTP/1.0\r\n\r\n', 'latin1');

/** A GET for an http(s):// stats URL (HTTP/1.0: the server closes after the body, no chunking). */
export function httpRequest(url: URL): Buffer {
  const path = (url.pathname || '/') + url.search;
  return Buffer.from(
    `GET ${path} HTTP/1.0\r\nHost: ${url.host}\r\nUser-Agent: uwsgitop-ts\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
    'latin1',
  );
}

export interface HttpReply {
  status: number;
  reason: string;
  headers: Map<string, string>;
  body: Buffer;
}

const MAX_HEADER_BYTES = 64 * 1024;

/**
 * A 200 reply whose body is no JSON object comes from an application (its --http-socket or --http port, a
 * common slip), never from uWSGI's --stats-http, which always answers with the document.
 */
export function applicationError(reply: HttpReply, where: string): StatsReadError | null {
  const text = reply.body.subarray(0, 64).toString('latin1').trimStart();
  if (reply.status !== 200 || text.startsWith('{')) return null;
  const type = escapeControls((reply.headers.get('content-type') ?? '').slice(0, 40));
  return new StatsReadError(
    `${where}: this is an HTTP application, not a stats server (it answered HTTP 200${type ? ` ${type}` : ''}, not a stats document): `
      + "give the address of uWSGI's --stats option (stats = ... in its ini), e.g. uwsgitop-ts 127.0.0.1:9191",
    'http-application',
    false,
  );
}

/** True when the reply starts like an HTTP response (a status line). */
export function looksLikeHttp(bytes: Buffer): boolean {
  return bytes.subarray(0, 5).toString('latin1') === 'HTTP/';
}

function decodeChunked(body: Buffer, where: string): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) throw new StatsReadError(`${where}: the chunked HTTP body ends early`, 'reset');
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new StatsReadError(`${where}: bad chunk size in the HTTP body`, 'io');
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (start + size > body.length) throw new StatsReadError(`${where}: the chunked HTTP body ends early`, 'reset');
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
}

/** Split an HTTP reply read to EOF; throws StatsReadError for a malformed or incomplete one. */
export function parseHttpReply(bytes: Buffer, where: string): HttpReply {
  let headerEnd = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  let separator = 4;
  if (headerEnd < 0) {
    headerEnd = bytes.indexOf('\n\n', 0, 'latin1');
    separator = 2;
  }
  if (headerEnd < 0 || headerEnd > MAX_HEADER_BYTES) {
    throw new StatsReadError(`${where}: the HTTP reply has no end of headers (${bytes.length} bytes read)`, headerEnd < 0 ? 'reset' : 'io');
  }
  const lines = bytes.subarray(0, headerEnd).toString('latin1').split(/\r?\n/);
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) throw new StatsReadError(`${where}: malformed HTTP status line ${JSON.stringify(escapeControls(statusLine.slice(0, 80)))}`, 'io');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = bytes.subarray(headerEnd + separator);
  if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) body = decodeChunked(body, where);
  else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (Number.isInteger(length) && length >= 0) {
      if (body.length < length) {
        throw new StatsReadError(`${where}: the HTTP body ended after ${body.length} of ${length} bytes`, 'reset');
      }
      body = body.subarray(0, length);
    }
  }
  return { status: Number(match[1]), reason: match[2] ?? '', headers, body };
}

/** The error for a reply whose status is not 200. */
export function statusError(reply: HttpReply, where: string): StatsReadError {
  const reason = escapeControls(reply.reason.slice(0, 60));
  const head = `${where} answered HTTP ${reply.status}${reason ? ` ${reason}` : ''}`;
  if (reply.status >= 300 && reply.status < 400) {
    const location = escapeControls((reply.headers.get('location') ?? '').slice(0, 200));
    return new StatsReadError(`${head}: it redirects${location ? ` to ${location}` : ''}; use that address`, 'http-status', false);
  }
  if (reply.status === 401 || reply.status === 403) {
    return new StatsReadError(`${head}: access refused (authentication is not supported)`, 'http-status', false);
  }
  if (reply.status === 404) {
    return new StatsReadError(`${head}: nothing there (uWSGI's --stats-http answers any path, so this is probably not a uWSGI stats server)`, 'http-status', false);
  }
  return new StatsReadError(`${head} instead of 200 with the stats document`, 'http-status', reply.status >= 500 || reply.status === 429);
}
