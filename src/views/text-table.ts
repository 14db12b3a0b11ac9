/**
 * Aligned plain-text tables for the one-shot report. Cells must already be safe text (safeText): this module
 * only measures and pads them, counting wide (CJK, emoji) characters as two columns and combining marks as none.
 */

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

// Combining marks and zero-width joiners/selectors take no column.
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]/u;

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Columns a string occupies in a terminal (approximate East Asian width rules). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (ZERO_WIDTH.test(ch)) continue;
    width += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Render a header row and data rows as aligned lines, two spaces between columns, no trailing spaces. */
export function renderTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>, indent = ''): string[] {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    (indent + columns.map((c, i) => pad(cells[i] ?? '', widths[i]!, c.align ?? 'left')).join('  ')).trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

/** Append `lines` to `out` one by one: push(...lines) would overflow the stack for a table of 100,000 rows. */
export function appendLines(out: string[], lines: readonly string[]): void {
  for (const line of lines) out.push(line);
}
