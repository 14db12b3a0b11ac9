/**
 * What a failed read may tell someone other than the person who typed the address. A decode error's
 * excerpt ("near ...") and an HTTP status line or reason quote bytes of whatever the address named (a file,
 * a loopback service answering a credential): they are for the local user only. A relay's clients, its
 * page and its probe get the error's class and byte offset, never those bytes.
 */
import { DecodeError, StatsReadError } from '../core/errors.js';

/** `text` with the parentheses the cut left open closed again. */
function closeParentheses(text: string): string {
  let open = 0;
  for (const ch of text) open = ch === '(' ? open + 1 : ch === ')' ? Math.max(0, open - 1) : open;
  return text + ')'.repeat(open);
}

/** The message of `err` without the bytes it quotes from the reply. */
export function publicReadMessage(err: unknown): string {
  if (err instanceof DecodeError) {
    if (err.offset !== null) return `not a stats document: invalid JSON at byte ${err.offset}`;
    // Our own words come first; a parenthesis holds what was found (key names, the parser's quote).
    const cut = err.message.indexOf(' (');
    return (cut < 0 ? err.message : err.message.slice(0, cut)).split('\n')[0] ?? 'not a stats document';
  }
  const text = err instanceof Error ? err.message || err.name : String(err);
  const line = text.split('\n')[0] ?? '';
  if (err instanceof StatsReadError) {
    // Our own text ends where a quote of the peer's bytes begins.
    const quoted = /(malformed HTTP status line|answered HTTP \d{3})/.exec(line);
    if (quoted) return `${closeParentheses(line.slice(0, quoted.index + quoted[0].length))} (${err.code})`;
  }
  return line;
}

/** The same failure with only its public message: class, code and offset are kept. */
export function publicReadError(err: unknown): Error {
  const message = publicReadMessage(err);
  if (err instanceof DecodeError) return new DecodeError(message, err.offset);
  if (err instanceof StatsReadError) return new StatsReadError(message, err.code, err.transient);
  if (err instanceof Error && err.message === message) return err;
  const out = new Error(message);
  if (err instanceof Error) out.name = err.name;
  return out;
}
