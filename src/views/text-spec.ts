/**
 * A plain-text table from the column declaration the dashboard and the web page use for the same record kind
 * (one table per kind: same columns, titles and formats everywhere).
 */
import type { TableSpec } from './dashboard/model/table.js';
import { renderTable } from './text-table.js';

// Cap for free-text cells without one of their own: a hostile URI can be 64 KiB; the JSON output keeps it whole.
export const NAME_CHARS = 60;

/** `text` (already safe) cut to `max` characters with an ellipsis: a wide value must not push the table off every screen. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/**
 * A table from the column declaration the dashboard and the web page use for this record kind (one table per
 * kind: same columns, titles and formats everywhere); free-text columns are cut for a plain report.
 */
export function specTable<R>(spec: TableSpec<R>, rows: readonly R[], indent = ''): string[] {
  const columns = spec.columns;
  return renderTable(
    columns.map((c) => ({ header: c.title, align: c.align })),
    rows.map((row) => columns.map((c) => (c.flex ? cut(c.text(row), c.maxWidth ?? NAME_CHARS) : c.text(row)))),
    indent,
  );
}

