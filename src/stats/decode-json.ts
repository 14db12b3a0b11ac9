/**
 * Bytes -> JSON value. Valid UTF-8 JSON takes the fast path (one UTF-8 check, one JSON.parse); only when
 * that fails does the repair scanner (json-repair.ts) run.
 */
import { isUtf8 } from 'node:buffer';
import { DecodeError } from '../core/errors.js';
import { escapeControls } from '../core/safe-text.js';
import { repairJson } from './json-repair.js';

/** A parsed document and the repairs that were needed to parse it. */
export interface ParsedJson {
  value: unknown;
  repairs: string[];
}

/** Parse a stats reply body, repairing uWSGI's known defects; throws DecodeError with the byte offset otherwise. */
export function parseStatsJson(body: Buffer): ParsedJson {
  // Checking UTF-8 first keeps invalid bytes from being silently turned into U+FFFD without a repair note.
  if (isUtf8(body)) {
    try {
      return { value: JSON.parse(body.toString('utf8')), repairs: [] };
    } catch {
      // fall through to the scanner, which repairs or locates the problem
    }
  }
  const { text, repairs } = repairJson(body);
  try {
    return { value: JSON.parse(text), repairs };
  } catch (err) {
    // The scanner accepted it, so this is a limit of JSON.parse (e.g. nesting depth), not a syntax error.
    const why = err instanceof Error ? err.message : String(err);
    throw new DecodeError(`not a stats document: invalid JSON (${escapeControls(why).slice(0, 120)})`);
  }
}
