/**
 * What `serve` tells the operator to open. A relay bound to a wildcard (0.0.0.0, ::) has no address of its
 * own: "http://0.0.0.0:9192/" opens nothing from another box, so name this host (and its addresses) instead.
 * The token is never printed: only where to find it.
 */
import { escapeControls } from '../core/safe-text.js';

/** One address of this host, as os.networkInterfaces() lists them. */
export interface HostAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

/** This host's name and addresses (injected: os.hostname() and os.networkInterfaces() in the CLI). */
export interface HostFacts {
  hostname: string;
  addresses: readonly HostAddress[];
}

/** What to print: the headline address and, for a wildcard bind, other URLs that reach the same page. */
export interface PageAddress {
  /** e.g. `http://127.0.0.1:9192/` or `listening on all IPv4 interfaces, port 9192: open http://box:9192/` */
  headline: string;
  /** URLs by this host's external addresses (wildcard binds only). */
  alternatives: string[];
}

/** At most this many alternative URLs: a box with dozens of container bridges would flood the terminal. */
const MAX_ALTERNATIVES = 4;

function isWildcard(host: string): 'IPv4' | 'any' | null {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '') return 'IPv4';
  // Node binds '::' dual-stack (ipv6Only false): IPv4 clients reach it too.
  if (h.includes(':') && /^[0:]+$/.test(h)) return 'any';
  return null;
}

function familyOf(a: HostAddress): 'IPv4' | 'IPv6' {
  return a.family === 'IPv6' || a.family === 6 ? 'IPv6' : 'IPv4';
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * The page address for a relay listening on host:port; `tokenFile` (null without a token) is named in a
 * `?token=<the token in FILE>` placeholder so the operator knows what to append.
 */
export function pageAddress(host: string, port: number, tokenFile: string | null, facts: HostFacts): PageAddress {
  const query = tokenFile === null ? '' : `?token=<the token in ${escapeControls(tokenFile)}>`;
  const wildcard = isWildcard(host);
  if (wildcard === null) return { headline: `http://${urlHost(escapeControls(host))}:${port}/${query}`, alternatives: [] };
  // Link-local IPv6 addresses need a zone id, which browsers do not take in a URL.
  const usable = facts.addresses.filter(
    (a) => !a.internal && (wildcard === 'any' || familyOf(a) === 'IPv4') && !/^fe80:/i.test(a.address),
  );
  const urls = usable.map((a) => `http://${urlHost(escapeControls(a.address))}:${port}/`);
  const name = escapeControls(facts.hostname.trim());
  const where = wildcard === 'IPv4' ? 'all IPv4 interfaces' : 'all interfaces (IPv6 and IPv4)';
  // Without a usable host name, the first external address stands in; without either, loopback still works here.
  const primary = name !== '' && name !== 'localhost' ? `http://${urlHost(name)}:${port}/` : (urls[0] ?? `http://127.0.0.1:${port}/`);
  const alternatives = urls.filter((u) => u !== primary).slice(0, MAX_ALTERNATIVES);
  const more = urls.filter((u) => u !== primary).length - alternatives.length;
  if (more > 0) alternatives.push(`(${more} more address${more === 1 ? '' : 'es'})`);
  return { headline: `listening on ${where}, port ${port}: open ${primary}${query}`, alternatives };
}
