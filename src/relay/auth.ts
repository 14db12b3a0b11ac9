/**
 * Who may talk to the relay: the token (Bearer, Basic password or ?token=; compared in constant time), the
 * Host header (against DNS rebinding when no token protects a loopback relay) and the Origin of WebSocket upgrades.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UsageError } from '../core/errors.js';

/** Characters a token may hold: safe in a URL query and an HTTP header without escaping surprises. */
const TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/** Check a token read from --token-file; throws UsageError saying what is wrong. */
export function validateToken(token: string): string {
  const trimmed = token.trim();
  if (!TOKEN_SHAPE.test(trimmed)) {
    throw new UsageError('the relay token must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. `openssl rand -hex 32`)');
  }
  return trimmed;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** True when `presented` equals `expected`; hashing first gives equal lengths so the comparison is constant-time. */
export function tokenMatches(expected: string, presented: string | null): boolean {
  if (presented === null) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

/**
 * The token a request carries: `Authorization: Bearer X`, or `Basic` with the token as password (any user
 * name: Prometheus's basic_auth), else the `token` query parameter.
 */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1]!;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic) {
      const pair = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      // A token never holds white space: a password file's trailing newline is not part of it.
      if (colon >= 0) return pair.slice(colon + 1).trim();
    }
  }
  // A token never holds a space, but base64 ones hold '+', which a query string typed by hand decodes to ' '.
  return url.searchParams.get('token')?.replace(/ /g, '+') ?? null;
}

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Split a Host header value ("name:port", "[v6]:port", "name") into host and port ('' when absent). */
export function splitHostHeader(value: string): { host: string; port: string } {
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(value);
  if (v6) return { host: v6[1]!.toLowerCase(), port: v6[2] ?? '' };
  const idx = value.lastIndexOf(':');
  if (idx >= 0 && value.indexOf(':') === idx) return { host: value.slice(0, idx).toLowerCase(), port: value.slice(idx + 1) };
  return { host: value.toLowerCase(), port: '' };
}

/**
 * Without a token, a loopback relay answers only requests naming a loopback host on its own port: a web page
 * on another site that rebinds its DNS name to 127.0.0.1 sends its own name in Host and is refused.
 */
export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  const { host, port: p } = splitHostHeader(hostHeader);
  return isLoopbackHost(host) && (p === '' ? port === 80 : p === String(port));
}

/** WebSocket upgrades: no Origin (a non-browser client) or an Origin naming exactly this Host (same page). */
export function originAllowed(originHeader: string | undefined, hostHeader: string | undefined): boolean {
  if (originHeader === undefined) return true;
  if (hostHeader === undefined) return false;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    return false;
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false;
  return origin.host.toLowerCase() === hostHeader.toLowerCase();
}
