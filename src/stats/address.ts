/** Stats target addresses: the forms a user may type and their parsed meaning. */
import { statSync } from 'node:fs';
import net from 'node:net';
import { UsageError } from '../core/errors.js';

/** A parsed stats address. `text` is what the user typed (used as the target's name). */
export type StatsAddress =
  | { kind: 'tcp'; text: string; host: string; port: number }
  | { kind: 'unix'; text: string; path: string }
  | { kind: 'abstract'; text: string; name: string }
  | { kind: 'http'; text: string; url: string }
  | { kind: 'file'; text: string; path: string }
  | { kind: 'stdin'; text: string }
  | { kind: 'relay'; text: string; url: string };

/** sun_path is 108 bytes on Linux: 107 for a path plus its NUL terminator. */
const MAX_UNIX_PATH_BYTES = 107;
/** uWSGI binds `\0name\0`, so the name gets 108 - 2 bytes. */
const MAX_ABSTRACT_NAME_BYTES = 106;

const FORMS =
  'expected HOST:PORT, :PORT, [IPv6]:PORT, tcp://HOST:PORT, a unix socket path (./stats.sock), unix:///path, @abstract-name, http://HOST:PORT, file:PATH or -';

function usage(text: string, why: string): UsageError {
  return new UsageError(`invalid stats address ${JSON.stringify(text)}: ${why}`);
}

function parsePort(text: string, portText: string): number {
  if (portText === '') throw usage(text, `the port is missing (${FORMS})`);
  if (!/^[0-9]+$/.test(portText)) throw usage(text, `the port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw usage(text, `port ${portText} is out of range (1-65535)`);
  return port;
}

function checkHost(text: string, host: string): string {
  if (host === 'localhost') return '127.0.0.1'; // uWSGI resolves it to IPv4 when binding
  if (net.isIP(host) !== 0) return host;
  // A DNS name: letters, digits, hyphens and dots only (no spaces, no scheme leftovers).
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)) {
    throw usage(text, `${JSON.stringify(host)} is not a host name or IP address`);
  }
  return host;
}

/** The address as shown to people (target names, error lines): a relay token in the query is never printed. */
function redactToken(text: string): string {
  return text.replace(/([?&]token=)[^&#]*/gi, '$1***');
}

function parseUrl(typed: string, kind: 'http' | 'relay'): StatsAddress {
  const text = redactToken(typed);
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    throw usage(text, 'not a valid URL');
  }
  if (url.hostname === '') throw usage(text, 'the URL has no host');
  if (url.username !== '' || url.password !== '') throw usage(text, 'credentials in the URL are not supported');
  // URL itself refuses ports above 65535; it keeps :0 as '0' (only default ports become '').
  if (url.port !== '') parsePort(text, url.port);
  return { kind, text, url: url.href };
}

function isExistingPath(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Parse an address the user typed; throws UsageError with an explanation for anything malformed. */
export function parseAddress(text: string): StatsAddress {
  if (typeof text !== 'string' || text.trim() === '') throw usage(String(text ?? ''), `the address is empty (${FORMS})`);
  if (text !== text.trim()) throw usage(text, 'leading or trailing spaces');
  if (text.includes('\0')) throw usage(text, 'it contains a NUL byte');
  if (text === '-') return { kind: 'stdin', text };

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined || /^file:/i.test(text)) return parseSchemed(text, scheme);

  if (text.startsWith('@')) {
    const name = text.slice(1);
    if (name === '') throw usage(text, 'the abstract socket name after @ is empty');
    if (Buffer.byteLength(name) > MAX_ABSTRACT_NAME_BYTES) {
      throw usage(text, `abstract socket names are limited to ${MAX_ABSTRACT_NAME_BYTES} bytes`);
    }
    return { kind: 'abstract', text, name };
  }

  // A path: anything with a slash, or something that exists in the current directory (stats.sock).
  if (text.includes('/') || isExistingPath(text)) {
    if (Buffer.byteLength(text) > MAX_UNIX_PATH_BYTES) {
      throw usage(text, `unix socket paths are limited to ${MAX_UNIX_PATH_BYTES} bytes; use a shorter (e.g. relative) path`);
    }
    return { kind: 'unix', text, path: text };
  }
  return parseHostPort(text);
}

/** An address written with a scheme (tcp://, unix://, http(s)://, ws(s)://) or as file:PATH. */
function parseSchemed(text: string, scheme: string | undefined): StatsAddress {
  if (scheme === 'http' || scheme === 'https') return parseUrl(text, 'http');
  if (scheme === 'ws' || scheme === 'wss') return parseUrl(text, 'relay');
  // uwsgi_exporter's spellings: tcp://HOST:PORT and unix:///path (the typed text stays the target's name).
  if (scheme === 'tcp') {
    const rest = text.slice('tcp://'.length).replace(/\/$/, '');
    if (rest.includes('/')) throw usage(text, 'tcp://HOST:PORT takes no path');
    const inner = parseAddress(rest === '' ? ':' : rest);
    if (inner.kind !== 'tcp') throw usage(text, 'tcp:// wants HOST:PORT');
    return { ...inner, text };
  }
  if (scheme === 'unix') {
    const path = text.slice('unix://'.length);
    if (path === '') throw usage(text, 'unix:// needs a socket path, e.g. unix:///run/app/stats.sock');
    if (Buffer.byteLength(path) > MAX_UNIX_PATH_BYTES) throw usage(text, `unix socket paths are limited to ${MAX_UNIX_PATH_BYTES} bytes`);
    return { kind: 'unix', text, path };
  }
  if (/^file:/i.test(text)) return parseFileAddress(text);
  throw usage(text, `unknown scheme ${scheme}:// (tcp://, unix://, http://, https://, ws://, wss:// and file: are understood)`);
}

/** file:./saved.json, file:///abs/path or file://localhost/abs/path: a saved document. */
function parseFileAddress(text: string): StatsAddress {
  let path = text.slice(5);
  if (path.startsWith('//')) {
    try {
      const url = new URL(text);
      if (url.hostname !== '' && url.hostname !== 'localhost') throw usage(text, 'file URLs must name a local path');
      path = decodeURIComponent(url.pathname);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw usage(text, 'not a valid file URL');
    }
  }
  if (path === '') throw usage(text, 'file: needs a path, e.g. file:./saved-stats.json');
  return { kind: 'file', text, path };
}

/** [IPV6]:PORT, HOST:PORT or :PORT (127.0.0.1), with the likely mistakes named. */
function parseHostPort(text: string): StatsAddress {
  if (text.startsWith('[')) {
    const match = /^\[([^\]]*)\]:(.*)$/.exec(text);
    if (!match) throw usage(text, 'an IPv6 address is written [ADDRESS]:PORT, e.g. [::1]:9191');
    const host = match[1] ?? '';
    if (net.isIPv6(host) === false) throw usage(text, `${JSON.stringify(host)} is not an IPv6 address`);
    return { kind: 'tcp', text, host, port: parsePort(text, match[2] ?? '') };
  }

  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    if (/^[0-9]+$/.test(text)) throw usage(text, `a bare number is not an address: did you mean :${text} (127.0.0.1:${text})?`);
    if (/\.(sock|socket)$/i.test(text)) {
      throw usage(text, `no such file ./${text}: is uWSGI running with --stats ${text}? (write ./${text} to name a socket path that does not exist yet)`);
    }
    throw usage(text, `the port is missing (${FORMS})`);
  }
  const hostText = text.slice(0, colon);
  if (hostText.includes(':')) {
    throw usage(text, `put IPv6 addresses in brackets: [${hostText}]:${text.slice(colon + 1)}`);
  }
  const port = parsePort(text, text.slice(colon + 1));
  const host = hostText === '' ? '127.0.0.1' : checkHost(text, hostText);
  return { kind: 'tcp', text, host, port };
}

/** A key that identifies the endpoint an address reaches (two spellings of one socket share it). */
export function endpointKey(address: StatsAddress): string {
  switch (address.kind) {
    case 'tcp':
      return `tcp:${address.host}:${address.port}`;
    case 'unix':
    case 'file':
      return `${address.kind}:${address.path}`;
    case 'abstract':
      return `abstract:${address.name}`;
    case 'http':
    case 'relay':
      return `${address.kind}:${address.url}`;
    case 'stdin':
      return 'stdin';
  }
}
