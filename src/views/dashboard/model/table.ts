/**
 * A generic table view model: column layout for the terminal width, sorting, filtering, a selected row that
 * follows its key across updates, and a scrolling window. Only the visible rows are formatted, so the cost
 * of a frame follows the screen size, not the number of rows (2,048 workers cost about what 16 do).
 */
import { fitCell } from '../../../present/width.js';
import type { Line, Style } from './line.js';

export type { Column, TableSpec } from '../../../present/columns/spec.js';
import type { Column, TableSpec } from '../../../present/columns/spec.js';

/** What the user chose for one table; kept by the dashboard between frames. */
export interface TableState {
  sortId: string | null;
  reverse: boolean;
  filter: string;
  selectedKey: string | null;
  /** Fallback position when the selected key disappears (worker gone, filter changed). */
  selectedIndex: number;
  scrollTop: number;
}

export interface TableView {
  header: Line;
  /** The visible rows only, each exactly `width` cells wide. */
  rows: Line[];
  /** Keys of every row that passed the filter, in display order (for moving the selection). */
  keys: string[];
  selectedIndex: number;
  selectedKey: string | null;
  scrollTop: number;
  total: number;
  matched: number;
  sortId: string;
  sortTitle: string;
  descending: boolean;
  /** Ids of columns left out because the terminal is too narrow. */
  hidden: string[];
  /** Ids of columns shown, in order. */
  shown: string[];
}

/** A fresh table state sorted by the table's default column. */
export function newTableState(): TableState {
  return { sortId: null, reverse: false, filter: '', selectedKey: null, selectedIndex: 0, scrollTop: 0 };
}

/** The narrowest a flex column is shown (below it, the column is dropped like any other). */
const MIN_FLEX_WIDTH = 10;

interface Placed<R> {
  col: Column<R>;
  width: number;
}

/** Choose the columns that fit in `width` cells by priority, then give spare cells to flex columns. */
export function layoutColumns<R>(columns: Array<Column<R>>, width: number): Array<Placed<R>> {
  const order = columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.priority - b.c.priority || a.i - b.i);
  const chosen = new Map<number, number>();
  let used = 0;
  for (const { c, i } of order) {
    const sep = chosen.size > 0 ? 1 : 0;
    // A flex column (URI, name, message) shrinks to what is left before it gives way to less useful ones.
    const w = used + sep + c.width <= width ? c.width : c.flex && width - used - sep >= MIN_FLEX_WIDTH ? width - used - sep : 0;
    if (w > 0) {
      chosen.set(i, w);
      used += sep + w;
    }
  }
  const placed = columns.flatMap((col, i) => (chosen.has(i) ? [{ col, width: chosen.get(i)! }] : []));
  let spare = width - used;
  const flex = placed.filter((p) => p.col.flex);
  // Spread spare cells over flex columns, respecting their maxWidth; what is left stays at the right edge.
  for (let round = 0; round < 4 && spare > 0 && flex.length > 0; round++) {
    const open = flex.filter((p) => p.col.maxWidth === undefined || p.width < p.col.maxWidth);
    if (open.length === 0) break;
    const share = Math.max(1, Math.floor(spare / open.length));
    for (const p of open) {
      if (spare <= 0) break;
      const room = p.col.maxWidth === undefined ? share : Math.min(share, p.col.maxWidth - p.width);
      p.width += room;
      spare -= room;
    }
  }
  return placed;
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') {
    // NaN sorts last whichever the direction: treat it as the smallest.
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a - b;
  }
  return String(a).localeCompare(String(b));
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/**
 * Rows in the column's order, ties in document order. Sort values are computed once per row; rows already in
 * order (the default WID sort nearly always) are returned as they are, without building a sorted copy.
 */
function sortRows<R>(rows: R[], col: Column<R>, descending: boolean): R[] {
  const values = rows.map((r) => col.sort(r));
  let ordered = true;
  for (let i = 1; i < values.length && ordered; i++) {
    const c = compareValues(values[i - 1]!, values[i]!);
    ordered = descending ? c >= 0 : c <= 0;
  }
  if (ordered) return rows;
  const index = rows.map((_, i) => i);
  index.sort((a, b) => {
    const c = compareValues(values[a]!, values[b]!);
    return (descending ? -c : c) || a - b;
  });
  return index.map((i) => rows[i]!);
}

/** Render one row's cells into a line of exactly the table width. */
function rowLine<R>(row: R, placed: Array<Placed<R>>, spec: TableSpec<R>, width: number, selected: boolean): Line {
  const base = selected ? 'selected' : spec.rowStyle?.(row);
  const out: Line = [];
  let used = 0;
  placed.forEach((p, i) => {
    const sep = i > 0 ? ' ' : '';
    const text = sep + fitCell(p.col.text(row), p.width, p.col.align);
    const style = selected ? 'selected' : (p.col.style?.(row) ?? base);
    out.push({ text, style });
    used += p.width + sep.length;
  });
  if (used < width) out.push({ text: ' '.repeat(width - used), style: base });
  return out;
}

/**
 * Build what the table shows: filter, sort, keep the selection on its key, scroll so it is visible, and
 * format only the `height` rows in the window (`height` may be a function of the number of matching rows).
 */
export function buildTable<R>(
  items: readonly R[],
  spec: TableSpec<R>,
  state: TableState,
  width: number,
  height: number | ((matched: number) => number),
  showSelection = true,
): TableView {
  const columns = spec.columns.map((c) => (c.fit ? { ...c, width: Math.max(c.width, c.fit(items)) } : c));
  const sortCol = columns.find((c) => c.id === state.sortId) ?? columns.find((c) => c.id === spec.defaultSort) ?? columns[0]!;
  const descending = (sortCol.desc ?? false) !== state.reverse;

  let rows: R[] = items as R[];
  const needle = state.filter.trim().toLowerCase();
  if (needle !== '') {
    rows = rows.filter((r) => columns.some((c) => c.text(r).toLowerCase().includes(needle)));
  }

  const sorted = sortRows(rows, sortCol, descending);
  const keys = sorted.map((r) => spec.key(r));

  let selectedIndex = state.selectedKey === null ? -1 : keys.indexOf(state.selectedKey);
  if (selectedIndex < 0) selectedIndex = clamp(state.selectedIndex, 0, Math.max(0, keys.length - 1));
  // The height may depend on how many rows passed the filter (a table that leaves room to panes below it).
  const visible = Math.max(0, typeof height === 'number' ? height : height(keys.length));
  let scrollTop = clamp(state.scrollTop, 0, Math.max(0, keys.length - visible));
  if (showSelection && visible > 0) {
    if (selectedIndex < scrollTop) scrollTop = selectedIndex;
    if (selectedIndex >= scrollTop + visible) scrollTop = selectedIndex - visible + 1;
  }

  const placed = layoutColumns(columns, width);
  const header: Line = [];
  let used = 0;
  placed.forEach((p, i) => {
    const sep = i > 0 ? ' ' : '';
    header.push({ text: sep, style: 'header' });
    header.push({ text: fitCell(p.col.title, p.width, p.col.align), style: p.col.id === sortCol.id ? 'tabActive' : 'header' });
    used += p.width + sep.length;
  });
  if (used < width) header.push({ text: ' '.repeat(width - used), style: 'header' });

  const windowRows = sorted.slice(scrollTop, scrollTop + visible);
  const lines = windowRows.map((r, i) => rowLine(r, placed, spec, width, showSelection && scrollTop + i === selectedIndex));

  const shown = new Set(placed.map((p) => p.col.id));
  return {
    header,
    rows: lines,
    keys,
    selectedIndex: keys.length === 0 ? 0 : selectedIndex,
    selectedKey: keys[selectedIndex] ?? null,
    scrollTop,
    total: items.length,
    matched: sorted.length,
    sortId: sortCol.id,
    sortTitle: sortCol.title,
    descending,
    hidden: columns.filter((c) => !shown.has(c.id)).map((c) => c.id),
    shown: placed.map((p) => p.col.id),
  };
}
