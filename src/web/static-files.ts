/**
 * The page's files: the browser modules compiled from src/page (tsconfig.page.json) into dist/page, read
 * once at start with their gzip encodings, and served by exact path only (no path ever comes from a URL).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';

/** One file ready to send. */
export interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

// src/web and dist/web are both two levels below the package root.
const PAGE_DIR = fileURLToPath(new URL('../../dist/page/', import.meta.url));

/** Where the served modules live (URL prefix). */
export const MODULE_PREFIX = '/js/';

/** The page's entry module, as the HTML names it. */
export const PAGE_ENTRY = `${MODULE_PREFIX}page/main.js`;

// Static imports of a compiled module (type-only imports are gone after tsc).
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"](\.[^'"]+)['"]/gm;

/** The modules the entry loads, found by following its relative imports (nothing else is served). */
function reachable(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(join(dir, rel), 'utf8');
    for (const m of text.matchAll(IMPORT)) queue.push(normalize(join(dirname(rel), m[1]!)).split('\\').join('/'));
  }
  return [...seen];
}

/** A body with its gzip form (level 9: encoded once per process or per update, sent many times). */
export function withGzip(type: string, body: Buffer): StaticFile {
  return { type, body, gzip: gzipSync(body, { level: 9 }) };
}

/** Read the page's compiled modules; a missing build is a UsageError naming the command that makes it. */
export function loadPageModules(dir = PAGE_DIR): Map<string, StaticFile> {
  let files: string[];
  try {
    files = reachable(dir, PAGE_ENTRY.slice(MODULE_PREFIX.length));
  } catch {
    throw new UsageError('the web page is not built (dist/page is missing or incomplete): run npm run build');
  }
  const map = new Map<string, StaticFile>();
  for (const rel of files) {
    if (rel.startsWith('..')) continue;
    map.set(MODULE_PREFIX + rel, withGzip('text/javascript; charset=utf-8', readFileSync(join(dir, rel))));
  }
  return map;
}

/** True when the client accepts gzip (Accept-Encoding: gzip, not q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
