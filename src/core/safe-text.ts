/**
 * Making document strings safe to show. Every string in a stats document is attacker-controlled (a request
 * URI, a header): none may reach a terminal, a page or a scraper as a control character, an escape sequence
 * or a bidi override. This is the one list of such characters; every output spells them with it (visible
 * escapes in text, `\uXXXX` in JSON; the browser page imports this very module).
 */

// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators, BOM, and the
// backslash itself: escaped too, so that a literal "\x1b" sent by a client never looks like an escaped ESC.
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu;

// Raw in JSON text but still acting on a terminal a user `cat`s the JSON into (U+009B is CSI to many
// terminals; bidi overrides reorder text). JSON.stringify already writes C0 controls as \u00XX.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** The visible escape of one unsafe character. */
function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) || 0;
  if (code === 0x5c) return '\\\\';
  if (code === 0x09) return '\\t';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
  if (code > 0xffff) return '\\u{' + code.toString(16) + '}';
  return '\\u' + code.toString(16).padStart(4, '0');
}

// Characters whose width in cells terminals (and blessed) disagree on: format and zero-width characters,
// combining marks, emoji shown as emoji (ZWJ sequences, modifiers, flags' regional indicators), variation selectors,
// conjoining Hangul jamo, tag characters, unassigned, private-use and lone surrogate code points. A terminal
// that draws one wider or narrower than counted shifts the rest of the line: in terminal text they are
// escaped, so every cell the tool pads is a cell every terminal draws (wide CJK, agreed on, is kept).
const WIDTH_DISPUTED = /[\p{Cf}\p{Mn}\p{Me}\p{Emoji_Presentation}\u{1f000}-\u{1faff}\p{Emoji_Modifier}\p{Regional_Indicator}\p{Cn}\p{Co}\p{Cs}\u1160-\u11ff\ud7b0-\ud7ff]/gu;

/** Terminal text: escapeControls, then composed (NFC) and with every width-disputed character escaped too. */
export function terminalText(text: string): string {
  return escapeControls(text).normalize('NFC').replace(WIDTH_DISPUTED, escapeChar);
}

/** Replace every unsafe character with a visible escape (`\x1b`, `\u202e`) so nothing is hidden or executed. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** JSON text of `value` with every unsafe character spelt `\uXXXX`: the value is unchanged, only its spelling is safe. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (ch) => '\\u' + (ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0'));
}

/** Make a document string safe for a terminal (terminalText) and cut it to `maxChars` characters with an ellipsis. */
export function safeText(value: unknown, maxChars = Infinity): string {
  const text = terminalText(value === null || value === undefined ? '' : String(value));
  if (maxChars === Infinity) return text;
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  if (maxChars <= 1) return '…'.slice(0, Math.max(0, maxChars));
  return chars.slice(0, maxChars - 1).join('') + '…';
}
