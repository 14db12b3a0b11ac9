/**
 * The body of a view: a few heading lines and one table. Every view model builds one of these, so the
 * renderer, the key handler and the tests treat all views the same way.
 */
import { buildTable, type TableSpec, type TableState, type TableView } from './table.js';
import { fitLine, line, type Line } from './line.js';

export interface BodyModel {
  /** Lines above the table (context: a legion's lord, the emperor's directories...). */
  head: Line[];
  table: TableView | null;
  /** Shown instead of rows when the table is empty (already safe). */
  empty: string | null;
}

/** Build a body: `head` lines, then a table filling what is left of `height` (header row included). */
export function tableBody<R>(
  head: Line[],
  items: readonly R[],
  spec: TableSpec<R>,
  state: TableState,
  width: number,
  height: number,
  empty: string,
): BodyModel {
  // Keep at least three table rows visible: heading lines give way first on small terminals.
  const headRoom = Math.max(0, Math.min(head.length, height - 4));
  const shownHead = head.slice(0, headRoom).map((l) => fitLine(l, width));
  const table = buildTable(items, spec, state, width, Math.max(0, height - headRoom - 1));
  let emptyText: string | null = null;
  if (table.matched === 0) emptyText = table.total === 0 ? empty : `no row matches the filter "${state.filter}"`;
  return { head: shownHead, table, empty: emptyText };
}

/** A body made of text lines only (messages, overlays). */
export function textBody(lines: string[], width: number): BodyModel {
  return { head: lines.map((t) => fitLine(line(t), width)), table: null, empty: null };
}
