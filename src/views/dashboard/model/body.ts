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
  /** Lines the body takes on screen (the height it was given, or chose when given a function). */
  height: number;
}

/**
 * Build a body: `head` lines, then a table filling what is left of `height` (header row included). `height`
 * may be a function: it gets the lines the whole body needs (head, header, every matching row or the empty
 * message) and answers the lines it may take, so a short table can leave room below it.
 */
export function tableBody<R>(
  head: Line[],
  items: readonly R[],
  spec: TableSpec<R>,
  state: TableState,
  width: number,
  height: number | ((need: number) => number),
  empty: string,
): BodyModel {
  let total = typeof height === 'number' ? height : 0;
  // Keep up to three table rows visible (fewer when the table has fewer): heading lines give way first on
  // small terminals, but never to rows that do not exist (two blacklisted vassals over a one-vassal table).
  let headRoom = 0;
  const rowsFor = (matched: number): number => {
    if (typeof height !== 'number') total = height(head.length + 1 + Math.max(1, matched));
    headRoom = Math.max(0, Math.min(head.length, total - 1 - Math.min(3, Math.max(1, matched))));
    return Math.max(0, total - headRoom - 1);
  };
  const table = buildTable(items, spec, state, width, rowsFor);
  const shownHead = head.slice(0, headRoom).map((l) => fitLine(l, width));
  let emptyText: string | null = null;
  if (table.matched === 0) emptyText = table.total === 0 ? empty : `no row matches the filter "${state.filter}"`;
  return { head: shownHead, table, empty: emptyText, height: total };
}

/** A body made of text lines only (messages, overlays). */
export function textBody(lines: string[], width: number): BodyModel {
  return { head: lines.map((t) => fitLine(line(t), width)), table: null, empty: null, height: lines.length };
}
