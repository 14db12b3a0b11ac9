/**
 * What a column table is made of: the styles a cell may ask for, styled lines, a column and a table spec. One
 * spec per record kind (workers, sockets, caches...) serves the dashboard, the text report and the page.
 */

export type Style =
  | 'normal'
  | 'title'
  | 'header'
  | 'selected'
  | 'tab'
  | 'tabActive'
  | 'status'
  | 'prompt'
  | 'busy'
  | 'pause'
  | 'cheap'
  | 'sig'
  | 'ok'
  | 'warn'
  | 'error'
  | 'dim'
  | 'bold'
  | 'key';

export interface Segment {
  text: string;
  style?: Style;
}

export type Line = Segment[];

export interface Column<R> {
  id: string;
  title: string;
  /** Preferred width in cells (the minimum for a flex column). */
  width: number;
  align: 'left' | 'right';
  /** 1 = kept first when the terminal is narrow; higher numbers are dropped first. */
  priority: number;
  /** Takes the spare width (URIs, names, messages), up to maxWidth. */
  flex?: boolean;
  /** Cells the widest row needs, when more than `width` (5-digit worker ids): the column grows, never cuts them. */
  fit?(rows: readonly R[]): number;
  maxWidth?: number;
  /** Sort descending by default (counters and rates: biggest first, as in htop). */
  desc?: boolean;
  /** The cell text, already safe for a terminal. */
  text(row: R): string;
  sort(row: R): number | string;
  /** A style for this cell only (e.g. the STATUS cell). */
  style?(row: R): Style | undefined;
}

export interface TableSpec<R> {
  columns: Array<Column<R>>;
  key(row: R): string;
  rowStyle?(row: R): Style | undefined;
  defaultSort: string;
}
