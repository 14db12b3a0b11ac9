/**
 * The plain-terminal fallback: which terminals get ASCII, and the one-cell ASCII stand-in of every other
 * character the dashboard draws (box drawing, "●", "µ", arrows, the charts' braille dots).
 */

/**
 * Whether the dashboard should draw in ASCII, as htop does: when the locale's character set is not UTF-8
 * (LC_ALL, else LC_CTYPE, else LANG; none set is the C locale), or the terminal is a VT100-style one or the
 * Linux console, whose fonts lack the braille dots and most symbols.
 */
export function wantsAscii(env: NodeJS.ProcessEnv): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || 'C';
  if (!/utf-?8/i.test(locale)) return true;
  return /^(vt(52|100|102|220)|linux)(-|$)/.test(env['TERM'] ?? '');
}

const SAME: Array<[string, string]> = [
  ['─━┄┅┈┉╌╍═╴╶╸╺', '-'],
  ['│┃┆┇┊┋╎╏║╵╷╹╻', '|'],
  ['●•◉◆■', '*'],
  ['○◇□', 'o'],
  ['▲△↑⇡', '^'],
  ['▼▽↓⇣', 'v'],
  ['►▶→⇢', '>'],
  ['◄◀←⇠', '<'],
  ['…', '~'],
  ['·∙', '.'],
  ['µμ', 'u'],
  ['×✗✘', 'x'],
  ['⚠', '!'],
  ['✓✔±', '+'],
  ['−–—↔', '-'],
  ['‘’′', "'"],
  ['“”″', '"'],
  ['≥', '>'],
  ['≤', '<'],
  ['°', 'o'],
  ['\u00a0', ' '],
];
const TABLE = new Map<string, string>();
for (const [chars, to] of SAME) for (const ch of chars) TABLE.set(ch, to);

/** The braille dots of the charts by height: upper dots `'`, lower dots `.`, both `:`. */
function brailleToAscii(code: number): string {
  const bits = code - 0x2800;
  if (bits === 0) return ' ';
  const upper = (bits & 0x1b) !== 0;
  const lower = (bits & 0xe4) !== 0;
  return upper && lower ? ':' : upper ? "'" : '.';
}

/** The ASCII stand-in of one character (itself when ASCII; '?' when nothing better exists). */
export function asciiChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x7f) return ch;
  const mapped = TABLE.get(ch);
  if (mapped !== undefined) return mapped;
  if (code >= 0x2800 && code <= 0x28ff) return brailleToAscii(code);
  // Box drawing not listed above: corners and junctions.
  if (code >= 0x2500 && code <= 0x257f) return '+';
  // Block elements (bars).
  if (code >= 0x2580 && code <= 0x259f) return '#';
  return '?';
}
