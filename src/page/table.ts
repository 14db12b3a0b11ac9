/**
 * An accessible table driven by the dashboard's own column declarations (TableSpec): real column headers
 * with aria-sort and a button to sort (keyboard or pointer), rows updated in place, optionally focusable rows
 * that open their details with Enter, and on narrow screens the important columns first plus a hint that the
 * table scrolls sideways.
 */
import type { Column, TableSpec } from '../views/dashboard/model/table.js';
import { el, setClass, setSafeText } from './dom.js';

const NARROW = '(max-width: 720px)';

interface Row<R> {
  tr: HTMLTableRowElement;
  tds: HTMLTableCellElement[];
  item: R;
}

/** The columns in display order: declared order, or by priority on a narrow screen (stable). */
function ordered<R>(columns: ReadonlyArray<Column<R>>, narrow: boolean): Array<Column<R>> {
  if (!narrow) return [...columns];
  return columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.priority - b.c.priority || a.i - b.i).map((x) => x.c);
}

function compare(x: number | string, y: number | string): number {
  const xn = typeof x === 'number' && !Number.isFinite(x);
  const yn = typeof y === 'number' && !Number.isFinite(y);
  if (xn || yn) return xn === yn ? 0 : xn ? 1 : -1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), undefined, { numeric: true });
}

/** A table of one record kind. */
export class DataTable<R> {
  readonly box: HTMLDivElement;
  readonly empty: HTMLParagraphElement;
  private readonly wrap: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly headRow: HTMLTableRowElement;
  private readonly tbody: HTMLTableSectionElement;
  private columns: Array<Column<R>> = [];
  private ths: HTMLTableCellElement[] = [];
  private rows = new Map<string, Row<R>>();
  private order: string[] = [];
  private last: readonly R[] = [];
  private sortId: string;
  private descending: boolean;
  /** Called with a row's key when it is activated (Enter, Space or a click); rows are focusable when set. */
  onOpen: ((key: string, item: R) => void) | null = null;
  /** The key of the row shown open (aria-expanded), if any. */
  openKey: string | null = null;

  constructor(
    private readonly spec: TableSpec<R>,
    private readonly label: string,
    emptyText: string,
  ) {
    this.sortId = spec.defaultSort;
    this.descending = spec.columns.find((c) => c.id === spec.defaultSort)?.desc === true;
    this.box = el('div', 'table-box');
    this.wrap = el('div', 'table-wrap');
    this.wrap.tabIndex = -1;
    this.table = el('table', 'grid');
    const caption = el('caption', 'sr-only', label);
    this.table.appendChild(caption);
    const thead = el('thead');
    this.headRow = el('tr');
    thead.appendChild(this.headRow);
    this.tbody = el('tbody');
    this.table.appendChild(thead);
    this.table.appendChild(this.tbody);
    this.wrap.appendChild(this.table);
    this.box.appendChild(this.wrap);
    const hint = el('p', 'scroll-hint', 'More columns to the right: scroll the table sideways.');
    hint.setAttribute('aria-hidden', 'true');
    this.box.appendChild(hint);
    this.empty = el('p', 'empty-row', emptyText);
    this.box.appendChild(this.empty);
    this.watchOverflow();
    const media = window.matchMedia(NARROW);
    this.build(media.matches);
    media.addEventListener('change', (e) => {
      this.build(e.matches);
      this.update(this.last);
    });
  }

  /** Build the header row (and forget the rows: their cells follow the column order). */
  private build(narrow: boolean): void {
    this.columns = ordered(this.spec.columns, narrow);
    this.headRow.replaceChildren();
    this.ths = this.columns.map((col) => {
      const th = el('th', col.align === 'right' ? 'num' : '');
      th.scope = 'col';
      const button = el('button', '', col.title);
      button.type = 'button';
      button.setAttribute('aria-label', `${col.title}: sort`);
      button.addEventListener('click', () => this.sortBy(col));
      th.appendChild(button);
      this.headRow.appendChild(th);
      return th;
    });
    this.tbody.replaceChildren();
    this.rows.clear();
    this.order = [];
  }

  private sortBy(col: Column<R>): void {
    if (this.sortId === col.id) this.descending = !this.descending;
    else {
      this.sortId = col.id;
      this.descending = col.desc === true;
    }
    this.update(this.last);
  }

  /** Show these items (sorted by the chosen column); cells are written only when their text changed. */
  update(items: readonly R[]): void {
    this.last = items;
    const col = this.columns.find((c) => c.id === this.sortId) ?? this.columns[0]!;
    this.ths.forEach((th, i) => {
      const c = this.columns[i]!;
      const sort = c.id === col.id ? (this.descending ? 'descending' : 'ascending') : 'none';
      if (th.getAttribute('aria-sort') !== sort) th.setAttribute('aria-sort', sort);
    });
    const dir = this.descending ? -1 : 1;
    const sorted = items
      .map((item, i) => ({ item, key: col.sort(item), i }))
      .sort((a, b) => compare(a.key, b.key) * dir || a.i - b.i)
      .map((x) => x.item);
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const item of sorted) {
      const key = this.spec.key(item);
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
      let row = this.rows.get(key);
      if (row === undefined) row = this.newRow(key, item);
      row.item = item;
      const rowStyle = this.spec.rowStyle?.(item);
      setClass(row.tr, (this.onOpen !== null ? 'openable' : '') + (rowStyle !== undefined ? ` s-${rowStyle}` : ''));
      if (this.onOpen !== null) {
        const expanded = this.openKey === key ? 'true' : 'false';
        if (row.tr.getAttribute('aria-expanded') !== expanded) row.tr.setAttribute('aria-expanded', expanded);
      }
      this.columns.forEach((c, j) => {
        const td = row.tds[j]!;
        setSafeText(td, c.text(item));
        const style = c.style?.(item);
        setClass(td, (c.align === 'right' ? 'num' : '') + (c.flex ? ' flex' : '') + (style !== undefined ? ` s-${style}` : ''));
      });
    }
    for (const [key, row] of this.rows) {
      if (!seen.has(key)) {
        row.tr.remove();
        this.rows.delete(key);
      }
    }
    if (keys.length !== this.order.length || keys.some((k, i) => k !== this.order[i])) {
      // Re-append only when the order changed: appendChild moves rows, focus stays on a moved row.
      const focused = document.activeElement;
      const frag = document.createDocumentFragment();
      for (const k of keys) frag.appendChild(this.rows.get(k)!.tr);
      this.tbody.appendChild(frag);
      this.order = keys;
      if (focused instanceof HTMLElement && this.tbody.contains(focused) && document.activeElement !== focused) focused.focus();
    }
    this.empty.hidden = keys.length > 0;
    this.table.hidden = keys.length === 0;
  }

  // Sizes are read after the browser's own layout (a ResizeObserver), never right after a write: reading
  // them in update() forced one extra layout per table per frame.
  private watchOverflow(): void {
    const check = (): void => setClass(this.box, 'table-box' + (this.wrap.scrollWidth > this.wrap.clientWidth + 1 ? ' scrolls' : ''));
    const observer = new ResizeObserver(check);
    observer.observe(this.wrap);
    observer.observe(this.table);
  }

  private newRow(key: string, item: R): Row<R> {
    const tr = el('tr');
    const tds = this.columns.map(() => tr.appendChild(el('td')));
    const row: Row<R> = { tr, tds, item };
    if (this.onOpen !== null) {
      tr.tabIndex = 0;
      tr.setAttribute('aria-label', `${this.label} ${key}: press Enter for details`);
      const open = (): void => this.onOpen?.(key, row.item);
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
    }
    this.rows.set(key, row);
    return row;
  }

  /** Put the keyboard focus on a row (after closing its details). */
  focusRow(key: string): void {
    this.rows.get(key)?.tr.focus();
  }
}
