/**
 * Aligned plain-text tables for the one-shot report. Cells must already be safe text (safeText): this module
 * only pads them, measured by the one width table (src/present/width.ts) the dashboard lays out with.
 */

import { displayWidth } from '../present/width.js';

export { displayWidth };

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
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
